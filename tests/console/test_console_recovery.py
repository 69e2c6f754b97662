"""schedule_recovery: one recovery survey per ticket, inside the contact window, never to a
customer who opted out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import consent
from huifang.db.models import Callback, CallbackKind, CallbackStatus, Escalation
from huifang.recovery import RECOVERY_TEMPLATE, schedule_recovery
from tests.console.console_support import load_dataset, utc


def escalation_of(session: Session, ticket: str) -> Escalation:
    found = session.scalar(select(Escalation).join(Escalation.callback)
                           .where(Callback.ticket.has(external_id=ticket)))
    assert found is not None
    return found


def test_recovery_is_due_after_the_delay_inside_the_customer_window(
        sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory() as session:
        load_dataset(session)
        escalation = escalation_of(session, "T-C9")
        # 10:00 in Shanghai + 24 h is inside the next day's window.
        recovery = schedule_recovery(session, escalation, utc(4, 5, 2))
        assert recovery is not None
        assert (recovery.kind, recovery.template, recovery.status) == (
            CallbackKind.RECOVERY, RECOVERY_TEMPLATE, CallbackStatus.SCHEDULED)
        assert recovery.due_at == utc(4, 6, 2)
        assert escalation.recovery_callback_id == recovery.id
        # The customer lives in Los Angeles: 08:00 there is before the window opens at 09:00.
        escalation.callback.ticket.customer.timezone = "America/Los_Angeles"
        moved = schedule_recovery(session, escalation, datetime(2025, 4, 5, 15, tzinfo=UTC))
        assert moved is recovery and recovery.due_at == datetime(2025, 4, 6, 16, tzinfo=UTC)


def test_a_sent_recovery_is_never_repeated(sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory() as session:
        load_dataset(session)
        escalation = escalation_of(session, "T-C3")  # its recovery went out on 6 March
        before = escalation.recovery_callback
        assert before is not None and before.sent_at is not None
        again = schedule_recovery(session, escalation, utc(4, 5, 2))
        assert again is before and again.due_at < utc(4, 1, 0)
        assert len(session.scalars(select(Callback).where(
            Callback.kind == CallbackKind.RECOVERY)).all()) == 1


def test_no_recovery_for_a_customer_who_opted_out(sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory() as session:
        load_dataset(session)
        escalation = escalation_of(session, "T-C7")
        consent.opt_out(session, escalation.callback.ticket.customer, source="customer",
                        reason="退订", now=utc(4, 2, 0))
        assert schedule_recovery(session, escalation, utc(4, 5, 2)) is None
        assert escalation.recovery_callback_id is None


def test_recovery_follows_the_service_type_policy(sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory() as session:
        load_dataset(session)
        escalation = escalation_of(session, "T-C9")
        escalation.callback.ticket.service_type = "power_repair"  # policies.yml: 4 h delay
        recovery = schedule_recovery(session, escalation, utc(4, 5, 2))
        assert recovery is not None and recovery.due_at == utc(4, 5, 6)
