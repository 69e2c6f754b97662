"""The real Rasa server + action server on a fresh database, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from huifang.app.rasa_endpoints import write_endpoints
from huifang.settings import Settings, get_settings
from huifang.app.stack import action_server, rasa_server
from tests.support.databases import migrated
from tests.support.processes import free_port, running_together


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
def rasa_stack_running(workdir: Path, settings: Settings | None = None,
                       database: str = "sqlite") -> Iterator[RasaStack]:
    """`database` is "sqlite" or "postgresql"; the stack's settings (database and Rasa URL
    filled in) are what the other processes of a test should be given."""
    with migrated(database, workdir) as url:
        action_port, rasa_port = free_port(), free_port()
        rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
        settings = (settings or get_settings()).model_copy(
            update={"database_url": url, "rasa_url": rasa_url})
        endpoints = write_endpoints(workdir / "endpoints.yml", action_url,
                                    str(workdir / "tracker.db"))
        logs = workdir / "logs"
        with running_together([action_server(settings, action_port),
                               rasa_server(settings, rasa_port, endpoints)], logs):
            yield RasaStack(rasa_url, action_url, url, settings, logs)


# The shared stacks' Rasa token: the gateways under test are configured with it
# (tests.gateway.support.gateway_settings); their internal token is the session's own
# (get_settings(): tests/conftest.py puts strong random secrets in the environment).
SHARED_RASA_TOKEN = "shared-stack-rasa-token-0123456789"


@dataclass
class SharedStacks:
    """One Rasa + action server pair per database backend, started on first use."""

    workdir: Path
    settings: Settings
    _exits: ExitStack
    _running: dict[str, RasaStack] = field(default_factory=dict)

    def get(self, database: str) -> RasaStack:
        if database not in self._running:
            (self.workdir / database).mkdir(parents=True, exist_ok=True)
            self._running[database] = self._exits.enter_context(rasa_stack_running(
                self.workdir / database, self.settings, database))
        return self._running[database]


@contextmanager
def shared_rasa_stacks(workdir: Path, gateway_port: int) -> Iterator[SharedStacks]:
    settings = get_settings().model_copy(update={
        "gateway_internal_url": f"http://127.0.0.1:{gateway_port}",
        "rasa_token": SecretStr(SHARED_RASA_TOKEN),
    })
    with ExitStack() as exits:
        yield SharedStacks(workdir, settings, exits)
