"""Shared helpers of the console tests: users, logging in, and the fixed data set whose report
figures are computed by hand in test_console_reports."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from console.app import create_app
from console.auth import hash_password
from console.deps import get_now
from huifang import escalations, survey_answers
from huifang.app.cli import common
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Channel,
    DeliveryStatus,
    Direction,
    Escalation,
    Message,
    Role,
    SupervisorUser,
    Ticket,
)
from huifang.escalations import Reason
from huifang.intake import TicketIn, ingest
from huifang.recovery import schedule_recovery
from huifang.settings import Settings, get_settings
from huifang.survey_answers import Classification

NOW = datetime(2025, 4, 5, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse 电池"
SETTINGS = Settings(timezone="Asia/Shanghai", console_secret_key="test-console-secret")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def add_user(session: Session, username: str, role: Role = Role.SUPERVISOR,
             branches: list[str] | None = None, password: str = PASSWORD) -> SupervisorUser:
    user = SupervisorUser(username=username, display_name=f"{username}主管",
                          password_hash=hash_password(password), role=role,
                          branches=branches or [])
    session.add(user)
    session.flush()
    return user


def build_app(factory: sessionmaker[Session]) -> FastAPI:
    """The console with the clock stopped at NOW."""
    app = create_app(SETTINGS, factory)
    app.dependency_overrides[get_now] = lambda: NOW
    return app


@contextmanager
def cli_database(url: str) -> Iterator[None]:
    """Point the huifang CLI (settings and its cached session factory) at `url`."""
    previous = os.environ.get("HUIFANG_DATABASE_URL")
    os.environ["HUIFANG_DATABASE_URL"] = url
    get_settings.cache_clear()
    common.sessions.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            del os.environ["HUIFANG_DATABASE_URL"]
        else:
            os.environ["HUIFANG_DATABASE_URL"] = previous
        get_settings.cache_clear()
        common.sessions.cache_clear()


def add_standard_users(session: Session) -> None:
    """admin (everything), east (branch east only), anywhere (supervisor without branches),
    retired (deactivated)."""
    add_user(session, "admin", Role.ADMIN, branches=["west"])
    add_user(session, "east", branches=["east"])
    add_user(session, "anywhere")
    add_user(session, "retired").active = False


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token, "next": "/"},
                       follow_redirects=False)


# -- the fixed data set of the report tests (hand-computed figures in test_console_reports) --

@dataclass(frozen=True)
class Visit:
    """One ticket and what happened to its survey callback."""

    key: str
    branch: str
    agent: str
    service_type: str
    sent_at: datetime | None
    overall: int | None = None
    solved: bool | None = None
    nps: int | None = None
    dimension: int | None = None
    categories: tuple[str, ...] = ()
    severity: str = "medium"
    agent_at_send: str | None = None


VISITS = [
    Visit("C1", "east", "张师傅", "auto_repair", utc(3, 3, 2), 5, True, 10),
    Visit("C2", "east", "李师傅", "auto_repair", utc(3, 4, 3), 4, True, 9),
    Visit("C3", "west", "张师傅", "utility_repair", utc(3, 5, 2), 2, False, 3,
          categories=("timeliness", "attitude")),
    # 01:00 on Monday 3 March in Shanghai, still Sunday in UTC: no answer at all
    Visit("C4", "west", "李师傅", "utility_repair", utc(3, 2, 17)),
    Visit("C5", "east", "张师傅", "auto_repair", utc(3, 10, 2), 1, False,
          categories=("quality", "timeliness"), severity="high"),
    Visit("C6", "east", "张师傅", "utility_repair", utc(3, 11, 2), dimension=3),
    # 00:30 on 1 April in Shanghai, still March in UTC
    Visit("C7", "west", "李师傅", "auto_repair", utc(3, 31, 16, 30), 3, True, 6,
          categories=("timeliness",)),
    Visit("C8", "west", "王师傅", "auto_repair", utc(4, 2, 2), 4, None, 9,
          agent_at_send="张师傅"),
    Visit("C9", "east", "李师傅", "utility_repair", utc(4, 3, 2), 2, False,
          categories=("price",)),
    Visit("C10", "east", "张师傅", "auto_repair", utc(4, 4, 10), solved=False),
    Visit("C11", "east", "张师傅", "auto_repair", None),
    Visit("C13", "west", "张师傅", "auto_repair", utc(4, 1, 2), 1, False,
          categories=("attitude",), severity="high"),
]


def _ingest(session: Session, visit: Visit) -> Callback:
    ingest(session, [TicketIn(
        ticket_id=f"T-{visit.key}", customer_id=f"cust-{visit.key}", customer_name="王先生",
        phone="13812345678", channel=Channel.WEBCHAT, address=f"web-{visit.key}",
        service_type=visit.service_type, agent=visit.agent, branch=visit.branch,
        closed_at=utc(3, 1, 0),
    )], utc(3, 1, 0))
    callback = session.query(Callback).join(Ticket).filter(
        Ticket.external_id == f"T-{visit.key}").one()
    return callback


def _answer(session: Session, callback: Callback, visit: Visit) -> None:
    at = visit.sent_at
    assert at is not None
    callback.sent_at = at
    callback.status = CallbackStatus.IN_PROGRESS
    callback.agent_at_send = visit.agent_at_send
    if visit.overall is not None:
        survey_answers.record_overall(session, callback, visit.overall, at)
    if visit.solved is not None:
        survey_answers.record_solved(session, callback, visit.solved, at)
    if visit.nps is not None:
        survey_answers.record_nps(session, callback, visit.nps, at)
    if visit.dimension is not None:
        survey_answers.record_dimension(session, callback, "service_attitude", visit.dimension, at)
    if visit.categories:
        survey_answers.record_complaint(
            session, callback, f"{visit.key} 的意见", "comment",
            Classification(list(visit.categories), dict.fromkeys(visit.categories, 0.9),
                           "negative", visit.severity), at)
    session.flush()


@dataclass(frozen=True)
class Dataset:
    callbacks: dict[str, int]
    escalations: dict[str, int]


def load_dataset(session: Session) -> Dataset:
    """Tickets, answers and escalations through the huifang services, at fixed times."""
    supervisor = add_user(session, "dataset")
    callbacks: dict[str, Callback] = {}
    for visit in VISITS:
        callbacks[visit.key] = _ingest(session, visit)
        if visit.sent_at is not None:
            _answer(session, callbacks[visit.key], visit)

    def raise_(key: str, reasons: list[Reason], at: datetime) -> Escalation:
        escalation = escalations.escalate(session, callbacks[key], reasons, at, get_settings())
        assert escalation is not None
        session.flush()
        return escalation

    e1 = raise_("C3", [Reason.LOW_OVERALL, Reason.NOT_SOLVED], utc(3, 5, 4))
    escalations.resolve(session, e1, supervisor, "timeliness", "已致歉并重新安排上门", utc(3, 5, 10))
    e2 = raise_("C5", [Reason.LOW_OVERALL, Reason.HIGH_SEVERITY], utc(3, 10, 3))
    escalations.resolve(session, e2, supervisor, "quality", "返修完成", utc(3, 11, 3))
    e3 = raise_("C7", [Reason.REQUESTED_HUMAN], utc(3, 31, 17))
    e4 = raise_("C9", [Reason.LOW_OVERALL, Reason.NOT_SOLVED], utc(4, 3, 3))
    escalations.claim(session, e4, supervisor, utc(4, 3, 5))
    e5 = raise_("C10", [Reason.NOT_SOLVED], utc(4, 4, 11))
    e6 = raise_("C13", [Reason.LOW_OVERALL, Reason.HIGH_SEVERITY], utc(4, 1, 3))
    escalations.resolve(session, e6, supervisor, "attitude", "已道歉", utc(4, 1, 5, 30))

    # The recovery survey after E1 answered 5: it must not count in the survey figures.
    recovery = schedule_recovery(session, e1, utc(3, 5, 10))
    assert recovery is not None
    recovery.sent_at = utc(3, 6, 2)
    survey_answers.record_overall(session, recovery, 5, utc(3, 6, 2))
    survey_answers.record_complaint(
        session, recovery, "还是不太满意", "comment",
        Classification(["quality"], {"quality": 0.8}, "negative", "medium"), utc(3, 6, 2))
    session.flush()
    return Dataset(
        callbacks={k: c.id for k, c in callbacks.items()} | {"C12": recovery.id},
        escalations={"E1": e1.id, "E2": e2.id, "E3": e3.id, "E4": e4.id, "E5": e5.id,
                     "E6": e6.id},
    )


# -- a short transcript, as the gateway records it --

SCORE_5 = '/inform_score{"score":"5"}'
SCORE_2 = '/inform_score{"score":"2"}'
BUTTONS = [{"title": "5 非常满意", "payload": SCORE_5}, {"title": "2 不满意", "payload": SCORE_2}]


def add_messages(session: Session, callback: Callback) -> None:
    def message(minute: int, direction: Direction, **fields: object) -> Message:
        return Message(customer_id=callback.ticket.customer_id, callback_id=callback.id,
                       channel=Channel.WEBCHAT, address="web-test", direction=direction,
                       delivery=DeliveryStatus.SENT if direction == Direction.OUTBOUND
                       else DeliveryStatus.RECEIVED,
                       created_at=utc(3, 5, 2, minute), **fields)

    session.add_all([
        message(0, Direction.OUTBOUND, text="您对本次服务的总体满意度如何？", buttons=BUTTONS),
        message(1, Direction.INBOUND, text="2 不满意", payload=SCORE_2),
        message(2, Direction.OUTBOUND, text="主要是哪方面不满意呢？"),
        message(3, Direction.INBOUND, text="等了三个小时，师傅态度也不好"),
        message(4, Direction.INBOUND, text=SCORE_5),  # typed payload, no buttons shown now
        message(5, Direction.OUTBOUND, text="感谢您的反馈"),
    ])
    session.flush()
