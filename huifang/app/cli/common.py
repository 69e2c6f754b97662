"""What every CLI command shares: settings, a database session factory, a console."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory
from huifang.settings import get_settings

console = Console()
errors = Console(stderr=True)


@lru_cache
def sessions() -> sessionmaker[Session]:
    return session_factory(create_db_engine(get_settings().database_url))
