"""One run of the fault-injection harness: the stack on a private PostgreSQL cluster under the
supervisor, a campaign of callbacks made due over the run's window, simulated customers on
both channels, faults injected at seeded random points, a quiet period, then the verdict."""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from huifang.app.rasa_endpoints import write_endpoints
from huifang.app.stack import action_server, python_module, rasa_server
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.migrate import upgrade
from huifang.db.models import Callback, Channel, Direction, InboxItem, InboxStatus, Message, Ticket
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings
from tests.chaos.customers import Line, TelegramLine, WebChatLine, converse, plan
from tests.chaos.ledger import Ledger
from tests.chaos.postgres import PrivateCluster, private_cluster
from tests.chaos.slow_proxy import SlowProxy, slow_proxy
from tests.chaos.supervisor import Supervisor
from tests.chaos.verdict import STUCK, Verdict, judge
from tests.chaos.webchat_client import WebChatClient
from tests.scheduler.live_stack import KnownChatsBotApi
from tests.support.fake_bot_api import FakeUser, RunningFakeBotApi, serving
from tests.support.processes import free_port
from tests.support.test_secrets import strong_secrets

PROCESSES = ["actions", "rasa", "gateway", "scheduler", "console"]
SUPERVISORS_CHAT = -1009876543210
FIRST_CHAT_ID = 810_000_001
RASA_TIMEOUT = 20.0  # the gateway's read timeout for Rasa in the run (a busy machine's turns
# take seconds: shorter, and every turn times out)
SLOW_DELAY = RASA_TIMEOUT + 5  # how long the slow proxy holds Rasa's answers …
SLOW_SPELL = 15.0  # … that start coming back within this many seconds


@dataclass(frozen=True)
class RunPlan:
    callbacks: int
    window: float  # seconds: callbacks fall due in its first 60 %, faults in [10 %, 75 %]
    tail: float  # seconds after the window customers may still finish
    quiet: float  # at most this long for the system to catch up before the verdict
    kills_per_process: int
    late_seconds: float  # how long a late customer waits before one answer
    telegram_share: float = 0.4


REDUCED = RunPlan(callbacks=40, window=75, tail=45, quiet=120, kills_per_process=1,
                  late_seconds=20)
FULL = RunPlan(callbacks=500, window=600, tail=120, quiet=180, kills_per_process=2,
               late_seconds=60)


@dataclass(frozen=True)
class Fault:
    at: float  # seconds after the window started
    kind: str  # "kill", "restart_postgres", "slow_rasa"
    target: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.target}".strip()


@dataclass
class Outcome:
    verdict: Verdict
    faults: list[Fault]
    restarts: dict[str, int]

    def summary(self) -> str:
        v = self.verdict
        kinds = Counter(str(f) for f in self.faults)
        detail = ", ".join(f"{name} ×{n}" for name, n in sorted(kinds.items()))
        return (f"chaos: faults injected {len(self.faults)} ({detail}), callbacks {v.callbacks}, "
                f"answers {v.answers}, lost {len(v.lost)}, duplicated {len(v.duplicated)}"
                f" (sent twice {len(v.sent_twice)}, unsettled {len(v.unsettled)}, "
                f"alerts not once {len(v.alerts_not_once)})")


def schedule_faults(run: RunPlan, rng: random.Random) -> list[Fault]:
    """Each fault at a random point of its own slot of 10–75 % of the window, the slots dealt
    out at random (so two faults never coincide)."""
    kinds = [("kill", name) for name in PROCESSES for _ in range(run.kills_per_process)]
    kinds += [("restart_postgres", ""), ("slow_rasa", "")]
    rng.shuffle(kinds)
    slot = 0.65 * run.window / len(kinds)
    return [Fault((0.1 * run.window) + slot * (i + rng.uniform(0.1, 0.9)), kind, target)
            for i, (kind, target) in enumerate(kinds)]


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    gateway: int
    internal: int
    scheduler: int
    console: int

    @classmethod
    def free(cls) -> Ports:
        return cls(*(free_port() for _ in range(6)))


