"""Write the Rasa endpoints file for a running stack from settings (action server URL and the
tracker store), so no secret or path is hard-coded in endpoints.yml. The action server's
token is not written either: Rasa reads it from its environment (HUIFANG_ACTION_SERVER_TOKEN,
huifang.app.stack) when it loads the file; nor is a Redis password (REDIS_PASSWORD_VARIABLE).

Tracker store: Redis with Rasa's RedisLockStore when a Redis URL is set — required when
several Rasa servers share conversations (docs/deployment.md, Scale-out) and the faster store
for one (docs/performance.md); otherwise the embedded SQLite file (Rasa's SQL tracker store,
its reads in plain SQL: huifang/app/rasa_tracker_store.py), one Rasa server only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from huifang.settings import Settings

REDIS_PASSWORD_VARIABLE = "HUIFANG_RASA_REDIS_PASSWORD"
# Rasa's SQL tracker store with plain-SQL reads (the same tables and rows).
SQLITE_TRACKER_STORE = "huifang.app.rasa_tracker_store.PlainSQLTrackerStore"


@dataclass(frozen=True)
class RedisStores:
    """Rasa's trackers and conversation locks in Redis at `url`
    (redis://[user:password@]host[:port][/db]), under `key_prefix`; a tracker expires
    `tracker_ttl_seconds` after its last turn."""

    url: str
    key_prefix: str = "huifang"
    tracker_ttl_seconds: float | None = None

    @classmethod
    def of(cls, settings: Settings) -> RedisStores | None:
        if not settings.redis_url:
            return None
        return cls(settings.redis_url, settings.redis_key_prefix,
                   settings.rasa_tracker_ttl_hours * 3600)

    def sections(self) -> dict[str, dict[str, object]]:
        """endpoints.yml's tracker_store and lock_store."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError("the Redis URL must be redis://host[:port][/db]")
        if not self.key_prefix.isalnum():
            raise ValueError("the Redis key prefix must be letters and digits only")
        connection: dict[str, object] = {
            "url": parts.hostname, "port": parts.port or 6379,
            "db": int(parts.path.strip("/") or 0), "use_ssl": parts.scheme == "rediss",
            "key_prefix": self.key_prefix}
        if parts.username:
            connection["username"] = parts.username
        if parts.password:
            connection["password"] = "${" + REDIS_PASSWORD_VARIABLE + "}"
        tracker: dict[str, object] = {"type": "redis", **connection}
        if self.tracker_ttl_seconds:  # whole seconds: redis-py refuses a float expiry
            tracker["record_exp"] = max(1, round(self.tracker_ttl_seconds))
        return {"tracker_store": tracker, "lock_store": {"type": "redis", **connection}}

    @property
    def password(self) -> str | None:
        return urlsplit(self.url).password


def write_endpoints(path: Path, action_server_url: str, tracker_db: str | None,
                    redis: RedisStores | None = None) -> Path:
    """`redis` replaces the SQLite tracker store `tracker_db` (and Rasa's in-memory locks)."""
    endpoints: dict[str, object] = {"action_endpoint": {
        "url": f"{action_server_url}/webhook",
        "headers": {"Authorization": "Bearer ${HUIFANG_ACTION_SERVER_TOKEN}"}}}
    if redis is not None:
        endpoints.update(redis.sections())
    elif tracker_db:
        Path(tracker_db).parent.mkdir(parents=True, exist_ok=True)
        endpoints["tracker_store"] = {"type": SQLITE_TRACKER_STORE, "dialect": "sqlite",
                                      "db": tracker_db}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path
