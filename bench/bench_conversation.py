"""Rasa + action server throughput for whole survey conversations (no gateway in between):
proactive start latency (trigger_intent) and customer turn latency at several concurrencies."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from huifang.app.model_build import build_all
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from tests.support.stack import RasaStack, rasa_stack_running

ANSWERS = ["非常满意", "解决了", "5", "4分", "满分", "9", "没有"]
LEVELS = [(1, 40), (10, 40), (20, 60)]  # (concurrent customers, conversations)


def _create_callbacks(stack: RasaStack, count: int, tag: str) -> list[int]:
    sessions = session_factory(create_db_engine(stack.database_url))
    now = utcnow()
    tickets = [TicketIn(ticket_id=f"B-{tag}-{i}", customer_id=f"bc-{tag}-{i}",
                        service_type="auto_repair", closed_at=now - timedelta(days=1))
               for i in range(count)]
    with session_scope(sessions) as session:
        ingest(session, tickets, now)
        return [c.id for c in session.scalars(select(Callback).order_by(Callback.id))][-count:]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _conversation(client: httpx.AsyncClient, stack: RasaStack, callback_id: int,
                        starts: list[float], turns: list[float]) -> None:
    sender = f"callback-{callback_id}"
    started = time.perf_counter()
    response = await client.post(
        f"{stack.rasa_url}/conversations/{sender}/trigger_intent",
        params={"output_channel": "collector", "token": stack.token},
        json={"name": "EXTERNAL_start_callback"})
    response.raise_for_status()
    starts.append(time.perf_counter() - started)
    for answer in ANSWERS:
        started = time.perf_counter()
        response = await client.post(f"{stack.rasa_url}/webhooks/huifang/webhook",
                                     json={"sender": sender, "text": answer},
                                     headers={"Authorization": f"Bearer {stack.token}"})
        response.raise_for_status()
        turns.append(time.perf_counter() - started)


async def _level(stack: RasaStack, concurrency: int, count: int) -> None:
    ids = _create_callbacks(stack, count, f"{concurrency}x{count}")
    starts: list[float] = []
    turns: list[float] = []
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=120) as client:
        async def one(callback_id: int) -> None:
            async with limit:
                await _conversation(client, stack, callback_id, starts, turns)

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in ids))
        elapsed = time.perf_counter() - began
    print(f"concurrency {concurrency:>2}: {count} conversations, {len(turns)} turns in "
          f"{elapsed:.1f} s → {len(turns) / elapsed:.1f} turns/s; turn latency "
          f"p50 {statistics.median(turns) * 1000:.0f} ms, p95 {percentile(turns, .95) * 1000:.0f} ms,"
          f" p99 {percentile(turns, .99) * 1000:.0f} ms; start (trigger_intent) p50 "
          f"{statistics.median(starts) * 1000:.0f} ms", flush=True)


def main() -> None:
    build_all()
    with tempfile.TemporaryDirectory() as workdir, rasa_stack_running(Path(workdir)) as stack:
        for concurrency, count in LEVELS:
            asyncio.run(_level(stack, concurrency, count))


if __name__ == "__main__":
    main()
