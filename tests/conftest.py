"""Shared fixtures: databases on SQLite and PostgreSQL, and the real Rasa + action servers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory
from huifang.model_build import build_all
from huifang.rasa_endpoints import write_endpoints
from huifang.settings import Settings, get_settings
from huifang.stack import action_server, rasa_server
from tests.support.databases import migrated
from tests.support.processes import free_port, running

DATABASE_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database — each test using it runs on SQLite and on PostgreSQL."""
    with migrated(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def trained_models() -> None:
    """Train the NLU/dialogue and complaint models if missing or stale (same code as `run`)."""
    build_all()


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


@pytest.fixture(scope="session")
def rasa_stack(trained_models: None, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[RasaStack]:
    """The real Rasa server and the real action server, on a migrated SQLite database."""
    workdir = tmp_path_factory.mktemp("rasa-stack")
    with migrated("sqlite", workdir) as url:
        settings = get_settings().model_copy(update={"database_url": url})
        action_port, rasa_port = free_port(), free_port()
        action_url = f"http://127.0.0.1:{action_port}"
        endpoints = write_endpoints(workdir / "endpoints.yml", action_url,
                                    str(workdir / "tracker.db"))
        with running(action_server(settings, action_port), workdir / "logs"), \
                running(rasa_server(settings, rasa_port, endpoints), workdir / "logs"):
            yield RasaStack(f"http://127.0.0.1:{rasa_port}", action_url, url, settings,
                            workdir / "logs")