def environment(database_url: str, ports: Ports, proxy: SlowProxy,
                telegram: RunningFakeBotApi) -> dict[str, str]:
    """HUIFANG_* for the harness and every process it starts."""
    return {
        **{name: os.environ.get(name, value) for name, value in strong_secrets().items()},
        "HUIFANG_DEV_MODE": "false",
        "HUIFANG_LOAD_DEMO": "false",
        "HUIFANG_DATABASE_URL": database_url,
        "HUIFANG_RASA_URL": proxy.url,
        "HUIFANG_RASA_TIMEOUT_SECONDS": str(RASA_TIMEOUT),
        # a run lasts minutes: messages held back while Rasa is down, and those a killed gateway
        # was working on, come back within seconds rather than the production minutes; the
        # budget still outlasts a Rasa restart on a busy machine (over two minutes here)
        "HUIFANG_INBOX_MAX_BACKOFF_SECONDS": "10",
        "HUIFANG_INBOX_MAX_ATTEMPTS": "60",
        "HUIFANG_INBOX_LEASE_SECONDS": str(RASA_TIMEOUT + 20),
        "HUIFANG_ACTION_SERVER_PORT": str(ports.actions),
        "HUIFANG_GATEWAY_HOST": "127.0.0.1",
        "HUIFANG_GATEWAY_PORT": str(ports.gateway),
        "HUIFANG_GATEWAY_INTERNAL_URL": f"http://127.0.0.1:{ports.internal}",
        "HUIFANG_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.gateway}",
        "HUIFANG_SCHEDULER_PORT": str(ports.scheduler),
        "HUIFANG_CONSOLE_PORT": str(ports.console),
        "HUIFANG_TELEGRAM_TOKEN": telegram.api.token,
        "HUIFANG_TELEGRAM_API_BASE_URL": telegram.base_url,
        "HUIFANG_TELEGRAM_BOT_USERNAME": telegram.api.bot["username"],
        "HUIFANG_TELEGRAM_SUPERVISORS_CHAT_ID": str(SUPERVISORS_CHAT),
        # every simulated web-chat customer comes from 127.0.0.1
        "HUIFANG_WEBCHAT_REQUESTS_PER_MINUTE": "100000",
        "HUIFANG_WEBCHAT_REQUESTS_PER_MINUTE_PER_CLIENT": "100000",
        "HUIFANG_DISPATCH_INTERVAL_SECONDS": "1",
        "HUIFANG_LEASE_SECONDS": "30",
        # the real clock decides in these processes: keep the window open all day
        "HUIFANG_CONTACT_WINDOW_START": "00:00",
        "HUIFANG_CONTACT_WINDOW_END": "23:59:59.999999",
    }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_stack(supervisor: Supervisor, settings: Settings, ports: Ports, workdir: Path,
                env: dict[str, str]) -> None:
    tracker = workdir / "tracker.db"
    endpoints = write_endpoints(workdir / "endpoints.yml", f"http://127.0.0.1:{ports.actions}",
                                str(tracker))
    specs = [
        action_server(settings, ports.actions),
        rasa_server(settings, ports.rasa, endpoints),
        python_module("gateway", "bot", settings,
                      f"http://127.0.0.1:{ports.internal}/health"),
        python_module("scheduler", "scheduler", settings,
                      f"http://127.0.0.1:{ports.scheduler}/health"),
        python_module("console", "console", settings,
                      f"http://127.0.0.1:{ports.console}/login"),
    ]
    for spec in specs:
        supervisor.add(spec, env)
    for spec in specs:
        supervisor.wait_healthy(spec.name)


@dataclass(frozen=True)
class Enrolled:
    callback_id: int
    channel: Channel
    address: str  # Telegram chat id, or web-chat address
    key: str  # what the customer's line needs: the chat id, or the web-chat link token
    due_in: float  # seconds after enrolment its callback falls due


def enroll(sessions: sessionmaker[Session], run: RunPlan, rng: random.Random,
           fake: KnownChatsBotApi) -> list[Enrolled]:
    """The campaign's tickets, ingested; their callbacks fall due over the window."""
    now = utcnow()
    tag = f"CH{rng.randrange(10**6):06d}"
    tickets, users = [], []
    for i in range(run.callbacks):
        telegram = rng.random() < run.telegram_share
        if telegram:
            user = FakeUser(FIRST_CHAT_ID + i, f"客户{i}")
            users.append(user)
            address = str(user.id)
        else:
            address = f"wc-{tag}-{i}"
        tickets.append(TicketIn(
            ticket_id=f"{tag}-{i}", customer_id=f"{tag}-c{i}", customer_name="王先生",
            service_type="auto_repair", agent="李师傅", branch="朝阳店",
            channel=Channel.TELEGRAM if telegram else Channel.WEBCHAT, address=address,
            closed_at=now - timedelta(hours=1)))
    fake.open_chats(users)
    enrolled = []
    with session_scope(sessions) as session:
        result = ingest(session, tickets, now)
        for index, ticket in enumerate(tickets):
            callback_id = session.scalar(select(Callback.id).join(Ticket)
                                         .where(Ticket.external_id == ticket.ticket_id))
            assert callback_id is not None, ticket.ticket_id
            due_in = 0.6 * run.window * index / run.callbacks
            session.execute(update(Callback).where(Callback.id == callback_id)
                            .values(due_at=now + timedelta(seconds=due_in)))
            key = (result.chat_links[ticket.ticket_id].rsplit("/", 1)[1]
                   if ticket.channel == Channel.WEBCHAT else ticket.address or "")
            enrolled.append(Enrolled(callback_id, ticket.channel, ticket.address or "", key,
                                     due_in))
    return enrolled


