"""The real Rasa server + action server on a fresh SQLite database, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from huifang.rasa_endpoints import write_endpoints
from huifang.settings import Settings, get_settings
from huifang.stack import action_server, rasa_server
from tests.support.databases import migrated
from tests.support.processes import free_port, running


@dataclass(frozen=True)
class RasaStack:
    rasa_url: str
    action_url: str
    database_url: str
    settings: Settings
    log_dir: Path

    @property
    def token(self) -> str:
        return self.settings.rasa_token.get_secret_value()


@contextmanager
def rasa_stack_running(workdir: Path, settings: Settings | None = None) -> Iterator[RasaStack]:
    with migrated("sqlite", workdir) as url:
        settings = (settings or get_settings()).model_copy(update={"database_url": url})
        action_port, rasa_port = free_port(), free_port()
        action_url = f"http://127.0.0.1:{action_port}"
        endpoints = write_endpoints(workdir / "endpoints.yml", action_url,
                                    str(workdir / "tracker.db"))
        logs = workdir / "logs"
        env = {"HUIFANG_GATEWAY_URL": settings.gateway_url}
        with running(action_server(settings, action_port), logs, env), \
                running(rasa_server(settings, rasa_port, endpoints), logs):
            yield RasaStack(f"http://127.0.0.1:{rasa_port}", action_url, url, settings, logs)
