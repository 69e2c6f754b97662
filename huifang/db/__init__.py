from huifang.db.engine import (
    create_db_engine,
    in_worker_thread,
    run_in_transaction,
    session_factory,
    session_scope,
)

__all__ = ["create_db_engine", "in_worker_thread", "run_in_transaction", "session_factory",
           "session_scope"]
