"""A small synchronous client for driving the real Rasa server in tests, the way the gateway
does: REST channel for customer messages, HTTP API trigger_intent for proactive starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class RasaConversations:
    rasa_url: str
    token: str

    def trigger(self, sender: str, intent: str, entities: dict[str, Any]) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.rasa_url}/conversations/{sender}/trigger_intent",
            params={"output_channel": "collector", "token": self.token},
            json={"name": intent, "entities": entities},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json().get("messages", []))

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": text}, timeout=60)
        response.raise_for_status()
        return list(response.json())

    def slots(self, sender: str) -> dict[str, Any]:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker",
                             params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return dict(response.json()["slots"])


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons", [])]
