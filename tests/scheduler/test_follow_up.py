"""Silence after a delivered round: one reminder (through the same queue), then expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import escalations, survey_answers
from huifang.callback_policy import PolicyBook
from huifang.db import session_scope
from huifang.db.models import (
    AlertKind,
    Callback,
    CallbackStatus,
    Escalation,
    EscalationAlert,
    EscalationStatus,
    Priority,
)
from huifang.survey_answers import Classification
from scheduler.dispatch import Dispatcher
from scheduler.reminders import FollowUpReport, run_follow_ups
from tests.scheduler.conftest import NOW, SETTINGS, FakeClock, add_tickets, due_now, load, ticket_in
from tests.scheduler.gateway_standin import Delivery, GatewayStandIn


def follow_ups(sessions: sessionmaker[Session], now: datetime, book: PolicyBook
               ) -> FollowUpReport:
    with session_scope(sessions) as session:
        return run_follow_ups(session, now, book, SETTINGS)


def started(sessions: sessionmaker[Session], dispatcher: Dispatcher) -> int:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    assert dispatcher.run_pass().delivered == 1
    return survey


def test_one_reminder_then_no_response(sessions: sessionmaker[Session], dispatcher: Dispatcher,
                                       clock: FakeClock, book: PolicyBook,
                                       gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    assert follow_ups(sessions, NOW + timedelta(hours=23, minutes=59), book).reminders == 0
    assert follow_ups(sessions, NOW + timedelta(hours=24), book).reminders == 1
    callback = load(sessions, survey)
    assert (callback.status, callback.send_mode, callback.send_round, callback.due_at) == (
        CallbackStatus.SCHEDULED, "remind", 2, NOW + timedelta(hours=24))
    clock.now = NOW + timedelta(hours=24)
    assert dispatcher.run_pass().delivered == 1
    assert gateway_standin.deliveries[-1] == Delivery(survey, 2, "remind", None)
    callback = load(sessions, survey)
    assert (callback.status, callback.reminders_sent, callback.due_at) == (
        CallbackStatus.IN_PROGRESS, 1, NOW + timedelta(hours=72))
    assert follow_ups(sessions, NOW + timedelta(hours=71), book).waiting == 0  # not due yet
    report = follow_ups(sessions, NOW + timedelta(hours=72), book)
    assert (report.reminders, report.no_response) == (0, 1)
    callback = load(sessions, survey)
    assert (callback.status, callback.status_reason, callback.finished_at) == (
        CallbackStatus.NO_RESPONSE, "no answer before expiry", NOW + timedelta(hours=72))
    assert len(gateway_standin.deliveries) == 2  # start + one reminder, nothing more


def test_an_answer_moves_the_silence_checks(sessions: sessionmaker[Session],
                                            dispatcher: Dispatcher, book: PolicyBook) -> None:
    survey = started(sessions, dispatcher)
    answered_at = NOW + timedelta(hours=10)
    with session_scope(sessions) as session:
        survey_answers.record_overall(session, session.get(Callback, survey), 4, answered_at)
    report = follow_ups(sessions, NOW + timedelta(hours=24), book)
    assert (report.reminders, report.waiting) == (0, 1)
    assert load(sessions, survey).due_at == answered_at + timedelta(hours=24)
    assert follow_ups(sessions, answered_at + timedelta(hours=24), book).reminders == 1


def test_a_reminder_that_falls_at_night_goes_out_in_the_morning(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    night = NOW + timedelta(hours=36)  # 22:00 local, the day after
    assert follow_ups(sessions, night, book).reminders == 1
    assert load(sessions, survey).due_at == NOW + timedelta(hours=47)  # 09:00 local
    clock.now = night
    assert dispatcher.run_pass().claimed == 0
    clock.now = NOW + timedelta(hours=47)
    assert dispatcher.run_pass().delivered == 1
    assert [d.mode for d in gateway_standin.deliveries] == ["start", "remind"]


def test_an_answer_before_the_reminder_is_sent_cancels_it(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    follow_ups(sessions, NOW + timedelta(hours=36), book)  # reminder planned for 09:00
    with session_scope(sessions) as session:
        survey_answers.record_overall(session, session.get(Callback, survey), 5,
                                      NOW + timedelta(hours=40))
    clock.now = NOW + timedelta(hours=47)
    assert dispatcher.run_pass().claimed == 0
    assert [d.mode for d in gateway_standin.deliveries] == ["start"]
    assert load(sessions, survey).reminders_sent == 0


def test_partial_answers_expire_as_completed_and_escalate(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, book: PolicyBook) -> None:
    survey = started(sessions, dispatcher)
    with session_scope(sessions) as session:
        survey_answers.record_overall(session, session.get(Callback, survey), 1,
                                      NOW + timedelta(hours=1))
    follow_ups(sessions, NOW + timedelta(hours=25), book)  # reminder planned…
    with session_scope(sessions) as session:  # …and delivered
        callback = session.get(Callback, survey)
        callback.status, callback.reminders_sent = CallbackStatus.IN_PROGRESS, 1
        callback.due_at = NOW + timedelta(hours=73)
    expired_at = NOW + timedelta(hours=73)
    report = follow_ups(sessions, expired_at, book)
    assert report.partial == 1
    callback = load(sessions, survey)
    assert (callback.status, callback.status_reason) == (
        CallbackStatus.COMPLETED, "partial: customer stopped answering")
    with sessions() as session:
        [escalation] = session.scalars(select(Escalation)).all()
        assert (escalation.callback_id, escalation.priority, escalation.reasons) == (
            survey, Priority.HIGH, ["low_overall"])
        # supervisors are owed its alert in the same transaction; the gateway's outbox sends it
        assert [(a.kind, a.key) for a in session.scalars(select(EscalationAlert))] == [
            (AlertKind.NEW, f"alert:{escalation.id}:new:1")]


def test_a_customer_who_only_complained_has_responded(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, book: PolicyBook) -> None:
    """Words the conversation kept (a threat at the first question, then silence) are a
    response: expiry finishes the callback as completed and keeps the open escalation."""
    survey = started(sessions, dispatcher)
    threat = Classification(categories=["quality"], scores={"quality": 0.9},
                            sentiment="negative", severity="high", signals=["external:12315"])
    with session_scope(sessions) as session:
        callback = session.get_one(Callback, survey)
        survey_answers.record_complaint(session, callback, "修成这样我要打12315", "overall",
                                        threat, NOW + timedelta(hours=1))
        update = escalations.escalate_callback(session, callback, NOW + timedelta(hours=1), SETTINGS)
        assert update is not None
        escalation_id = update.escalation.id
    assert follow_ups(sessions, NOW + timedelta(hours=25), book).reminders == 1
    with session_scope(sessions) as session:  # the reminder went out; no answer came
        callback = session.get_one(Callback, survey)
        callback.status, callback.reminders_sent = CallbackStatus.IN_PROGRESS, 1
        callback.due_at = NOW + timedelta(hours=73)
    report = follow_ups(sessions, NOW + timedelta(hours=73), book)
    assert (report.no_response, report.partial) == (0, 1)
    callback = load(sessions, survey)
    assert (callback.status, callback.status_reason) == (
        CallbackStatus.COMPLETED, "partial: customer stopped answering")
    with sessions() as session:
        escalation = session.get_one(Escalation, escalation_id)
        assert escalation.status == EscalationStatus.OPEN
        assert escalation.reasons == ["high_severity"]


def test_no_reminder_when_the_policy_expires_first(sessions: sessionmaker[Session],
                                                   dispatcher: Dispatcher) -> None:
    survey = started(sessions, dispatcher)
    quick = PolicyBook(SETTINGS, {"auto_repair": {"reminder_after_hours": 48,
                                                  "expiry_after_hours": 24}})
    report = follow_ups(sessions, NOW + timedelta(hours=24), quick)
    assert (report.reminders, report.no_response) == (0, 1)
    assert load(sessions, survey).status == CallbackStatus.NO_RESPONSE
