"""Scheduler throughput on PostgreSQL: import 100,000 closed tickets through the intake API,
then dispatch 10,000 due callbacks through the real gateway (real Rasa + action server) into
the fake Telegram Bot API server.

Prints the import rate, the dispatch rate, the message rate Telegram saw against its ~30
messages/s limit (overall and peak over 5 s), the 429s the fake server answered, and any
customer who got the opening of the survey twice; then the dispatchers' own ceiling, the same
processes against the tests' gateway stand-in (no Rasa behind it). Sizes and worker counts can be changed:
BENCH_TICKETS, BENCH_DISPATCH, BENCH_WORKERS (dispatch processes besides the scheduler's own),
BENCH_CONCURRENCY (sends in flight per process), BENCH_INTAKE_BATCH (tickets per request),
BENCH_INTAKE_SENDERS (requests at a time).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from huifang.app.model_build import build_all
from huifang.db.types import utcnow
from tests.scheduler.gateway_standin import TOKEN as STANDIN_TOKEN
from tests.scheduler.gateway_standin import GatewayStandIn, serving
from tests.scheduler.live_stack import LiveStack, live_stack
from tests.support.processes import free_port

TELEGRAM_LIMIT = 30.0  # messages per second, overall
INTRO = "服务回访助手"
API_KEY = "bench-intake-key-0123456789abcdef"
console = Console()


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console)


def import_tickets(stack: LiveStack, api: str, count: int, batch: int, senders: int) -> float:
    """POST the tickets in batches, `senders` requests at a time; returns tickets per second."""
    _users, tickets = stack.customers(count, "BENCH")
    payloads = [[t.model_dump(mode="json") for t in tickets[i:i + batch]]
                for i in range(0, count, batch)]
    client = httpx.Client(timeout=600, headers={"X-API-Key": API_KEY},
                          limits=httpx.Limits(max_connections=senders))

    def post(payload: list[dict[str, object]]) -> int:
        response = client.post(f"{api}/api/tickets", json=payload)
        response.raise_for_status()
        created = len(response.json()["created"])
        assert created == len(payload), response.text[:300]
        return created

    started = time.perf_counter()
    with client, ThreadPoolExecutor(senders) as pool, _bar() as bar:
        task = bar.add_task("import (POST /api/tickets)", total=count, rate="")
        done = 0
        for created in pool.map(post, payloads):
            done += created
            bar.update(task, completed=done,
                       rate=f"{done / (time.perf_counter() - started):.0f} tickets/s")
    return count / (time.perf_counter() - started)


def _peak_rate(samples: list[tuple[float, int]], window: float) -> float:
    """The highest rate over any `window` seconds of (time, running count) samples."""
    best, first = 0.0, 0
    for t, count in samples:
        while samples[first + 1][0] <= t - window:
            first += 1
        t0, count0 = samples[first]
        if t - t0 >= window:
            best = max(best, (count - count0) / (t - t0))
    return best


def dispatch(stack: LiveStack, count: int) -> dict[str, float]:
    fake = stack.fake
    sent_before = len(fake.sent)
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    assert stack.make_due(count) == count
    with _bar() as bar:
        task = bar.add_task("dispatch → gateway → Telegram", total=count, rate="")
        while True:
            time.sleep(0.5)
            now = time.perf_counter()
            messages = len(fake.sent) - sent_before
            samples.append((now, messages))
            openings = sum(1 for m in list(fake.sent) if INTRO in m.text)
            bar.update(task, completed=openings,
                       rate=f"{messages / (now - started):.1f} msg/s")
            if openings >= count and stack.delivered_callbacks() >= count:
                break
    elapsed = time.perf_counter() - started
    messages = len(fake.sent) - sent_before
    peak = _peak_rate(samples, window=5.0) or messages / elapsed
    openings = Counter(m.chat_id for m in list(fake.sent) if INTRO in m.text)
    return {
        "elapsed": elapsed,
        "callbacks_per_s": count / elapsed,
        "messages": messages,
        "messages_per_s": messages / elapsed,
        "peak_messages_per_s": peak,
        "rejected_429": len(fake.rejected(429)),
        "duplicates": sum(1 for n in openings.values() if n > 1),
        "customers_reached": len(openings),
    }


def dispatch_ceiling(stack: LiveStack, count: int, processes: int, concurrency: int
                     ) -> tuple[float, int]:
    """The dispatcher's own ceiling: the same processes against the gateway stand-in of the
    tests (compare-and-set + record, no Rasa, no Telegram). Returns (callbacks/s, repeats)."""
    standin = GatewayStandIn(stack.settings.database_url, utcnow)
    with serving(standin.app()) as url:
        for n in range(processes):
            stack.start_dispatcher(f"ceiling-{n + 1}", concurrency=concurrency,
                                   HUIFANG_GATEWAY_INTERNAL_URL=url,
                                   HUIFANG_INTERNAL_TOKEN=STANDIN_TOKEN,
                                   HUIFANG_DISPATCH_INTERVAL_SECONDS="0.5")
        started = time.perf_counter()
        assert stack.make_due(count) == count
        with _bar() as bar:
            task = bar.add_task("dispatch → gateway stand-in", total=count, rate="")
            while len(standin.deliveries) < count:
                time.sleep(0.5)
                done = len(standin.deliveries)
                bar.update(task, completed=done,
                           rate=f"{done / (time.perf_counter() - started):.0f} callbacks/s")
        elapsed = time.perf_counter() - started
        stack.stop_processes()
    standin.close()
    return count / elapsed, len(standin.deliveries) - len(set(standin.delivered_ids()))


def main() -> None:
    tickets = _setting("BENCH_TICKETS", 100_000)
    due = _setting("BENCH_DISPATCH", 10_000)
    workers = _setting("BENCH_WORKERS", 1)
    concurrency = _setting("BENCH_CONCURRENCY", 8)
    batch = _setting("BENCH_INTAKE_BATCH", 1000)
    senders = _setting("BENCH_INTAKE_SENDERS", 4)
    build_all()
    with tempfile.TemporaryDirectory() as tmp, live_stack(Path(tmp)) as stack:
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        extra = {"HUIFANG_SCHEDULER_PORT": str(port), "HUIFANG_INTAKE_API_KEYS": f'["{API_KEY}"]',
                 "HUIFANG_DISPATCH_INTERVAL_SECONDS": "0.5"}
        stack.start_scheduler("scheduler", "--concurrency", str(concurrency),
                              health_url=f"{api}/health", **extra)
        for n in range(workers):
            stack.start_dispatcher(f"dispatch-{n + 1}", concurrency=concurrency,
                                   HUIFANG_DISPATCH_INTERVAL_SECONDS="0.5")
        import_rate = import_tickets(stack, api, tickets, batch, senders)
        result = dispatch(stack, due)
        stack.stop_processes()
        ceiling, repeats = dispatch_ceiling(stack, due, workers + 1, concurrency)
    console.print(f"import   : {tickets:,} tickets via the intake API in batches of {batch}, "
                  f"{senders} requests at a time: {import_rate:,.0f} tickets/s")
    console.print(f"dispatch : {due:,} callbacks by {workers + 1} dispatcher processes × "
                  f"{concurrency} in flight, in {result['elapsed']:.0f} s: "
                  f"{result['callbacks_per_s']:.1f} callbacks/s")
    console.print(f"telegram : {result['messages']:,.0f} messages, "
                  f"{result['messages_per_s']:.1f} msg/s overall "
                  f"({100 * result['messages_per_s'] / TELEGRAM_LIMIT:.0f}% of the ~30 msg/s "
                  f"limit), peak {result['peak_messages_per_s']:.1f} msg/s over 5 s")
    console.print(f"ceiling  : the same {workers + 1} dispatcher processes against the gateway "
                  f"stand-in (no Rasa): {ceiling:.0f} callbacks/s, {repeats} sent twice")
    console.print(f"safety   : {result['rejected_429']:.0f} answers 429, "
                  f"{result['duplicates']:.0f} customers with a duplicate opening, "
                  f"{result['customers_reached']:,.0f} of {due:,} customers reached")


if __name__ == "__main__":
    main()
