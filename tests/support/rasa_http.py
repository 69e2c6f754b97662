"""A small synchronous client for driving the real Rasa server in tests, the way the gateway
does: our input channel for customer messages (typed text, pressed buttons), HTTP API
trigger_intent for proactive starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class RasaConversations:
    rasa_url: str
    token: str

    def trigger(self, sender: str, intent: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.rasa_url}/conversations/{sender}/trigger_intent",
            params={"output_channel": "collector", "token": self.token},
            json={"name": intent},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json().get("messages", []))

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """What a customer typed."""
        return self.channel({"sender": sender, "text": text})

    def press(self, sender: str, payload: str) -> list[dict[str, Any]]:
        """A button payload the assistant offered, as the gateway sends it back."""
        return self.channel({"sender": sender, "button": payload})

    def channel(self, body: dict[str, Any], token: str | None = None) -> list[dict[str, Any]]:
        response = self.post_channel(body, token)
        response.raise_for_status()
        return list(response.json())

    def post_channel(self, body: Any, token: str | None = None) -> httpx.Response:
        return httpx.post(f"{self.rasa_url}/webhooks/huifang/webhook", json=body,
                          headers={"Authorization": f"Bearer {token or self.token}"},
                          timeout=60)

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker",
                             params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def slots(self, sender: str) -> dict[str, Any]:
        return dict(self.tracker(sender)["slots"])

    def latest_intent(self, sender: str) -> str | None:
        """The intent the NLU read the customer's latest message as."""
        return ((self.tracker(sender).get("latest_message") or {}).get("intent") or {}).get("name")


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons", [])]
