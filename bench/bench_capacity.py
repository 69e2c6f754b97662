"""Capacity, open loop: customer turns arrive at a fixed offered rate (Poisson arrivals),
however slowly the answers come back, so a slow server shows as queueing delay instead of a
politely lower request rate. Three targets in one run:

- the anchor: the stock `rasa init` bot (DIET + TED + rules, in-memory tracker), trained in a
  temporary folder, REST channel;
- Huifang's Rasa + action server alone (our channel's webhook);
- Huifang's full web-chat path: gateway → inbox → Rasa → actions → database → reply;
the two Huifang targets on SQLite (the embedded default) and on PostgreSQL (a deployment).

Each conversation takes at most one turn at a time (a customer waits for the answer); an
arrival goes to an idle conversation. For each offered rate: turns, achieved rate, p50 / p95 /
p99, errors. The capacity is the highest offered rate with p95 ≤ 300 ms; the climb stops at the
first rate whose p95 passes 2 s (beyond it only the queue grows).

    .venv/bin/python -m bench capacity    (make bench runs it with the defaults below)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.bench_gateway import INTERNAL_TOKEN, _create_callbacks, gateway_running, percentile
from huifang.app.model_build import build_all
from huifang.app.stack import RASA_PYTHON, ProcessSpec
from huifang.db.models import Channel
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack

RATES = (5, 10, 20, 30, 40, 60)
SECONDS = 12.0
P95_GOAL = 0.300
SATURATED = 2.0
SEED = 15
# the embedded default, and a deployment's database (docs/deployment.md)
DATABASES = ("sqlite", "postgresql")
WARM_UP_CONVERSATIONS = 3
ANSWERS = ["5", "解决了", "4", "4分", "9", "没有"]  # read by whatever question is open
CLOSING = "感谢"
STOCK_MESSAGES = ["hello", "I am feeling great", "yes", "I am sad", "no", "goodbye"]

Send = Callable[[str], Awaitable[bool]]  # one turn; True when the conversation is over


@dataclass
class Conversation:
    send: Send
    messages: list[str]
    step: int = 0

    async def turn(self) -> bool:
        message = self.messages[self.step]
        self.step += 1
        return await self.send(message) or self.step >= len(self.messages)


@dataclass
class Level:
    rate: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    no_idle_conversation: int = 0
    elapsed: float = 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else math.inf

    def line(self, target: str) -> str:
        done = len(self.latencies)
        return (f"{target:<22} offered {self.rate:>4.0f}/s: {done:>4} turns, achieved "
                f"{done / self.elapsed:5.1f}/s, p50 {self.p(.5) * 1000:6.0f} ms, "
                f"p95 {self.p(.95) * 1000:6.0f} ms, p99 {self.p(.99) * 1000:6.0f} ms, "
                f"errors {self.errors + self.no_idle_conversation}")


async def offer(rate: float, seconds: float, conversations: list[Conversation],
                rng: random.Random) -> Level:
    """Poisson arrivals at `rate` for `seconds`; every arrival is one turn of an idle
    conversation. Returns once every turn has been answered."""
    level = Level(rate)
    idle = deque(conversations)

    async def one() -> None:
        if not idle:
            level.no_idle_conversation += 1
            return
        conversation = idle.popleft()
        began = time.perf_counter()
        try:
            over = await conversation.turn()
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError):
            level.errors += 1
            return
        level.latencies.append(time.perf_counter() - began)
        if not over:
            idle.append(conversation)

    began = time.perf_counter()
    at, tasks = 0.0, []
    while (at := at + rng.expovariate(rate)) < seconds:
        await asyncio.sleep(max(0.0, began + at - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    level.elapsed = time.perf_counter() - began
    return level


def conversations_needed(rate: float, seconds: float, turns_each: int) -> int:
    """Enough that an arrival always finds an idle one, even with every turn in flight."""
    return math.ceil(rate * seconds / turns_each * 1.5) + 20


Prepare = Callable[[int], Awaitable[list[Conversation]]]


async def climb(target: str, prepare: Prepare, rates: list[float], seconds: float
                ) -> float:
    """Offer each rate in turn; print a line per rate; return the capacity (0 if none)."""
    rng = random.Random(SEED)
    for warm_up in await prepare(WARM_UP_CONVERSATIONS):  # models and caches loaded, untimed
        while not await warm_up.turn():
            pass
    capacity = 0.0
    for rate in rates:
        conversations = await prepare(conversations_needed(rate, seconds, len(ANSWERS)))
        level = await offer(rate, seconds, conversations, rng)
        print(level.line(target), flush=True)
        if level.p(.95) <= P95_GOAL and not level.errors:
            capacity = rate
        if level.p(.95) > SATURATED:
            break
    print(f"{target:<22} capacity (p95 ≤ {P95_GOAL * 1000:.0f} ms): {capacity:.0f} turns/s",
          flush=True)
    return capacity


# --- the stock bot --------------------------------------------------------------------------

@contextmanager
def stock_bot_running(workdir: Path) -> Iterator[str]:
    """`rasa init` trained in `workdir`, served with its own credentials and endpoints (REST
    channel, in-memory tracker, no action server); the same TensorFlow thread settings as
    Huifang's Rasa."""
    rasa = str(Path(RASA_PYTHON).parent / "rasa")
    workdir.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run([rasa, "init", "--no-prompt", "--init-dir", str(workdir)], cwd=workdir,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"stock `rasa init` bot trained in {time.perf_counter() - started:.0f} s", flush=True)
    port = free_port()
    spec = ProcessSpec(
        "stock-rasa",
        [rasa, "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
         "--model", str(workdir / "models"), "--credentials", str(workdir / "credentials.yml"),
         "--endpoints", str(workdir / "endpoints.yml")],
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "TF_NUM_INTRAOP_THREADS": "1",
             "TF_NUM_INTEROP_THREADS": "1"},
        health_url=f"http://127.0.0.1:{port}/")
    with running(spec, workdir / "logs"):
        yield f"http://127.0.0.1:{port}"


