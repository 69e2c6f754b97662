"""The whole delivery path as real processes, for the exactly-once test and the benchmark:
PostgreSQL, Rasa + action server, the gateway (`python -m bot`) talking to the fake Telegram
Bot API server, and dispatch workers (`python -m scheduler --dispatch-only`).

In the test suite the Rasa + action server pair and its database are the session's shared
PostgreSQL stack (tests/conftest.py); each `live_stack()` brings its own fake Telegram server,
gateway and dispatchers, cancels whatever earlier users left scheduled (so its dispatchers send
only its own callbacks), and its counts (`make_due`, `delivered_callbacks`,
`outgoing_per_callback`, `callbacks`) cover only the callbacks created since it started. The
benchmark, with nothing registered, starts a stack of its own.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback, CallbackStatus, Channel, Message
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings, get_settings
from huifang.app.stack import python_module
from tests.support.fake_bot_api import FakeBotApi, FakeUser, RunningFakeBotApi, serving
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack, rasa_stack_running

INTRO = "服务回访助手"  # in the first message of every start round
INTERNAL_TOKEN = "live-stack-internal-token"
RASA_TOKEN = "live-stack-rasa-token-0123456789"
FIRST_CHAT_ID = 700_000_001

_shared_rasa: list[Callable[[], RasaStack]] = []


def use_shared_rasa(get: Callable[[], RasaStack]) -> None:
    """Run every `live_stack()` on the Rasa stack `get()` returns (the test session's)."""
    _shared_rasa[:] = [get]


class KnownChatsBotApi(FakeBotApi):
    """The fake Bot API server, with customers who started the bot earlier (bound on a past
    ticket), so a campaign of thousands needs no /start exchange first."""

    def open_chats(self, users: list[FakeUser]) -> None:
        with self._lock:
            for user in users:
                self._chats.setdefault(user.id, user.private_chat())


@dataclass
class LiveStack:
    settings: Settings
    telegram: RunningFakeBotApi
    log_dir: Path
    sessions: sessionmaker[Session]
    # callbacks with a larger id are this stack's (the database may be shared)
    after_callback: int = 0
    _processes: ExitStack = field(default_factory=ExitStack)

    @property
    def fake(self) -> KnownChatsBotApi:
        assert isinstance(self.telegram.api, KnownChatsBotApi)
        return self.telegram.api

    def environment(self, **extra: str) -> dict[str, str]:
        """What every process of the stack reads (HUIFANG_*), plus `extra`."""
        s = self.settings
        env = {
            "HUIFANG_DATABASE_URL": s.database_url,
            "HUIFANG_RASA_URL": s.rasa_url,
            "HUIFANG_RASA_TOKEN": s.rasa_token.get_secret_value(),
            "HUIFANG_RASA_TIMEOUT_SECONDS": "120",
            "HUIFANG_GATEWAY_INTERNAL_URL": s.gateway_internal_url,
            "HUIFANG_GATEWAY_PORT": str(s.gateway_port),
            "HUIFANG_INTERNAL_TOKEN": s.internal_token.get_secret_value(),
            "HUIFANG_TELEGRAM_TOKEN": self.fake.token,
            "HUIFANG_TELEGRAM_API_BASE_URL": self.telegram.base_url,
            "HUIFANG_TELEGRAM_BOT_USERNAME": self.fake.bot["username"],
            # the real clock decides in these processes: keep the window open all day
            "HUIFANG_CONTACT_WINDOW_START": "00:00",
            "HUIFANG_CONTACT_WINDOW_END": "23:59:59.999999",
        }
        env.update(extra)
        return env

    def start_scheduler(self, name: str, *args: str, health_url: str | None = None,
                        **extra: str) -> subprocess.Popen[bytes]:
        """`python -m scheduler` with `args` (e.g. --dispatch-only), stopped with the stack."""
        spec = python_module(name, "scheduler", self.settings, health_url=health_url)
        spec.argv.extend(args)
        return self._processes.enter_context(
            running(spec, self.log_dir, self.environment(**extra)))

    def start_dispatcher(self, name: str, concurrency: int = 8,
                         **extra: str) -> subprocess.Popen[bytes]:
        return self.start_scheduler(name, "--dispatch-only", "--concurrency", str(concurrency),
                                    **extra)

    def stop_processes(self) -> None:
        self._processes.close()

    def customers(self, count: int, tag: str) -> tuple[list[FakeUser], list[TicketIn]]:
        """`count` Telegram customers whose chats the fake server knows, each with a ticket
        closed just now (so their callbacks are scheduled, not due)."""
        users = [FakeUser(FIRST_CHAT_ID + i, f"客户{i}") for i in range(count)]
        self.fake.open_chats(users)
        now = utcnow()
        tickets = [TicketIn(ticket_id=f"{tag}-{u.id}", customer_id=f"{tag}-c{u.id}",
                            service_type="auto_repair", agent="李师傅", branch="朝阳店",
                            channel=Channel.TELEGRAM, address=str(u.id), closed_at=now)
                   for u in users]
        return users, tickets

    def campaign(self, count: int, tag: str, batch: int = 1000) -> list[FakeUser]:
        """Customers as in `customers`, ingested directly."""
        users, tickets = self.customers(count, tag)
        for start in range(0, count, batch):
            with session_scope(self.sessions) as session:
                ingest(session, tickets[start:start + batch], utcnow(), self.settings)
        return users

    def _own(self) -> ColumnElement[bool]:
        return Callback.id > self.after_callback

    def make_due(self, limit: int | None = None) -> int:
        """Make scheduled callbacks (the first `limit` by id) due now; returns how many."""
        with session_scope(self.sessions) as session:
            query = (select(Callback.id).where(Callback.status == CallbackStatus.SCHEDULED,
                                               self._own())
                     .order_by(Callback.id))
            ids = list(session.scalars(query.limit(limit) if limit else query))
            past = utcnow() - timedelta(seconds=1)
            for start in range(0, len(ids), 1000):
                session.execute(update(Callback).where(Callback.id.in_(ids[start:start + 1000]))
                                .values(due_at=past).execution_options(synchronize_session=False))
        return len(ids)

    def delivered_callbacks(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Callback)
                                  .where(Callback.delivered_round >= 1, self._own())) or 0

    def outgoing_per_callback(self) -> dict[int, int]:
        with self.sessions() as session:
            return dict(session.execute(
                select(Message.callback_id, func.count())
                .where(Message.callback_id > self.after_callback)
                .group_by(Message.callback_id)).tuples().all())

    def callbacks(self) -> list[Callback]:
        """This stack's callbacks, by id."""
        with self.sessions() as session:
            return list(session.scalars(select(Callback).where(self._own())
                                        .order_by(Callback.id)))


