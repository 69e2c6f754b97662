"""busy_later, reopen and re-close: each plans a round in the one queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from huifang import survey_answers
from huifang.callback_policy import PolicyBook
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackStatus
from huifang.intake import ingest, reopen_ticket
from huifang.rescheduling import reschedule_busy
from scheduler.dispatch import Dispatcher
from tests.scheduler.conftest import NOW, SETTINGS, FakeClock, add_tickets, due_now, load, ticket_in
from tests.scheduler.gateway_standin import Delivery, GatewayStandIn


def started(sessions: sessionmaker[Session], dispatcher: Dispatcher) -> int:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    assert dispatcher.run_pass().delivered == 1
    return survey


def busy(sessions: sessionmaker[Session], survey: int, at, book: PolicyBook):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return reschedule_busy(session, session.get(Callback, survey), at, settings=SETTINGS,
                               book=book)


def test_busy_later_resumes_hours_later_through_the_queue(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    said_busy = NOW + timedelta(minutes=5)
    due = busy(sessions, survey, said_busy, book)
    assert due == said_busy + timedelta(hours=3)
    callback = load(sessions, survey)
    assert (callback.status, callback.send_mode, callback.send_round, callback.due_at) == (
        CallbackStatus.SCHEDULED, "resume", 2, due)
    clock.now = due - timedelta(seconds=1)
    assert dispatcher.run_pass().claimed == 0
    clock.now = due
    assert dispatcher.run_pass().delivered == 1
    assert gateway_standin.deliveries[-1] == Delivery(survey, 2, "resume", None)
    callback = load(sessions, survey)
    assert callback.status == CallbackStatus.IN_PROGRESS
    assert callback.due_at == due + timedelta(hours=24)  # silence counted from the resume


def test_busy_in_the_evening_resumes_next_morning(sessions: sessionmaker[Session],
                                                  dispatcher: Dispatcher,
                                                  book: PolicyBook) -> None:
    survey = started(sessions, dispatcher)
    evening = NOW + timedelta(hours=9)  # 19:00 local; +3 h would be 22:00
    assert busy(sessions, survey, evening, book) == NOW + timedelta(hours=23)  # 09:00 local


def test_busy_later_honours_the_service_types_hours(sessions: sessionmaker[Session],
                                                    dispatcher: Dispatcher) -> None:
    survey = started(sessions, dispatcher)
    patient = PolicyBook(SETTINGS, {"auto_repair": {"busy_later_hours": 1}})
    assert busy(sessions, survey, NOW, patient) == NOW + timedelta(hours=1)


def test_a_customer_back_before_the_resume_consumes_the_round(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    due = busy(sessions, survey, NOW, book)
    with session_scope(sessions) as session:
        survey_answers.mark_resumed(session, survey, NOW + timedelta(hours=1))
    clock.now = due
    assert dispatcher.run_pass().claimed == 0
    assert [d.mode for d in gateway_standin.deliveries] == ["start"]


def test_a_round_consumed_after_the_claim_is_not_delivered_again(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    clock.now = busy(sessions, survey, NOW, book)
    [claim] = dispatcher.claim()
    with session_scope(sessions) as session:  # the customer writes while the round is held
        survey_answers.mark_resumed(session, survey, clock.now)
    assert dispatcher.dispatch(claim).already_sent == 1
    assert [d.mode for d in gateway_standin.deliveries] == ["start"]
    assert load(sessions, survey).status == CallbackStatus.IN_PROGRESS


def test_busy_after_the_end_changes_nothing(sessions: sessionmaker[Session],
                                            dispatcher: Dispatcher, book: PolicyBook) -> None:
    survey = started(sessions, dispatcher)
    with session_scope(sessions) as session:
        survey_answers.finish(session, session.get(Callback, survey), NOW)
    busy(sessions, survey, NOW, book)
    assert load(sessions, survey).status == CallbackStatus.COMPLETED


def test_reopen_cancels_the_pending_survey_and_reclosing_starts_anew(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    with session_scope(sessions) as session:
        reopen_ticket(session, "T-1", NOW)
    callback = load(sessions, survey)
    assert (callback.status, callback.status_reason) == (CallbackStatus.CANCELLED,
                                                         "ticket reopened")
    clock.now = NOW + timedelta(days=2)
    assert dispatcher.run_pass().claimed == 0

    closed_again = NOW + timedelta(days=3)
    with session_scope(sessions) as session:
        result = ingest(session, [ticket_in("T-1", closed_at=closed_again)], closed_again,
                        SETTINGS)
    assert result.rescheduled == ["T-1"]
    callback = load(sessions, survey)
    assert (callback.status, callback.send_mode, callback.send_round, callback.due_at) == (
        CallbackStatus.SCHEDULED, "start", 2, closed_again + timedelta(hours=24))
    assert callback.ticket.closed_at == closed_again
    clock.now = callback.due_at
    assert dispatcher.run_pass().delivered == 1
    assert gateway_standin.deliveries == [Delivery(survey, 2, "start", None)]


def test_a_ticket_reopened_during_the_survey_gets_no_more_rounds(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    survey = started(sessions, dispatcher)
    clock.now = busy(sessions, survey, NOW, book)
    with session_scope(sessions) as session:
        reopen_ticket(session, "T-1", NOW + timedelta(hours=1))
    assert dispatcher.run_pass().stopped == 1
    assert load(sessions, survey).status == CallbackStatus.CANCELLED
    assert [d.mode for d in gateway_standin.deliveries] == ["start"]


def test_reopening_twice_keeps_the_first_reopen_time(sessions: sessionmaker[Session]) -> None:
    add_tickets(sessions, ticket_in("T-1"))
    with session_scope(sessions) as session:
        reopen_ticket(session, "T-1", NOW)
    with session_scope(sessions) as session:
        ticket = reopen_ticket(session, "T-1", NOW + timedelta(hours=2))
        assert ticket is not None and ticket.reopened_at == NOW
