"""Rasa over HTTP: our own input channel (rasa_channels/customer_input.py) for what customers
say — typed text as plain text, a pressed button as the payload we offered — and the HTTP API's
`trigger_intent` (collecting output channel) for proactive starts, resumes and reminders. Both
require the Rasa token.

Over aiohttp rather than httpx: a customer's turn makes one call here, which cost the gateway
0.9 ms of CPU with httpx and 0.2 ms with aiohttp (docs/performance.md, "Fourth step")."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.rasa_routing import RasaRouting
from huifang.message_metadata import FIRST_TRY, MESSAGE_KEY

log = logging.getLogger(__name__)


CHANNEL_WEBHOOK = "/webhooks/huifang/webhook"


class RasaUnavailable(Exception):
    """Rasa could not be reached or did not answer properly; nothing was processed for sure."""


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def _bot_messages(raw: list[dict[str, Any]]) -> list[BotMessage]:
    messages = []
    for item in raw:
        text = str(item.get("text") or "").strip()
        if not text:
            log.warning("ignoring a Rasa message without text: keys %s", sorted(item))
            continue
        buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                   for b in item.get("buttons") or []]
        messages.append(BotMessage(text, buttons))
    return messages


def _start_of(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace")


def _metadata(key: str, first_try: bool) -> dict[str, Any]:
    return {MESSAGE_KEY: key, FIRST_TRY: True} if first_try else {MESSAGE_KEY: key}


class RasaClient:
    """Talks to one Rasa server, or to several sharing the Redis stores: each conversation
    (sender) always to the same one (bot.rasa_routing)."""

    def __init__(self, base_urls: list[str], token: str, timeout: float,
                 max_connections: int = 100) -> None:
        self._token = token
        self._routing = RasaRouting(base_urls)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_connections = max_connections
        self._http: aiohttp.ClientSession | None = None  # made on the event loop it serves

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._max_connections))
        return self._http

    async def say(self, sender: str, text: str, key: str, first_try: bool = False
                  ) -> list[BotMessage]:
        """What the customer typed: Rasa's channel reads it as text, whatever it looks like.
        `key` is the message's idempotency key: a message Rasa already took in is not run
        again, its replies are answered again (rasa_channels/customer_input.py). `first_try`:
        the message was never sent before, so Rasa need not look the key up."""
        return await self._channel({"sender": sender, "text": text,
                                    "metadata": _metadata(key, first_try)})

    async def press(self, sender: str, payload: str, key: str, first_try: bool = False
                    ) -> list[BotMessage]:
        """A button we offered in this conversation, mapped back from its opaque id."""
        return await self._channel({"sender": sender, "button": payload,
                                    "metadata": _metadata(key, first_try)})

    async def trigger(self, sender: str, intent: str) -> list[BotMessage]:
        body = await self._post(sender, f"/conversations/{sender}/trigger_intent",
                                {"name": intent},
                                params={"output_channel": "collector", "token": self._token})
        if not isinstance(body, dict):
            raise RasaUnavailable(f"unexpected trigger_intent answer: {str(body)[:200]}")
        return _bot_messages(body.get("messages") or [])

    async def _channel(self, message: dict[str, Any]) -> list[BotMessage]:
        body = await self._post(message["sender"], CHANNEL_WEBHOOK, message,
                                headers={"Authorization": f"Bearer {self._token}"})
        if not isinstance(body, list):
            raise RasaUnavailable(f"unexpected channel answer: {str(body)[:200]}")
        return _bot_messages(body)

    async def _post(self, sender: str, path: str, payload: dict[str, Any],
                    params: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> Any:
        url = self._routing.server_for(sender) + path
        try:
            async with self._session().post(url, json=payload, params=params,
                                            headers=headers) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RasaUnavailable(f"{path}: {exc!r}") from exc
        if status != 200:
            raise RasaUnavailable(f"{path} answered {status}: {_start_of(body)}")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RasaUnavailable(f"{path} answered non-JSON: {_start_of(body)}") from exc

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
