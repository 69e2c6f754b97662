"""The simulated customers' side of the web chat (the only module that knows its HTTP API):
send a message, read what the bot wrote. A message is acknowledged by any 2xx answer (a 200
carrying the replies, or a 202 once stored). Each message carries the page's `key`, the same
when it is sent again after a failed request (docs/contracts.md); a gateway that predates keys
ignores it."""

from __future__ import annotations

import httpx


class WebChatClient:
    def __init__(self, gateway_url: str) -> None:
        self.gateway_url = gateway_url
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0),
                                      limits=httpx.Limits(max_connections=400))

    async def say(self, token: str, text: str, key: str) -> bool:
        """True if the gateway acknowledged the message."""
        try:
            response = await self.http.post(f"{self.gateway_url}/webchat/{token}/messages",
                                             json={"text": text, "key": key})
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
