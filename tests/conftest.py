"""Shared fixtures: databases on SQLite and PostgreSQL, and the real Rasa + action servers.

The Rasa server + action server pair is the slowest thing the suite starts (~30 s), so one pair
per database backend serves the whole session of each test process (`make test` runs two,
pytest-xdist; `shared_stacks`, started on first use): the
conversation tests' `rasa_stack`, the gateway and conversation-suite tests' `gateway_stack`,
the console's end-to-end tests and `tests/scheduler/live_stack.py` are views of it. Their
actions call the gateway's internal API on `gateway_port`, where the test that needs it runs a
gateway (one at a time: a fixture running one there is module-scoped at most); each test brings
its own customers and tickets and must not assume the database is empty. Tests that kill or
restart Rasa or the action server start their own.

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

from huifang.app.model_build import build_all, build_complaint_model
from huifang.db import create_db_engine, session_factory
from tests.scheduler.live_stack import use_shared_rasa
from tests.support.databases import migrated
from tests.support.processes import free_port
from tests.support.stack import RasaStack, SharedStacks, shared_rasa_stacks
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
def complaint_model() -> None:
    """Only the complaint classifier, for tests that need no Rasa (e.g. the actions called
    directly)."""
    build_complaint_model()


@pytest.fixture(scope="session")
def gateway_port() -> int:
    """Where the shared stacks' actions reach the gateway's internal API."""
    return free_port()


@pytest.fixture(scope="session")
def shared_stacks(trained_models: None, gateway_port: int,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedStacks]:
    with shared_rasa_stacks(tmp_path_factory.mktemp("shared-stacks"), gateway_port) as stacks:
        yield stacks


@pytest.fixture(scope="session")
def rasa_stack(shared_stacks: SharedStacks) -> RasaStack:
    """The real Rasa server and the real action server, on a migrated SQLite database."""
    return shared_stacks.get("sqlite")


@pytest.fixture(scope="session")
def gateway_stack(shared_stacks: SharedStacks) -> RasaStack:
    """The same stack, for tests that run a gateway on `gateway_port` for its actions to call."""
    return shared_stacks.get("sqlite")


@pytest.fixture(scope="session", autouse=True)
def _live_stacks_share_rasa(request: pytest.FixtureRequest) -> None:
    """tests/scheduler/live_stack.py's `live_stack()` runs on the shared PostgreSQL stack (only
    started when a test calls it)."""
    use_shared_rasa(lambda: request.getfixturevalue("shared_stacks").get("postgresql"))


# Fixtures that need the trained Rasa model and the Rasa virtualenv: a test using any of them
# is marked `rasa` (`make test-fast` runs everything else: `pytest -m "not rasa"`).
RASA_FIXTURES = {"trained_models", "shared_stacks", "rasa_stack", "gateway_stack"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if RASA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.rasa)
