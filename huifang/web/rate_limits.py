"""Requests per minute, per credential (a chat link) and per client address: a moving window
in this process's memory (`limits`). Both limits must allow a request; only allowed requests
count, so a client that is refused does not extend its own wait."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RequestRate:
    def __init__(self, per_key_per_minute: int, per_client_per_minute: int) -> None:
        self._per_key = RateLimitItemPerMinute(per_key_per_minute)
        self._per_client = RateLimitItemPerMinute(per_client_per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, key: str, client: str) -> bool:
        checks = [(self._per_key, "key", key), (self._per_client, "client", client)]
        if not all(self._limiter.test(item, *ids) for item, *ids in checks):
            return False
        for item, *ids in checks:
            self._limiter.hit(item, *ids)
        return True