def inject(faults: list[Fault], window_start: float, supervisor: Supervisor,
           cluster: PrivateCluster, proxy: SlowProxy, log: Callable[[str], None]) -> None:
    for fault in faults:
        time.sleep(max(0.0, window_start + fault.at - time.monotonic()))
        log(f"t+{fault.at:5.1f}s {fault}")
        if fault.kind == "kill":
            supervisor.kill(fault.target)
        elif fault.kind == "restart_postgres":
            cluster.restart()
        else:
            proxy.slow_for(SLOW_SPELL)


async def _customers(enrolled: list[Enrolled], run: RunPlan, rng: random.Random,
                     fake: KnownChatsBotApi, gateway_url: str, ledger: Ledger,
                     window_start: float) -> Counter[str]:
    client = WebChatClient(gateway_url)
    until = window_start + run.window + run.tail
    try:
        customers = []
        for e in enrolled:
            line: Line = (TelegramLine(fake, FakeUser(int(e.address), "客户"))
                          if e.channel == Channel.TELEGRAM else WebChatLine(client, e.key))
            customers.append(plan(e.callback_id, line, rng, run.late_seconds))
        await asyncio.gather(*(converse(c, ledger, window_start + e.due_in, until)
                               for c, e in zip(customers, enrolled)))
        return Counter(c.behaviour for c in customers)
    finally:
        await client.close()


def _settled(sessions: sessionmaker[Session], callback_ids: list[int]) -> bool:
    """No customer message waiting in the inbox, no message to a customer waiting to go."""
    with sessions() as session:
        waiting = session.scalar(select(func.count()).select_from(InboxItem).where(
            InboxItem.status == InboxStatus.WAITING))
        return not waiting and not session.scalar(select(func.count()).select_from(Message).where(
            Message.callback_id.in_(callback_ids), Message.direction == Direction.OUTBOUND,
            Message.delivery.in_(STUCK)))


def catch_up(supervisor: Supervisor, sessions: sessionmaker[Session], callback_ids: list[int],
             quiet: float) -> None:
    """Every process up again, then the inbox and the outbox emptied (at most `quiet` seconds),
    then a few seconds more for anything still on its way."""
    for name in supervisor.names():
        supervisor.wait_healthy(name)
    deadline = time.monotonic() + quiet
    while time.monotonic() < deadline:
        with suppress(OperationalError):  # the database may be restarting: look again
            if _settled(sessions, callback_ids):
                break
        time.sleep(1.0)
    time.sleep(5.0)


def run_campaign(run: RunPlan, seed: int, workdir: Path,
                 log: Callable[[str], None] = print) -> Outcome:
    rng = random.Random(seed)
    faults = schedule_faults(run, rng)
    ports = Ports.free()
    ledger = Ledger()
    with private_cluster() as cluster, serving(KnownChatsBotApi()) as telegram, \
            slow_proxy(ports.rasa, SLOW_DELAY) as proxy:
        upgrade(cluster.url)
        fake = telegram.api
        assert isinstance(fake, KnownChatsBotApi)
        fake.add_group(SUPERVISORS_CHAT, "回访主管群")
        env = environment(cluster.url, ports, proxy, telegram)
        supervisor = Supervisor(workdir / "logs")
        engine = create_db_engine(cluster.url)
        sessions = session_factory(engine)
        try:
            with _environment(env):
                settings = Settings(_env_file=None)
                log(f"chaos: seed {seed}; starting the stack (logs in {supervisor.log_dir})")
                start_stack(supervisor, settings, ports, workdir, env)
                window_start = time.monotonic()
                enrolled = enroll(sessions, run, rng, fake)
                log(f"chaos: {len(enrolled)} callbacks, faults: "
                    + ", ".join(f"{f} at {f.at:.0f}s" for f in faults))
                injector = threading.Thread(target=inject, daemon=True, name="chaos-faults",
                                            args=(faults, window_start, supervisor, cluster,
                                                  proxy, log))
                injector.start()
                behaviours = asyncio.run(_customers(
                    enrolled, run, rng, fake, f"http://127.0.0.1:{ports.gateway}", ledger,
                    window_start))
                injector.join()
                log(f"chaos: customers done ({dict(behaviours)}); catching up")
                ids = [e.callback_id for e in enrolled]
                catch_up(supervisor, sessions, ids, run.quiet)
                with sessions() as session:
                    verdict = judge(session, ledger, workdir / "tracker.db", fake,
                                    {e.callback_id: (e.channel, e.address) for e in enrolled},
                                    SUPERVISORS_CHAT)
                return Outcome(verdict, faults, supervisor.restarts())
        finally:
            supervisor.stop()
            engine.dispose()
