"""The one escalation entry point, rule by rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang import escalations, survey_answers
from huifang.db.models import Callback, Escalation, EscalationStatus, Priority, SupervisorUser
from huifang.escalations import Reason, escalate_callback
from huifang.intake import TicketIn, ingest
from huifang.settings import get_settings
from huifang.survey_answers import Classification

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
THREAT = Classification(categories=["quality"], scores={"quality": 0.9}, sentiment="negative",
                        severity="high")


def callback(session: Session, number: int = 1) -> Callback:
    ingest(session, [TicketIn(ticket_id=f"E-{number}", customer_id=f"c-{number}",
                              service_type="auto_repair", closed_at=NOW - timedelta(days=1))],
           NOW)
    found = session.scalar(select(Callback).order_by(Callback.id.desc()))
    assert found is not None
    return found


def test_nothing_warrants_an_escalation(session: Session) -> None:
    cb = callback(session)
    survey_answers.record_overall(session, cb, 3, NOW)
    survey_answers.record_solved(session, cb, True, NOW)
    assert escalate_callback(session, cb, NOW, get_settings()) is None
    assert session.scalars(select(Escalation)).all() == []


def test_a_low_overall_escalates_at_once_and_asks_for_an_alert(session: Session) -> None:
    cb = callback(session)
    survey_answers.record_overall(session, cb, 2, NOW)
    update = escalate_callback(session, cb, NOW, get_settings())
    assert update is not None and update.created and update.needs_alert
    assert update.escalation.reasons == ["low_overall"]
    assert update.escalation.priority == Priority.HIGH
    assert escalations.LOW_OVERALL_AT_MOST == 2


def test_later_answers_update_the_same_escalation_and_only_raise_it(session: Session) -> None:
    cb = callback(session)
    survey_answers.record_overall(session, cb, 1, NOW)
    first = escalate_callback(session, cb, NOW, get_settings())
    assert first is not None
    survey_answers.record_solved(session, cb, False, NOW + timedelta(minutes=1))
    second = escalate_callback(session, cb, NOW + timedelta(minutes=1), get_settings())
    assert second is not None and second.escalation.id == first.escalation.id
    assert not second.needs_alert  # not solved is normal priority: nothing raised
    assert second.escalation.priority == Priority.HIGH
    survey_answers.record_complaint(session, cb, "我要去12315投诉你们", "nps", THREAT,
                                    NOW + timedelta(minutes=2))
    third = escalate_callback(session, cb, NOW + timedelta(minutes=2), get_settings())
    assert third is not None and third.raised and third.needs_alert
    assert third.escalation.priority == Priority.URGENT
    assert third.escalation.reasons == ["low_overall", "not_solved", "high_severity"]
    assert third.escalation.due_at <= NOW + timedelta(minutes=2, hours=4)
    assert len(session.scalars(select(Escalation)).all()) == 1


def test_a_request_for_a_person_escalates(session: Session) -> None:
    cb = callback(session)
    update = escalate_callback(session, cb, NOW, get_settings(), requested_human=True)
    assert update is not None and update.escalation.reasons == [Reason.REQUESTED_HUMAN.value]


def test_a_later_request_for_a_person_is_alerted_although_the_priority_stays(
        session: Session) -> None:
    """Supervisors must hear that the customer now asks to be called, even when a low score
    had already made the escalation high."""
    cb = callback(session)
    survey_answers.record_overall(session, cb, 1, NOW)
    first = escalate_callback(session, cb, NOW, get_settings())
    assert first is not None and first.escalation.priority == Priority.HIGH
    later = escalate_callback(session, cb, NOW + timedelta(minutes=1), get_settings(),
                              requested_human=True)
    assert later is not None and later.escalation.id == first.escalation.id
    assert not later.created and not later.raised and later.needs_alert
    assert later.escalation.reasons == ["low_overall", "requested_human"]
    # asked again: nothing new, no new alert
    again = escalate_callback(session, cb, NOW + timedelta(minutes=2), get_settings(),
                              requested_human=True)
    assert again is not None and not again.needs_alert


def test_the_open_escalation_is_reported_even_when_the_turn_adds_nothing(session: Session
                                                                         ) -> None:
    cb = callback(session)
    survey_answers.record_solved(session, cb, False, NOW)
    escalate_callback(session, cb, NOW, get_settings())
    again = escalate_callback(session, cb, NOW + timedelta(minutes=5), get_settings())
    assert again is not None and not again.needs_alert


def test_after_the_end_only_late_words_escalate(session: Session) -> None:
    cb = callback(session)
    survey_answers.record_overall(session, cb, 1, NOW)
    update = escalate_callback(session, cb, NOW, get_settings())
    assert update is not None
    survey_answers.finish(session, cb, NOW)
    supervisor = SupervisorUser(username="s", display_name="S", password_hash="!")
    session.add(supervisor)
    session.flush()
    escalations.resolve(session, update.escalation, supervisor, "quality", "已致电道歉",
                        NOW + timedelta(hours=1))
    # a friendly late message does not reopen anything …
    assert escalate_callback(session, cb, NOW + timedelta(hours=2), get_settings()) is None
    # … a late threat does, at once
    survey_answers.record_complaint(session, cb, "我要找律师", "late", THREAT,
                                    NOW + timedelta(hours=3))
    late = escalate_callback(session, cb, NOW + timedelta(hours=3), get_settings())
    assert late is not None and late.created
    assert late.escalation.reasons == ["high_severity"]
    open_ = session.scalars(select(Escalation).where(
        Escalation.status != EscalationStatus.RESOLVED)).all()
    assert [e.id for e in open_] == [late.escalation.id]
