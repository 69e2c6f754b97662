from huifang.db.engine import create_db_engine, session_factory, session_scope

__all__ = ["create_db_engine", "session_factory", "session_scope"]
