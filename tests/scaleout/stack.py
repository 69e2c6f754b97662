"""The scale-out setup of docs/deployment.md ("Scale-out") as real processes, on one fresh
PostgreSQL database: N Rasa servers, each with its own action server, sharing Rasa's trackers
and locks in Redis under a key prefix of their own (deleted at the end); one gateway
(`python -m bot`) given all of them (HUIFANG_RASA_URLS) and talking to the fake Telegram Bot
API; dispatchers are started by the caller (`live.start_dispatcher`).

Which server handled a conversation is read from the servers' logs: they run with
LOG_LEVEL=DEBUG, where Rasa's lock store logs every conversation it issues a lock ticket for
(each message and each triggered intent; reading a tracker takes no lock)."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from huifang.app.stack import python_module
from huifang.db import create_db_engine, session_factory
from huifang.settings import get_settings
from tests.scheduler.live_stack import KnownChatsBotApi, LiveStack
from tests.support.fake_bot_api import serving
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack, rasa_pairs_running

REDIS_URL = "redis://127.0.0.1:6379/0"  # scripts/services.sh starts it
LOCK_TICKET = re.compile(r"Issuing ticket for conversation '([^']+)'")


def redis_cli(*args: str) -> str:
    done = subprocess.run(["redis-cli", "-u", REDIS_URL, *args], capture_output=True,
                          text=True, check=True, timeout=60)
    return done.stdout


def redis_keys(pattern: str) -> set[str]:
    return set(redis_cli("--scan", "--pattern", pattern).split())


def delete_redis_keys(prefix: str) -> None:
    keys = sorted(redis_keys(f"{prefix}:*"))
    for start in range(0, len(keys), 500):
        redis_cli("DEL", *keys[start:start + 500])


@dataclass
class ScaleOut:
    live: LiveStack  # the fake Telegram server, the database, the dispatchers, the checks
    rasas: list[RasaStack]
    key_prefix: str  # Rasa's Redis keys: <prefix>:tracker:<sender>, <prefix>:lock:<sender>
    _gateway: ExitStack = field(default_factory=ExitStack)

    @property
    def rasa_urls(self) -> list[str]:
        return [rasa.rasa_url for rasa in self.rasas]

    def start_gateway(self, name: str, rasa_urls: list[str]) -> None:
        """Run the gateway (process `name`), routing over `rasa_urls` in this order; one
        already running is stopped first (Telegram's updates have one reader at a time)."""
        self.stop_gateway()
        settings = self.live.settings
        spec = python_module(name, "bot", settings,
                             health_url=f"{settings.gateway_internal_url}/health")
        env = self.live.environment(HUIFANG_RASA_URLS=json.dumps(rasa_urls))
        self._gateway.enter_context(running(spec, self.live.log_dir, env))

    def stop_gateway(self) -> None:
        self._gateway.close()

    def log_marks(self) -> list[int]:
        """Where each Rasa server's log ends now (for `locked_conversations(since=…)`)."""
        return [rasa.rasa_log.stat().st_size for rasa in self.rasas]

    def locked_conversations(self, since: list[int] | None = None) -> list[set[str]]:
        """For each Rasa server, the conversations it processed something of (after `since`)."""
        found = []
        for number, rasa in enumerate(self.rasas):
            with rasa.rasa_log.open("rb") as log:
                log.seek(since[number] if since else 0)
                found.append(set(LOCK_TICKET.findall(log.read().decode("utf-8", "replace"))))
        return found

    def tracker(self, server: int, sender: str) -> dict[str, Any]:
        """The conversation's tracker as Rasa server `server` reads it (HTTP API)."""
        rasa = self.rasas[server]
        response = httpx.get(f"{rasa.rasa_url}/conversations/{sender}/tracker",
                             params={"token": rasa.token}, timeout=30)
        response.raise_for_status()
        return response.json()

    def redis_keys(self, kind: str) -> set[str]:
        """Rasa's keys of this stack of one kind ("tracker", "lock")."""
        return redis_keys(f"{self.key_prefix}:{kind}:*")


@contextmanager
def scale_out_stack(workdir: Path, servers: int = 2) -> Iterator[ScaleOut]:
    prefix = f"t{uuid.uuid4().hex}"
    settings = get_settings().model_copy(update={
        "gateway_internal_url": f"http://127.0.0.1:{free_port()}",
        "gateway_port": free_port(),
        "redis_url": REDIS_URL, "redis_key_prefix": prefix,
        "rasa_tracker_ttl_hours": 1.0,  # gone soon even if the clean-up below cannot run
    })
    try:
        with serving(KnownChatsBotApi()) as telegram, \
                rasa_pairs_running(workdir, settings, servers, rasa_log_level="DEBUG") as rasas:
            engine = create_db_engine(rasas[0].database_url)
            live = LiveStack(rasas[0].settings, telegram, workdir / "logs",
                             session_factory(engine))
            stack = ScaleOut(live, rasas, prefix)
            try:
                stack.start_gateway("gateway", stack.rasa_urls)
                yield stack
            finally:
                live.stop_processes()
                stack.stop_gateway()
                engine.dispose()
    finally:
        delete_redis_keys(prefix)
