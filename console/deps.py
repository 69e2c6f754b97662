"""Request-scoped dependencies: the database session and the clock (tests override `get_now`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session

from huifang.db.types import utcnow


def db_session(request: Request) -> Iterator[Session]:
    """One session per request; routes that change data commit it themselves."""
    with request.app.state.session_factory() as session:
        yield session


def get_now() -> datetime:
    return utcnow()
