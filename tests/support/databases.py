"""Throw-away databases for tests: a migrated SQLite file, or a fresh PostgreSQL database.

Migrating costs 0.1–0.3 s and a thousand tests want a migrated database, so each process
migrates one template per kind and copies it: SQLite through its backup API, PostgreSQL with
`CREATE DATABASE … TEMPLATE`."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text

from huifang.db import create_db_engine
from huifang.db.migrate import upgrade

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / f'huifang-{uuid.uuid4().hex[:8]}.db'}"


@cache
def _admin() -> Engine:
    """One connection pool to the admin database for every CREATE and DROP of this process."""
    engine = create_db_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    atexit.register(engine.dispose)
    return engine


def _admin_execute(statement: str) -> None:
    with _admin().connect() as connection:
        connection.execute(text(statement))


def _database_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    name = f"huifang_test_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _database_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@cache
def _sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="huifang-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@cache
def _postgres_template() -> str:
    """A migrated database nobody connects to (PostgreSQL copies only an idle template)."""
    name = f"huifang_template_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    atexit.register(_admin_execute, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    upgrade(_database_url(name))
    return name


@contextmanager
def migrated(kind: str, directory: Path) -> Iterator[str]:
    """A database of the given kind ("sqlite" or "postgresql") at the newest migration."""
    if kind == "sqlite":
        url = sqlite_url(directory)
        with closing(sqlite3.connect(_sqlite_template())) as source, \
                closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as target:
            source.backup(target)
        yield url
        return
    with postgres_database(_postgres_template()) as url:
        yield url
