"""The gateway under load: N concurrent simulated customers each take a whole survey through
the real gateway (`python -m bot` as its own process) → real Rasa → real action server.

- web chat: a turn is one `POST /webchat/{token}/messages` (the replies are its answer);
- Telegram: the gateway polls the fake Bot API server; a turn runs from the moment the user's
  update is queued in the fake server until the bot's next question (a message with a
  keyboard) or its closing thanks has reached the fake server. The fake server enforces the
  flood limits, so per-chat pacing is part of the measured latency.

Each conversation: the proactive start (`/internal/callbacks/{id}/send`, timed separately),
then 7 answers — the first by button, the rest typed. Prints turn latency p50/p95/p99 and
turns/s per concurrency level.

    .venv/bin/python -m bench.bench_gateway [--channel webchat|telegram|both]
        [--customers 1 10 30] [--think 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from huifang.app.model_build import build_all
from huifang.app.stack import python_module
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback, Channel, DeliveryStatus, Direction, Message
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import get_settings
from tests.support.fake_bot_api import FakeBotApi, FakeUser, SentMessage, serving
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack, rasa_stack_running

TYPED_ANSWERS = ["解决了", "5", "4分", "满分", "9", "没有"]
FIRST_BUTTON = "5"  # "5 非常满意"
CLOSING = "感谢"
INTERNAL_TOKEN = "bench-internal-token-0123456789"

_user_ids = itertools.count(5_000_001)


@dataclass
class Timings:
    starts: list[float] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _create_callbacks(database_url: str, channel: Channel, addresses: list[str], tag: str
                      ) -> tuple[list[int], list[str]]:
    """The new callbacks' ids and, per customer, what a turn is addressed to: the web-chat
    link token, or the Telegram address."""
    engine = create_db_engine(database_url)
    now = utcnow()
    tickets = [TicketIn(ticket_id=f"BG-{tag}-{i}", customer_id=f"bg-{tag}-{i}",
                        service_type="auto_repair", channel=channel, address=address,
                        closed_at=now - timedelta(days=1))
               for i, address in enumerate(addresses)]
    try:
        with session_scope(session_factory(engine)) as session:
            result = ingest(session, tickets, now)
            ids = session.scalars(select(Callback.id).order_by(Callback.id.desc())
                                  .limit(len(tickets)))
            keys = [result.chat_links[t.ticket_id].rsplit("/", 1)[1]
                    if channel == Channel.WEBCHAT else t.address or "" for t in tickets]
            return sorted(ids), keys
    finally:
        engine.dispose()


class Harness:
    def __init__(self, gateway_url: str, internal_url: str, fake: FakeBotApi | None) -> None:
        self.gateway_url = gateway_url
        self.internal_url = internal_url
        self.fake = fake
        self.http = httpx.AsyncClient(timeout=180, limits=httpx.Limits(max_connections=200))
        self._arrivals: dict[int, asyncio.Queue[SentMessage]] = {}
        if fake is not None:
            loop = asyncio.get_running_loop()
            fake.subscribe(lambda m: loop.call_soon_threadsafe(self._arrived, m))

    def _arrived(self, message: SentMessage) -> None:
        queue = self._arrivals.get(message.chat_id)
        if queue is not None:
            queue.put_nowait(message)

    async def start(self, callback_id: int) -> None:
        response = await self.http.post(
            f"{self.internal_url}/internal/callbacks/{callback_id}/send",
            json={"round": 1, "mode": "start"},
            headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"})
        if response.status_code != 200 or response.json()["status"] != "sent":
            raise RuntimeError(f"start of {callback_id}: {response.status_code} {response.text}")

    async def webchat(self, callback_id: int, address: str, think: float, t: Timings) -> None:
        began = time.perf_counter()
        await self.start(callback_id)
        t.starts.append(time.perf_counter() - began)
        history = (await self.http.get(
            f"{self.gateway_url}/webchat/{address}/messages")).json()
        button = next(b for b in history[-1]["buttons"] if b["title"].startswith(FIRST_BUTTON))
        bodies = [{"button": button["id"]}] + [{"text": a} for a in TYPED_ANSWERS]
        for body in bodies:
            await asyncio.sleep(think)
            began = time.perf_counter()
            response = await self.http.post(f"{self.gateway_url}/webchat/{address}/messages",
                                            json=body)
            response.raise_for_status()
            t.turns.append(time.perf_counter() - began)
        if CLOSING not in response.json()[-1]["text"]:
            t.failures.append(f"{address}: survey did not close")

    async def telegram(self, callback_id: int, user: FakeUser, think: float, t: Timings
                       ) -> None:
        assert self.fake is not None
        arrivals: asyncio.Queue[SentMessage] = asyncio.Queue()
        self._arrivals[user.id] = arrivals
        began = time.perf_counter()
        await self.start(callback_id)
        question = await self._next_question(arrivals)
        t.starts.append(time.perf_counter() - began)
        for step in range(1 + len(TYPED_ANSWERS)):
            await asyncio.sleep(think)
            began = time.perf_counter()
            if step == 0:
                self.fake.user_presses(user, question,
                                       question.button(FIRST_BUTTON)["callback_data"])
            else:
                self.fake.user_sends(user, TYPED_ANSWERS[step - 1])
            question = await self._next_question(arrivals)
            t.turns.append(time.perf_counter() - began)
        if CLOSING not in question.text:
            t.failures.append(f"chat {user.id}: survey did not close")

    @staticmethod
    async def _next_question(arrivals: asyncio.Queue[SentMessage]) -> SentMessage:
        while True:
            message = await asyncio.wait_for(arrivals.get(), timeout=180)
            if message.reply_markup or CLOSING in message.text:
                return message

    async def close(self) -> None:
        await self.http.aclose()


async def _level(harness: Harness, stack: RasaStack, channel: Channel, customers: int,
                 think: float) -> None:
    tag = f"{channel.value}-{customers}-{time.time_ns()}"
    if channel == Channel.WEBCHAT:
        addresses = [f"wc-{tag}-{i}" for i in range(customers)]
    else:
        assert harness.fake is not None
        users = [FakeUser(next(_user_ids), f"c{i}") for i in range(customers)]
        for user in users:
            harness.fake.add_user(user)
        addresses = [str(u.id) for u in users]
    ids, addresses = await asyncio.to_thread(_create_callbacks, stack.database_url, channel,
                                             addresses, tag)
    timings = Timings()
    rejected_before = len(harness.fake.rejected(429)) if harness.fake else 0
    began = time.perf_counter()
    if channel == Channel.WEBCHAT:
        runs = [harness.webchat(i, a, think, timings) for i, a in zip(ids, addresses)]
    else:
        runs = [harness.telegram(i, u, think, timings) for i, u in zip(ids, users)]
    results = await asyncio.gather(*runs, return_exceptions=True)
    elapsed = time.perf_counter() - began
    errors = [r for r in results if isinstance(r, BaseException)]
    undelivered = await _settled_undelivered(stack.database_url, ids)
    rejected = (len(harness.fake.rejected(429)) - rejected_before) if harness.fake else 0
    turns, starts = timings.turns or [math.nan], timings.starts or [math.nan]
    print(f"{channel.value:>8} · {customers:>3} customers (think {think:.1f} s): "
          f"{len(timings.turns)} turns in {elapsed:.1f} s → "
          f"{len(timings.turns) / elapsed:.1f} turns/s; "
          f"turn p50 {statistics.median(turns) * 1000:.0f} ms, "
          f"p95 {percentile(turns, .95) * 1000:.0f} ms, "
          f"p99 {percentile(turns, .99) * 1000:.0f} ms; "
          f"start p50 {statistics.median(starts) * 1000:.0f} ms; "
          f"429s {rejected}; undelivered {undelivered}; "
          f"errors {len(errors) + len(timings.failures)}", flush=True)
    for problem in [*map(repr, errors[:3]), *timings.failures[:3]]:
        print(f"    ! {problem}", flush=True)


async def _settled_undelivered(database_url: str, callback_ids: list[int],
                               patience: float = 10.0) -> int:
    """Outbound messages not marked sent (the last one's mark may trail its arrival a bit)."""
    deadline = time.monotonic() + patience
    while True:
        left = await asyncio.to_thread(_undelivered, database_url, callback_ids)
        if not left or time.monotonic() > deadline:
            return left
        await asyncio.sleep(0.2)


def _undelivered(database_url: str, callback_ids: list[int]) -> int:
    engine = create_db_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(Message).where(
                Message.callback_id.in_(callback_ids), Message.direction == Direction.OUTBOUND,
                Message.delivery != DeliveryStatus.SENT)) or 0)
    finally:
        engine.dispose()


