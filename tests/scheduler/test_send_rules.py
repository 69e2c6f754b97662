"""May we send this round now? Each rule of huifang.send_rules on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang import consent
from huifang.callback_lifecycle import SendMode
from huifang.callback_policy import PolicyBook
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackKind, CallbackStatus, Ticket, TicketStatus
from huifang.send_rules import Decision, SendRules, Verdict
from tests.scheduler.conftest import NOW, SETTINGS, add_tickets, ticket_in


def decide(sessions: sessionmaker[Session], callback_id: int, book: PolicyBook,
           now=NOW, **changes) -> Decision:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        callback = session.get(Callback, callback_id)
        assert callback is not None
        for name, value in changes.items():
            setattr(callback, name, value)
        return SendRules(SETTINGS, book).decide(session, callback, now)


@pytest.fixture
def survey(sessions: sessionmaker[Session]) -> int:
    return add_tickets(sessions, ticket_in("T-1", "C-1"))[0]


def test_a_due_survey_inside_the_window_is_sent(sessions, survey, book) -> None:
    assert decide(sessions, survey, book).verdict == Verdict.SEND


def test_a_reopened_ticket_stops_every_round(sessions, survey, book) -> None:
    with session_scope(sessions) as session:
        session.get(Callback, survey).ticket.status = TicketStatus.REOPENED
    for mode in SendMode:
        decision = decide(sessions, survey, book, send_mode=mode.value)
        assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.CANCELLED)
        assert decision.reason == "ticket reopened"


def test_an_opted_out_customer_is_never_sent_to(sessions, survey, book) -> None:
    with session_scope(sessions) as session:
        session.get(Callback, survey).ticket.customer.opted_out_at = NOW - timedelta(minutes=1)
    decision = decide(sessions, survey, book, send_mode="resume")
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.OPTED_OUT)


def test_a_customer_who_blocked_the_bot_is_unreachable(sessions, survey, book) -> None:
    with session_scope(sessions) as session:
        customer = session.get(Callback, survey).ticket.customer
        consent.mark_unreachable(session, customer, reason="403 blocked", now=NOW)
    decision = decide(sessions, survey, book, status=CallbackStatus.SENDING)
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.UNREACHABLE)


def test_flagged_contact_data_stops_a_new_survey_only(sessions, survey, book) -> None:
    with session_scope(sessions) as session:
        customer = session.get(Callback, survey).ticket.customer
        customer.contact_flagged_at, customer.contact_flag_reason = NOW, "wrong person"
    decision = decide(sessions, survey, book)
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.CANCELLED)
    assert "wrong person" in (decision.reason or "")
    assert decide(sessions, survey, book, send_mode="remind").verdict == Verdict.SEND


def test_an_unsampled_ticket_is_cancelled_but_a_conversation_goes_on(sessions, survey) -> None:
    never = PolicyBook(SETTINGS, {"auto_repair": {"sampling_rate": 0.0}})
    decision = decide(sessions, survey, never)
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.CANCELLED)
    assert decision.reason == "not sampled (sampling rate 0)"
    assert decide(sessions, survey, never, send_mode="resume").verdict == Verdict.SEND


def _second_survey(sessions: sessionmaker[Session]) -> int:
    return add_tickets(sessions, ticket_in("T-2", "C-1"))[0]


def test_cool_down_one_survey_per_customer(sessions, survey, book) -> None:
    second = _second_survey(sessions)
    with session_scope(sessions) as session:
        session.get(Callback, survey).sent_at = NOW - timedelta(days=29)
    decision = decide(sessions, second, book)
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.CANCELLED)
    assert decision.reason == "cool-down: customer surveyed within 30 days"
    assert decide(sessions, second, book, send_mode="resume").verdict == Verdict.SEND
    with session_scope(sessions) as session:
        session.get(Callback, survey).sent_at = NOW - timedelta(days=31)
    assert decide(sessions, second, book).verdict == Verdict.SEND


def test_of_two_surveys_held_at_once_only_the_first_goes(sessions, survey, book) -> None:
    second = _second_survey(sessions)
    with session_scope(sessions) as session:
        for callback_id in (survey, second):
            session.get(Callback, callback_id).status = CallbackStatus.SENDING
    assert decide(sessions, survey, book).verdict == Verdict.SEND
    assert decide(sessions, second, book).verdict == Verdict.STOP


def test_a_recovery_survey_is_exempt_from_the_cool_down(sessions, survey, book) -> None:
    with session_scope(sessions) as session:
        original = session.get(Callback, survey)
        original.sent_at = NOW - timedelta(days=2)
        ticket: Ticket = original.ticket
        recovery = Callback(ticket=ticket, kind=CallbackKind.RECOVERY, template="recovery",
                            due_at=NOW)
        session.add(recovery)
        session.flush()
        recovery_id = recovery.id
    assert decide(sessions, recovery_id, book).verdict == Verdict.SEND


def test_too_many_attempts_fail_the_callback(sessions, survey, book) -> None:
    assert decide(sessions, survey, book, attempts=SETTINGS.max_send_attempts).verdict == (
        Verdict.SEND)
    decision = decide(sessions, survey, book, attempts=SETTINGS.max_send_attempts + 1,
                      last_error="gateway answered 503")
    assert (decision.verdict, decision.status) == (Verdict.STOP, CallbackStatus.FAILED)
    assert "503" in (decision.reason or "")


def test_outside_the_window_the_round_waits_for_the_next_opening(sessions, survey, book) -> None:
    late_evening = NOW + timedelta(hours=11)  # 21:00 local
    decision = decide(sessions, survey, book, now=late_evening)
    assert decision.verdict == Verdict.LATER
    assert decision.due_at == NOW + timedelta(hours=23)  # 09:00 local next day


def test_the_window_is_checked_in_the_customers_zone(sessions, book) -> None:
    [abroad] = add_tickets(sessions, ticket_in("T-3", "C-3", timezone="Europe/Berlin"))
    decision = decide(sessions, abroad, book)  # 03:00 in Berlin
    assert decision.verdict == Verdict.LATER
    assert decision.due_at is not None
    assert decision.due_at.hour == 8  # 09:00 CET is 08:00 UTC
