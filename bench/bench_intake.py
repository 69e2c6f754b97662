"""Intake throughput: closed tickets through the intake API (`python -m scheduler`, its own
process) on PostgreSQL and SQLite, plus the SQL statements one batch costs (counted in process
on the same code path, huifang.intake.ingest).

    .venv/bin/python -m bench.bench_intake [--tickets 20000] [--batch 1000] [--senders 2]
        [--database postgresql sqlite]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import event

from huifang.app.stack import python_module
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Channel
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import get_settings
from tests.support.databases import migrated
from tests.support.processes import free_port, running

API_KEY = "bench-intake-key-0123456789abcdef"
CHANNELS = (Channel.WEBCHAT, Channel.TELEGRAM)


def tickets(count: int, tag: str) -> list[TicketIn]:
    """Half web chat, half Telegram (with an address for every other one), some customers
    with two tickets: the shapes the intake meets."""
    closed = utcnow() - timedelta(hours=1)
    return [TicketIn(ticket_id=f"{tag}-{i}", customer_id=f"{tag}-c{i - i % 3 // 2}",
                     service_type="auto_repair", agent="李师傅", branch="朝阳店",
                     channel=CHANNELS[i % 2],
                     address=str(9_000_000 + i) if i % 4 == 1 else None, closed_at=closed)
            for i in range(count)]


def statements_per_ticket(database_url: str, batch: int) -> float:
    engine = create_db_engine(database_url)
    counted = [0]
    event.listen(engine, "before_cursor_execute",
                 lambda *_: counted.__setitem__(0, counted[0] + 1))
    try:
        with session_scope(session_factory(engine)) as session:
            ingest(session, tickets(batch, f"count-{time.time_ns()}"), utcnow())
    finally:
        engine.dispose()
    return counted[0] / batch


@contextmanager
def intake_api(database_url: str, workdir: Path) -> Iterator[str]:
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    settings = get_settings().model_copy(update={"database_url": database_url})
    spec = python_module("scheduler", "scheduler", settings, health_url=f"{api}/health")
    env = {"HUIFANG_SCHEDULER_PORT": str(port), "HUIFANG_INTAKE_API_KEYS": f'["{API_KEY}"]',
           # intake only: nothing is due (tickets closed an hour ago, sent a day later)
           "HUIFANG_DISPATCH_INTERVAL_SECONDS": "3600"}
    with running(spec, workdir / "logs", env):
        yield api


def import_rate(api: str, count: int, batch: int, senders: int) -> float:
    items = tickets(count, f"api-{time.time_ns()}")
    payloads = [[t.model_dump(mode="json") for t in items[i:i + batch]]
                for i in range(0, count, batch)]
    with httpx.Client(timeout=600, headers={"X-API-Key": API_KEY},
                      limits=httpx.Limits(max_connections=senders)) as client:
        def post(payload: list[dict[str, object]]) -> None:
            response = client.post(f"{api}/api/tickets", json=payload)
            response.raise_for_status()
            assert len(response.json()["created"]) == len(payload), response.text[:300]

        began = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(post, payloads))
        return count / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--database", nargs="+", default=["postgresql", "sqlite"])
    args = parser.parse_args(argv or [])
    for database in args.database:
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, \
                migrated(database, Path(tmp)) as url:
            per_ticket = statements_per_ticket(url, args.batch)
            # SQLite takes one writer at a time: concurrent batches only queue (or time out)
            senders = 1 if database == "sqlite" else args.senders
            with intake_api(url, Path(tmp)) as api:
                rate = import_rate(api, args.tickets, args.batch, senders)
        print(f"intake · {database:<10}: {args.tickets:,} tickets through the API in batches "
              f"of {args.batch}, {senders} requests at a time: {rate:,.0f} tickets/s; "
              f"{per_ticket:.2f} SQL statements per ticket", flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
