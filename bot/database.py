"""Blocking SQLAlchemy work from async code: one committed unit of work in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory, session_scope

T = TypeVar("T")


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_db_engine(url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)

    async def run(self, work: Callable[[Session], T]) -> T:
        return await asyncio.to_thread(self.run_sync, work)

    def run_sync(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.sessions) as session:
            return work(session)

    def dispose(self) -> None:
        self.engine.dispose()