def client() -> aiohttp.ClientSession:
    """The benchmark's HTTP client. It shares the two cores with the servers it measures, so
    it is the cheaper of the two clients at hand: aiohttp used about a quarter of httpx's CPU
    per request here (docs/performance.md)."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120),
                                 connector=aiohttp.TCPConnector(limit=500))


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any], *,
               params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
               answered: bool = False) -> Any:
    """POST `body` as JSON and return the answer's JSON; an error status raises, and so does
    any status but 200 when the turn must be `answered` (the web chat's 202: queued)."""
    async with http.post(url, json=body, params=params, headers=headers) as response:
        response.raise_for_status()
        if answered and response.status != 200:
            raise ValueError(f"{url} answered {response.status}")
        return await response.json(content_type=None)


def stock_prepare(http: aiohttp.ClientSession, url: str) -> Prepare:
    senders = iter(range(10**9))

    async def prepare(count: int) -> list[Conversation]:
        def conversation(sender: str) -> Conversation:
            async def send(text: str) -> bool:
                await post(http, f"{url}/webhooks/rest/webhook",
                           {"sender": sender, "message": text})
                return False
            return Conversation(send, STOCK_MESSAGES)
        return [conversation(f"stock-{next(senders)}") for _ in range(count)]

    return prepare


# --- Huifang --------------------------------------------------------------------------------

async def _callbacks(stack: RasaStack, count: int) -> tuple[list[int], list[str]]:
    tag = f"cap-{time.time_ns()}"
    return await asyncio.to_thread(_create_callbacks, stack.database_url, Channel.WEBCHAT,
                                   [f"{tag}-{i}" for i in range(count)], tag)


def _closes(replies: list[dict[str, str | None]]) -> bool:
    """The bot's replies end with the closing thanks."""
    return bool(replies) and CLOSING in (replies[-1].get("text") or "")


async def _bounded(coroutines: list[Awaitable[None]], limit: int = 4) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(c: Awaitable[None]) -> None:
        async with gate:
            await c
    await asyncio.gather(*(one(c) for c in coroutines))


def rasa_prepare(http: aiohttp.ClientSession, stack: RasaStack) -> Prepare:
    """Conversations started with trigger_intent (not timed), answered on our channel."""
    auth = {"Authorization": f"Bearer {stack.token}"}

    async def prepare(count: int) -> list[Conversation]:
        ids, _ = await _callbacks(stack, count)

        async def start(callback_id: int) -> None:
            await post(http,
                       f"{stack.rasa_url}/conversations/callback-{callback_id}/trigger_intent",
                       {"name": "EXTERNAL_start_callback"},
                       params={"output_channel": "collector", "token": stack.token})
        await _bounded([start(i) for i in ids])

        def conversation(callback_id: int) -> Conversation:
            async def send(text: str) -> bool:
                return _closes(await post(http, f"{stack.rasa_url}/webhooks/huifang/webhook",
                                          {"sender": f"callback-{callback_id}", "text": text},
                                          headers=auth))
            return Conversation(send, ANSWERS)
        return [conversation(i) for i in ids]

    return prepare


def webchat_prepare(http: aiohttp.ClientSession, stack: RasaStack, gateway_url: str,
                    internal_url: str) -> Prepare:
    """Conversations started through the gateway's internal API (not timed), answered on the
    public web-chat API exactly as the page does."""

    async def prepare(count: int) -> list[Conversation]:
        ids, tokens = await _callbacks(stack, count)

        async def start(callback_id: int) -> None:
            await post(http, f"{internal_url}/internal/callbacks/{callback_id}/send",
                       {"round": 1, "mode": "start"},
                       headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"})
        await _bounded([start(i) for i in ids])

        def conversation(token: str) -> Conversation:
            async def send(text: str) -> bool:
                return _closes(await post(http, f"{gateway_url}/webchat/{token}/messages",
                                          {"text": text}, answered=True))
            return Conversation(send, ANSWERS)
        return [conversation(t) for t in tokens]

    return prepare


async def _stock(rates: list[float], seconds: float, url: str) -> float:
    async with client() as http:
        return await climb("stock rasa init", stock_prepare(http, url), rates, seconds)


async def _huifang(rates: list[float], seconds: float, database: str, stack: RasaStack,
                   gateway_url: str, internal_url: str) -> dict[str, float]:
    async with client() as http:
        alone = await climb(f"huifang rasa+actions ({database})", rasa_prepare(http, stack),
                            rates, seconds)
        webchat = await climb(f"huifang web chat ({database})", webchat_prepare(
            http, stack, gateway_url, internal_url), rates, seconds)
    return {f"Rasa + actions alone, {database}": alone, f"full web-chat path, {database}": webchat}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=list(RATES))
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=list(DATABASES))
    args = parser.parse_args(argv if argv is not None else [])
    build_all()
    capacities: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp:
        with stock_bot_running(Path(tmp) / "stock") as stock_url:
            stock = asyncio.run(_stock(args.rates, args.seconds, stock_url))
        for database in args.databases:
            (Path(tmp) / database).mkdir()
            with gateway_running(Path(tmp) / database, database, telegram=False) as (
                    stack, gateway_url, internal_url, _):
                capacities.update(asyncio.run(_huifang(args.rates, args.seconds, database,
                                                       stack, gateway_url, internal_url)))
    for name, value in capacities.items():
        ratio = f"{value / stock:.2f}×" if stock else "n/a"
        print(f"capacity, {name}: {value:.0f} turns/s = {ratio} the stock bot's "
              f"({stock:.0f} turns/s, same run)", flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