def check_first_round_delivered_once(stack: LiveStack, users: list[FakeUser]) -> Counter[int]:
    """Every customer got the opening once and the same first round as the others, nothing
    was refused for pace, and every callback is in progress after exactly one round; returns
    the messages each chat got."""
    fake = stack.fake
    openings = Counter(m.chat_id for m in list(fake.sent) if INTRO in m.text)
    assert openings == Counter({u.id: 1 for u in users})
    per_chat = Counter(m.chat_id for m in list(fake.sent))
    assert len(set(per_chat.values())) == 1, per_chat  # every chat got the same round, once
    assert fake.rejected(429) == []  # the gateway paced itself below Telegram's limits
    per_callback = stack.outgoing_per_callback()
    assert len(per_callback) == len(users)
    assert set(per_callback.values()) == set(per_chat.values())
    callbacks = stack.callbacks()
    assert len(callbacks) == len(users)
    assert {c.status for c in callbacks} == {CallbackStatus.IN_PROGRESS}
    assert {c.delivered_round for c in callbacks} == {1}
    return per_chat


def _settle_earlier_work(sessions: sessionmaker[Session]) -> int:
    """Cancel callbacks earlier users of a shared database left to be sent, so this stack's
    dispatchers send only its own; returns the largest callback id so far."""
    with session_scope(sessions) as session:
        session.execute(update(Callback).where(Callback.status.in_(
            [CallbackStatus.SCHEDULED, CallbackStatus.SENDING]))
            .values(status=CallbackStatus.CANCELLED, status_reason="an earlier test's leftover",
                    lease_owner=None, lease_expires_at=None))
        return session.scalar(select(func.max(Callback.id))) or 0


@contextmanager
def _rasa_for(workdir: Path) -> Iterator[RasaStack]:
    if _shared_rasa:
        yield _shared_rasa[0]()
        return
    wanted = get_settings().model_copy(update={
        "rasa_token": SecretStr(RASA_TOKEN),
        "gateway_internal_url": f"http://127.0.0.1:{free_port()}",
        "internal_token": SecretStr(INTERNAL_TOKEN),
    })
    with rasa_stack_running(workdir, wanted, "postgresql") as rasa:
        yield rasa


@contextmanager
def live_stack(workdir: Path) -> Iterator[LiveStack]:
    """PostgreSQL + Rasa + actions + gateway + fake Telegram; dispatchers are started by the
    caller (`start_dispatcher`)."""
    with serving(KnownChatsBotApi()) as telegram, _rasa_for(workdir) as rasa:
        settings = rasa.settings.model_copy(update={"gateway_port": free_port()})
        engine = create_db_engine(rasa.database_url)
        sessions = session_factory(engine)
        log_dir = workdir / "logs"
        stack = LiveStack(settings, telegram, log_dir, sessions, _settle_earlier_work(sessions))
        gateway = python_module("gateway", "bot", settings,
                                health_url=f"{settings.gateway_internal_url}/health")
        try:
            with running(gateway, log_dir, stack.environment()):
                yield stack
                stack.stop_processes()
        finally:
            stack.stop_processes()
            engine.dispose()
