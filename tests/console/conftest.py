"""Fixtures of the console tests: databases on SQLite and PostgreSQL, the fixed data set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory
from tests.console.console_support import (
    Dataset,
    add_standard_users,
    build_app,
    load_dataset,
)
from tests.support.databases import migrated


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def console_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[str]:
    """A migrated database on each backend, shared by the tests of one module."""
    with migrated(request.param, tmp_path_factory.mktemp("console")) as url:
        yield url


@pytest.fixture(scope="module")
def console_engine(console_db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(console_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def console_factory(console_engine: Engine) -> sessionmaker[Session]:
    return session_factory(console_engine)


@pytest.fixture
def sqlite_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A per-test SQLite database for tests that change data."""
    with migrated("sqlite", tmp_path) as url:
        engine = create_db_engine(url)
        yield session_factory(engine)
        engine.dispose()


@pytest.fixture(scope="module")
def report_dataset(console_factory: sessionmaker[Session]) -> Dataset:
    with console_factory() as session:
        data = load_dataset(session)
        add_standard_users(session)
        session.commit()
    return data


@pytest.fixture(scope="module")
def dataset_app(console_factory: sessionmaker[Session], report_dataset: Dataset) -> FastAPI:
    """The console over the fixed data set (read-only tests), on both backends."""
    return build_app(console_factory)


@pytest.fixture
def client(dataset_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(dataset_app) as test_client:
        yield test_client


@pytest.fixture
def fresh(sqlite_factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, Dataset]]:
    """A client over its own copy of the data set, for tests that change data."""
    with sqlite_factory() as session:
        data = load_dataset(session)
        add_standard_users(session)
        session.commit()
    with TestClient(build_app(sqlite_factory)) as test_client:
        yield test_client, data
