"""Shared fixtures: databases on SQLite and PostgreSQL, and the real Rasa + action servers.

The suite does not run in dev mode: like production, every process it starts needs strong
secrets. Random ones for this test session are put in the environment here, before any
settings are read, so every Settings() and every child process gets them (tests that check a
refusal start their processes with an environment of their own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory
from huifang.app.model_build import build_all
from tests.support.databases import migrated
from tests.support.stack import RasaStack, rasa_stack_running
from tests.support.test_secrets import strong_secrets

DATABASE_KINDS = ["sqlite", "postgresql"]

for _name, _value in strong_secrets().items():
    os.environ.setdefault(_name, _value)
os.environ.pop("HUIFANG_DEV_MODE", None)


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


@pytest.fixture(scope="session")
def rasa_stack(trained_models: None, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[RasaStack]:
    """The real Rasa server and the real action server, on a migrated SQLite database."""
    with rasa_stack_running(tmp_path_factory.mktemp("rasa-stack")) as stack:
        yield stack
