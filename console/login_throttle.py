"""Failed console logins are limited per user name and per client address (a moving window in
this process's memory, via `limits`): guessing passwords costs a lockout, not just argon2 time.
The client address is huifang.web.client_address's (X-Forwarded-For only from trusted proxies)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from huifang.settings import Settings


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        minutes = settings.console_login_lockout_minutes
        # an office behind one address shares the client limit, hence a higher one
        self._per_user = RateLimitItemPerMinute(settings.console_login_max_failures, minutes)
        self._per_client = RateLimitItemPerMinute(
            settings.console_login_max_failures_per_client, minutes)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _limits(self, username: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        return [(self._per_user, "user", username.casefold()),
                (self._per_client, "client", client)]

    def minutes_locked(self, username: str, client: str) -> int:
        """0 if a login may be tried now, else the whole minutes until it may."""
        waits = [self._limiter.get_window_stats(item, *key).reset_time - time.time()
                 for item, *key in self._limits(username, client)
                 if not self._limiter.test(item, *key)]
        return max((max(1, math.ceil(wait / 60)) for wait in waits), default=0)

    def failed(self, username: str, client: str) -> None:
        for item, *key in self._limits(username, client):
            self._limiter.hit(item, *key)

    def succeeded(self, username: str) -> None:
        self._limiter.clear(self._per_user, "user", username.casefold())
