"""Throw-away databases for tests: a migrated SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from huifang.db import create_db_engine
from huifang.db.migrate import upgrade

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / f'huifang-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"huifang_test_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated(kind: str, directory: Path) -> Iterator[str]:
    """A database of the given kind ("sqlite" or "postgresql") at the newest migration."""
    if kind == "sqlite":
        url = sqlite_url(directory)
        upgrade(url)
        yield url
        return
    with postgres_database() as url:
        upgrade(url)
        yield url
