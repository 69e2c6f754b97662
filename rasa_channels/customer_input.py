"""The one input channel Rasa listens on (credentials.yml): the gateway's, behind the Rasa token.

POST /webhooks/huifang/webhook with `Authorization: Bearer <HUIFANG_RASA_TOKEN>` and either
`{"sender": id, "text": what the customer typed}` — always plain text, never an intent — or
`{"sender": id, "button": payload}`, a button payload the gateway itself offered and mapped back
from its opaque id. Intents of the internal side (`EXTERNAL_*`) only come through the token-
protected HTTP API's trigger_intent, never through this channel.

`"metadata": {"message_key": key}` is the message's idempotency key (the gateway's inbox row):
a message whose key is already in the conversation's tracker is not run again — its replies
are answered again, read from the tracker — so a gateway retrying after a timeout or a crash
never records an answer twice (docs/reliability.md, "Inbound"). One message per conversation
is looked at and handled at a time. `"first_try": true` beside the key is the gateway's word
that the message was never sent before (no try failed, no lease ran out): the tracker is then
not read for it — a read of the whole history that would cost as much as the turn's own.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.chat_locks import ChatLocks  # standard library only, like the next: loads here
from huifang.constant_time import same_secret  # standard library only: loads in this venv
from huifang.message_metadata import FIRST_TRY, MESSAGE_KEY  # constants only, likewise
from huifang.plain_text import button_intent, plain_text  # standard library only, likewise

INTERNAL_INTENT_PREFIX = "EXTERNAL_"
MAX_SENDER = 128
MAX_KEY = 80
LISTEN = "action_listen"


class CustomerInput(InputChannel):
    def __init__(self, token: str) -> None:
        self._token = token
        self._locks = ChatLocks()

    @classmethod
    def name(cls) -> Text:
        return "huifang"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CustomerInput":
        token = str((credentials or {}).get("token") or "").strip()
        if not token:
            raise RasaException("the huifang channel needs a token: set HUIFANG_RASA_TOKEN")
        return cls(token)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and same_secret(given, self._token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("huifang_webhook", __name__)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorized(request):
                return response.json({"error": "missing or wrong token"}, status=401)
            message = _message_of(request)
            if isinstance(message, str):
                return response.json({"error": message}, status=400)
            sender, text, key, first_try = message
            async with self._locks.hold(sender):
                if key is not None and not first_try:
                    earlier = await _replies_to(request, sender, key)
                    if earlier is not None:
                        return response.json(earlier)
                collector = CollectingOutputChannel()
                await on_new_message(UserMessage(
                    text, collector, sender, input_channel=self.name(),
                    metadata={MESSAGE_KEY: key} if key is not None else None))
                return response.json(collector.messages)

        return webhook


async def _replies_to(request: Request, sender: str, key: str
                      ) -> Optional[List[Dict[str, Any]]]:
    """What the assistant answered the message keyed `key`, if this conversation already took
    it in: the bot messages after it up to the next listen."""
    tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(sender)
    if tracker is None:
        return None
    replies: Optional[List[Dict[str, Any]]] = None
    for event in tracker.events:
        if replies is None:
            if isinstance(event, UserUttered) and (event.metadata or {}).get(MESSAGE_KEY) == key:
                replies = []
        elif isinstance(event, BotUttered):
            message = {"recipient_id": sender, "text": event.text,
                       **{name: value for name, value in (event.data or {}).items()
                          if value is not None}}
            replies.append(message)
        elif (isinstance(event, UserUttered)
              or (isinstance(event, ActionExecuted) and event.action_name == LISTEN)):
            break
    return replies


def _message_of(request: Request) -> tuple[str, str, Optional[str], bool] | str:
    """(sender, text for Rasa, message key, first try), or what is wrong with the request."""
    try:
        body = request.json
    except Exception:  # sanic raises its own InvalidUsage on a malformed body
        return "the body must be JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    sender, text, button = body.get("sender"), body.get("text"), body.get("button")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER:
        return '"sender" must be a non-empty string'
    metadata = body.get("metadata") or {}
    key = metadata.get(MESSAGE_KEY) if isinstance(metadata, dict) else None
    if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY):
        return '"metadata.message_key" must be a short string'
    first_try = isinstance(metadata, dict) and metadata.get(FIRST_TRY) is True
    if (text is None) == (button is None):
        return 'send either "text" or "button"'
    if text is not None:
        if not isinstance(text, str):
            return '"text" must be a string'
        words = plain_text(text)
        return (sender, words, key, first_try) if words else '"text" must not be empty'
    intent = button_intent(button) if isinstance(button, str) else None
    if intent is None or intent.startswith(INTERNAL_INTENT_PREFIX):
        return '"button" must be a payload the assistant offered'
    return sender, button, key, first_try