async def _run(stack: RasaStack, gateway_url: str, internal_url: str, fake: FakeBotApi | None,
               channels: list[Channel], levels: list[int], think: dict[Channel, float]) -> None:
    harness = Harness(gateway_url, internal_url, fake)
    try:
        for channel in channels:
            for customers in levels:
                await _level(harness, stack, channel, customers, think[channel])
    finally:
        await harness.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channel", choices=["webchat", "telegram", "both"], default="both")
    parser.add_argument("--customers", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--think", type=float, default=None,
                        help="seconds a customer waits before answering (default: 0 for web "
                             "chat, 1.0 for Telegram, where per-chat pacing applies)")
    args = parser.parse_args(argv if argv is not None else [])
    channels = ([Channel.WEBCHAT, Channel.TELEGRAM] if args.channel == "both"
                else [Channel(args.channel)])
    think = {Channel.WEBCHAT: 0.0 if args.think is None else args.think,
             Channel.TELEGRAM: 1.0 if args.think is None else args.think}
    build_all()
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp, \
            gateway_running(Path(tmp)) as (stack, gateway_url, internal_url, telegram):
        asyncio.run(_run(stack, gateway_url, internal_url, telegram, channels,
                         args.customers, think))


def gateway_environment(stack: RasaStack, gateway_port: int, internal_url: str
                        ) -> dict[str, str]:
    """A benchmark gateway's settings: in front of `stack`, on 127.0.0.1:`gateway_port`."""
    return {
        "HUIFANG_RASA_URL": stack.rasa_url,
        "HUIFANG_RASA_TOKEN": stack.token,
        "HUIFANG_GATEWAY_HOST": "127.0.0.1",
        "HUIFANG_GATEWAY_PORT": str(gateway_port),
        "HUIFANG_GATEWAY_INTERNAL_URL": internal_url,
        # every simulated customer comes from this one address
        "HUIFANG_WEBCHAT_REQUESTS_PER_MINUTE_PER_CLIENT": "100000",
        "HUIFANG_INTERNAL_TOKEN": INTERNAL_TOKEN,
    }


@contextmanager
def gateway_running(tmp: Path, database: str = "sqlite", telegram: bool = True
                    ) -> Iterator[tuple[RasaStack, str, str, FakeBotApi | None]]:
    """The real gateway (`python -m bot`) in front of a real Rasa + action server on
    `database` ("sqlite" or "postgresql"), with the fake Telegram Bot API server unless
    `telegram` is off (web chat only: the fake server runs in this process, and its long
    polling would compete with the measuring): (stack, public URL, internal URL, fake Bot API
    or None)."""
    gateway_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    internal_url = f"http://127.0.0.1:{free_port()}"
    settings = get_settings().model_copy(update={"gateway_internal_url": internal_url})
    with rasa_stack_running(tmp, settings, database) as stack, \
            (serving() if telegram else nullcontext()) as fake:
        env = gateway_environment(stack, gateway_port, internal_url)
        if fake is not None:
            env.update(HUIFANG_TELEGRAM_TOKEN=fake.api.token,
                       HUIFANG_TELEGRAM_API_BASE_URL=fake.base_url)
        spec = python_module("gateway", "bot", stack.settings, f"{gateway_url}/health")
        with running(spec, tmp / "logs", env):
            yield stack, gateway_url, internal_url, fake.api if fake is not None else None


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
