"""The simulated customers' side of the web chat (the only module that knows its HTTP API):
send a message, read what the bot wrote. A message is acknowledged by any 2xx answer (today a
200 carrying the replies; with a durable inbox, a 202 once stored)."""

from __future__ import annotations

import httpx


class WebChatClient:
    def __init__(self, gateway_url: str) -> None:
        self.gateway_url = gateway_url
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0),
                                      limits=httpx.Limits(max_connections=400))

    async def say(self, token: str, text: str) -> bool:
        """True if the gateway acknowledged the message."""
        try:
            response = await self.http.post(f"{self.gateway_url}/webchat/{token}/messages",
                                             json={"text": text})
        except httpx.HTTPError:
            return False
        return response.is_success

    async def bot_messages(self, token: str) -> list[str] | None:
        """Everything the bot wrote in this chat so far, oldest first; None if unreachable."""
        try:
            response = await self.http.get(f"{self.gateway_url}/webchat/{token}/messages")
        except httpx.HTTPError:
            return None
        if not response.is_success:
            return None
        return [m["text"] or "" for m in response.json() if m["direction"] == "out"]

    async def close(self) -> None:
        await self.http.aclose()
