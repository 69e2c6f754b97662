"""The one input channel Rasa listens on (credentials.yml): the gateway's, behind the Rasa token.

POST /webhooks/huifang/webhook with `Authorization: Bearer <HUIFANG_RASA_TOKEN>` and either
`{"sender": id, "text": what the customer typed}` — always plain text, never an intent — or
`{"sender": id, "button": payload}`, a button payload the gateway itself offered and mapped back
from its opaque id. Intents of the internal side (`EXTERNAL_*`) only come through the token-
protected HTTP API's trigger_intent, never through this channel.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from huifang.constant_time import same_secret  # standard library only: loads in this venv
from rasa_channels.plain_text import button_intent, plain_text

INTERNAL_INTENT_PREFIX = "EXTERNAL_"
MAX_SENDER = 128


class CustomerInput(InputChannel):
    def __init__(self, token: str) -> None:
        self._token = token

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
            sender, text = message
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            return response.json(collector.messages)

        return webhook


def _message_of(request: Request) -> tuple[str, str] | str:
    """(sender, text for Rasa), or what is wrong with the request."""
    try:
        body = request.json
    except Exception:  # sanic raises its own InvalidUsage on a malformed body
        return "the body must be JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    sender, text, button = body.get("sender"), body.get("text"), body.get("button")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER:
        return '"sender" must be a non-empty string'
    if (text is None) == (button is None):
        return 'send either "text" or "button"'
    if text is not None:
        if not isinstance(text, str):
            return '"text" must be a string'
        words = plain_text(text)
        return (sender, words) if words else '"text" must not be empty'
    intent = button_intent(button) if isinstance(button, str) else None
    if intent is None or intent.startswith(INTERNAL_INTENT_PREFIX):
        return '"button" must be a payload the assistant offered'
    return sender, button
