"""The gateway's database; blocking work from async code goes through
huifang.db.in_worker_thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, in_worker_thread, run_in_transaction, session_factory

T = TypeVar("T")


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_db_engine(url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)

    async def run(self, work: Callable[[Session], T]) -> T:
        return await in_worker_thread(self.sessions, work)

    def run_sync(self, work: Callable[[Session], T]) -> T:
        return run_in_transaction(self.sessions, work)

    def dispose(self) -> None:
        self.engine.dispose()
