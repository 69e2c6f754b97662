"""Which Rasa server a conversation goes to when several share the Redis tracker and lock
stores (docs/deployment.md, Scale-out): a stable hash of the sender id over the configured
list, so every turn of one conversation reaches the same server in every gateway process."""

from __future__ import annotations

import hashlib


class RasaRouting:
    def __init__(self, base_urls: list[str]) -> None:
        if not base_urls:
            raise ValueError("at least one Rasa server URL is needed")
        self.base_urls = [url.rstrip("/") for url in base_urls]

    def server_for(self, sender: str) -> str:
        digest = hashlib.sha256(sender.encode("utf-8", "surrogateescape")).digest()
        return self.base_urls[int.from_bytes(digest[:8], "big") % len(self.base_urls)]
