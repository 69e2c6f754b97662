"""The real Rasa server + action server on a fresh database, for tests and benchmarks; or
several such pairs sharing Rasa's trackers and locks in Redis (the scale-out setup)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import SecretStr

from huifang.app.rasa_endpoints import RedisStores, write_endpoints
from huifang.settings import Settings, get_settings
from huifang.app.stack import ProcessSpec, action_server, rasa_server
from tests.support.databases import migrated
from tests.support.processes import free_port, running_together


@dataclass(frozen=True)
class RasaStack:
    rasa_url: str
    action_url: str
    database_url: str
    settings: Settings
    log_dir: Path
    name: str = "rasa"  # the Rasa server's process: its log is log_dir/<name>.log

    @property
    def token(self) -> str:
        return self.settings.rasa_token.get_secret_value()

    @property
    def rasa_log(self) -> Path:
        return self.log_dir / f"{self.name}.log"


@contextmanager
def rasa_stack_running(workdir: Path, settings: Settings | None = None,
                       database: str = "sqlite") -> Iterator[RasaStack]:
    """`database` is "sqlite" or "postgresql"; the stack's settings (database and Rasa URL
    filled in) are what the other processes of a test should be given. Rasa's trackers go to
    the settings' Redis when they name one (the benchmarks' deployment runs), else to SQLite."""
    with migrated(database, workdir) as url:
        action_port, rasa_port = free_port(), free_port()
        rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
        settings = (settings or get_settings()).model_copy(
            update={"database_url": url, "rasa_url": rasa_url})
        endpoints = write_endpoints(workdir / "endpoints.yml", action_url,
                                    str(workdir / "tracker.db"), RedisStores.of(settings))
        logs = workdir / "logs"
        with running_together([action_server(settings, action_port),
                               rasa_server(settings, rasa_port, endpoints)], logs):
            yield RasaStack(rasa_url, action_url, url, settings, logs)


def _numbered(spec: ProcessSpec, number: int, **env: str) -> ProcessSpec:
    """`spec` as process <name>-<number> (its own log file), with `env` added."""
    return replace(spec, name=f"{spec.name}-{number}", env={**spec.env, **env})


@contextmanager
def rasa_pairs_running(workdir: Path, settings: Settings, count: int,
                       database: str = "postgresql", rasa_log_level: str | None = None
                       ) -> Iterator[list[RasaStack]]:
    """`count` Rasa + action server pairs on one fresh database, sharing Rasa's trackers and
    locks in the Redis of `settings` (redis_url, redis_key_prefix): docs/deployment.md,
    Scale-out. Each Rasa server calls its own action server; all start together (the model
    loads overlap). Each stack's settings name its own server (rasa_url) and all of them
    (rasa_urls: what a gateway is given); its processes are rasa-<n> and actions-<n>.
    `rasa_log_level` is Rasa's LOG_LEVEL (e.g. DEBUG: every conversation lock is logged)."""
    redis = RedisStores.of(settings)
    if redis is None:
        raise ValueError("several Rasa servers share conversations only through Redis")
    log_env = {"LOG_LEVEL": rasa_log_level} if rasa_log_level else {}
    with migrated(database, workdir) as url:
        rasa_ports = [free_port() for _ in range(count)]
        rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
        shared = settings.model_copy(update={"database_url": url, "rasa_urls": rasa_urls})
        logs = workdir / "logs"
        specs: list[ProcessSpec] = []
        stacks: list[RasaStack] = []
        for number, (rasa_port, rasa_url) in enumerate(zip(rasa_ports, rasa_urls)):
            action_port = free_port()
            action_url = f"http://127.0.0.1:{action_port}"
            endpoints = write_endpoints(workdir / f"endpoints-{number}.yml", action_url, None,
                                        redis)
            mine = shared.model_copy(update={"rasa_url": rasa_url})
            specs += [_numbered(action_server(mine, action_port), number),
                      _numbered(rasa_server(mine, rasa_port, endpoints), number, **log_env)]
            stacks.append(RasaStack(rasa_url, action_url, url, mine, logs, f"rasa-{number}"))
        with running_together(specs, logs):
            yield stacks


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
