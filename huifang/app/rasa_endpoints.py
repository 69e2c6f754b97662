"""Write the Rasa endpoints file for a running stack from settings (action server URL and the
tracker store), so no secret or path is hard-coded in endpoints.yml. The action server's
token is not written either: Rasa reads it from its environment (HUIFANG_ACTION_SERVER_TOKEN,
huifang.app.stack) when it loads the file; nor is a Redis password (REDIS_PASSWORD_VARIABLE).

Tracker store: Redis with Rasa's RedisLockStore when a Redis URL is set — required when
several Rasa servers share conversations (docs/deployment.md, Scale-out) and the faster store
for one (docs/performance.md); otherwise the embedded SQLite file, one Rasa server only."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

REDIS_PASSWORD_VARIABLE = "HUIFANG_RASA_REDIS_PASSWORD"


def redis_stores(redis_url: str, key_prefix: str, tracker_ttl_seconds: float | None
                 ) -> dict[str, dict[str, object]]:
    """The tracker_store and lock_store sections for Redis at `redis_url`
    (redis://[:password@]host[:port][/db]); trackers expire `tracker_ttl_seconds` after their
    last turn (None: never)."""
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"not a redis:// URL: {parts.scheme}://{parts.hostname}")
    if not key_prefix.isalnum():
        raise ValueError("the Redis key prefix must be letters and digits only")
    connection: dict[str, object] = {
        "host": parts.hostname, "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0), "use_ssl": parts.scheme == "rediss",
        "key_prefix": key_prefix}
    if parts.username:
        connection["username"] = parts.username
    if parts.password:
        connection["password"] = "${" + REDIS_PASSWORD_VARIABLE + "}"
    tracker: dict[str, object] = {"type": "redis", **connection}
    if tracker_ttl_seconds:
        tracker["record_exp"] = tracker_ttl_seconds
    return {"tracker_store": tracker, "lock_store": {"type": "redis", **connection}}


def redis_password(redis_url: str | None) -> str | None:
    return urlsplit(redis_url).password if redis_url else None


def write_endpoints(path: Path, action_server_url: str, tracker_db: str | None,
                    redis_url: str | None = None, redis_key_prefix: str = "huifang",
                    tracker_ttl_seconds: float | None = None) -> Path:
    endpoints: dict[str, object] = {"action_endpoint": {
        "url": f"{action_server_url}/webhook",
        "headers": {"Authorization": "Bearer ${HUIFANG_ACTION_SERVER_TOKEN}"}}}
    if redis_url:
        endpoints.update(redis_stores(redis_url, redis_key_prefix, tracker_ttl_seconds))
    elif tracker_db:
        Path(tracker_db).parent.mkdir(parents=True, exist_ok=True)
        endpoints["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": tracker_db}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path
