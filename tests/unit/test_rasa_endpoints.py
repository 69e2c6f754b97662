"""Rasa's endpoints file: SQLite tracker store by default, Redis tracker + lock store when a
Redis URL is set, never a password in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from huifang.app.rasa_endpoints import (
    REDIS_PASSWORD_VARIABLE,
    SQLITE_TRACKER_STORE,
    RedisStores,
    write_endpoints,
)
from huifang.app.stack import rasa_server
from huifang.settings import Settings

SETTINGS = Settings(_env_file=None, rasa_token=SecretStr("t" * 32))


def _written(tmp_path: Path, redis: RedisStores | None) -> dict[str, dict[str, object]]:
    path = write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:5055",
                           str(tmp_path / "tracker.db"), redis)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_without_redis_the_sqlite_tracker_store_stays(tmp_path: Path) -> None:
    assert RedisStores.of(SETTINGS) is None
    written = _written(tmp_path, RedisStores.of(SETTINGS))
    assert written["tracker_store"]["type"] == SQLITE_TRACKER_STORE
    assert "lock_store" not in written


def test_redis_holds_trackers_and_locks(tmp_path: Path) -> None:
    settings = SETTINGS.model_copy(update={"redis_url": "redis://cache.local:6380/2",
                                           "redis_key_prefix": "hf1"})
    written = _written(tmp_path, RedisStores.of(settings))
    tracker, lock = written["tracker_store"], written["lock_store"]
    assert tracker["type"] == "redis" and lock["type"] == "redis"
    for section in (tracker, lock):
        assert (section["url"], section["port"], section["db"], section["key_prefix"]) == (
            "cache.local", 6380, 2, "hf1")
    assert tracker["record_exp"] == settings.rasa_tracker_ttl_hours * 3600
    # whole seconds: given a float, redis-py refuses the expiry and Rasa silently keeps the
    # trackers in memory instead (each server its own: nothing shared)
    assert type(tracker["record_exp"]) is int


def test_the_redis_password_stays_out_of_the_file(tmp_path: Path) -> None:
    url = "redis://:s3cret-pass@127.0.0.1:6379/0"
    path = tmp_path / "endpoints.yml"
    write_endpoints(path, "http://127.0.0.1:5055", None, RedisStores(url))
    assert "s3cret-pass" not in path.read_text(encoding="utf-8")
    assert f"${{{REDIS_PASSWORD_VARIABLE}}}" in path.read_text(encoding="utf-8")
    spec = rasa_server(SETTINGS.model_copy(update={"redis_url": url}), 5005, path)
    assert spec.env[REDIS_PASSWORD_VARIABLE] == "s3cret-pass"
    assert not any("s3cret-pass" in arg for arg in spec.argv)


@pytest.mark.parametrize("stores", [RedisStores("http://127.0.0.1:6379"),
                                    RedisStores("redis://127.0.0.1", key_prefix="no-dash")])
def test_a_wrong_redis_setting_is_refused(tmp_path: Path, stores: RedisStores) -> None:
    with pytest.raises(ValueError):
        _written(tmp_path, stores)
