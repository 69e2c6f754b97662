"""Scheduler fixtures: a controllable clock, tickets, the gateway stand-in, a dispatcher.

Times: NOW is Monday 2026-11-23 10:00 in Asia/Shanghai (02:00 UTC), inside the default
09:00–20:00 contact window. Every service takes `now` (or this clock) explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang.callback_policy import PolicyBook
from huifang.db import session_scope
from huifang.db.models import Callback, Ticket
from huifang.intake import TicketIn, ingest
from huifang.send_rules import SendRules
from huifang.settings import Settings
from scheduler.dispatch import Dispatcher
from scheduler.gateway_client import GatewayClient
from tests.scheduler.gateway_standin import TOKEN, GatewayStandIn, serving

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
SETTINGS = Settings(_env_file=None, internal_token=SecretStr(TOKEN), dispatch_batch_size=20,
                    lease_seconds=300, max_send_attempts=3)


@dataclass
class FakeClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def ticket_in(ticket_id: str, customer_id: str | None = None, *, closed_at: datetime | None = None,
              **fields: Any) -> TicketIn:
    values: dict[str, Any] = {
        "ticket_id": ticket_id,
        "customer_id": customer_id or f"C-{ticket_id}",
        "service_type": "auto_repair",
        "agent": "李师傅",
        "branch": "朝阳店",
        "channel": "webchat",
        "address": f"wc-{ticket_id}",
        "closed_at": closed_at or NOW - timedelta(days=1),
    }
    values.update(fields)
    return TicketIn.model_validate(values)


def add_tickets(sessions: sessionmaker[Session], *tickets: TicketIn, now: datetime = NOW,
                settings: Settings = SETTINGS) -> list[int]:
    """Ingest tickets; return their survey callbacks' ids, in the order given."""
    with session_scope(sessions) as session:
        ingest(session, list(tickets), now, settings)
        ids = {t.external_id: t.callbacks[0].id for t in session.scalars(
            select(Ticket).where(Ticket.external_id.in_([t.ticket_id for t in tickets])))}
    return [ids[t.ticket_id] for t in tickets]


def due_now(sessions: sessionmaker[Session], *callback_ids: int, now: datetime = NOW) -> None:
    with session_scope(sessions) as session:
        for callback_id in callback_ids:
            session.get(Callback, callback_id).due_at = now  # type: ignore[union-attr]


def load(sessions: sessionmaker[Session], callback_id: int) -> Callback:
    with sessions() as session:
        callback = session.get(Callback, callback_id)
        assert callback is not None
        callback.ticket.customer  # noqa: B018 - loaded for use after the session closes
        return callback


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book() -> PolicyBook:
    """The settings' defaults only: tests do not depend on the shipped policies.yml."""
    return PolicyBook(SETTINGS, {})


@pytest.fixture
def gateway_standin(database_url: str, clock: FakeClock) -> Iterator[GatewayStandIn]:
    standin = GatewayStandIn(database_url, clock)
    with serving(standin.app()) as url:
        standin.url = url
        yield standin
    standin.close()


@pytest.fixture
def gateway(gateway_standin: GatewayStandIn) -> Iterator[GatewayClient]:
    client = GatewayClient(gateway_standin.url, TOKEN, timeout=10)
    yield client
    client.close()


def make_dispatcher(sessions: sessionmaker[Session], gateway: GatewayClient, clock: FakeClock,
                    book: PolicyBook, owner: str = "worker-a") -> Dispatcher:
    return Dispatcher(sessions, gateway, SendRules(SETTINGS, book), SETTINGS, owner=owner,
                      concurrency=4, clock=clock)


@pytest.fixture
def dispatcher(sessions: sessionmaker[Session], gateway: GatewayClient, clock: FakeClock,
               book: PolicyBook) -> Iterator[Dispatcher]:
    worker = make_dispatcher(sessions, gateway, clock, book)
    yield worker
    worker.close()
