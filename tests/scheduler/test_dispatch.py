"""One dispatch pass end to end against the gateway stand-in: claim, re-check, send, record."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang import consent
from huifang.callback_policy import PolicyBook
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackStatus
from huifang.send_rules import SendRules
from scheduler.dispatch import RUNAWAY_MARGIN, Dispatcher
from scheduler.gateway_client import GatewayClient
from tests.scheduler.conftest import NOW, SETTINGS, FakeClock, add_tickets, due_now, load, ticket_in
from tests.scheduler.gateway_standin import Delivery, GatewayStandIn


def test_a_due_callback_is_started_once_and_waits_for_the_customer(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    report = dispatcher.run_pass()
    assert (report.claimed, report.delivered, report.messages) == (1, 1, 2)
    assert gateway_standin.deliveries == [Delivery(survey, 1, "start", None)]
    callback = load(sessions, survey)
    assert callback.status == CallbackStatus.IN_PROGRESS
    assert (callback.delivered_round, callback.sent_at, callback.agent_at_send) == (1, NOW, "李师傅")
    assert callback.lease_owner is None and callback.attempts == 1
    assert callback.due_at == NOW + timedelta(hours=24)  # the silence check: reminder
    assert dispatcher.run_pass().claimed == 0
    assert len(gateway_standin.deliveries) == 1


def test_nothing_is_sent_before_it_is_due(sessions: sessionmaker[Session], dispatcher: Dispatcher,
                                          clock: FakeClock,
                                          gateway_standin: GatewayStandIn) -> None:
    closed = NOW - timedelta(hours=1)  # due 24 h after close, 09:00 tomorrow local
    [survey] = add_tickets(sessions, ticket_in("T-1", closed_at=closed))
    assert dispatcher.run_pass().claimed == 0
    clock.now = closed + timedelta(hours=24) - timedelta(seconds=1)
    assert dispatcher.run_pass().claimed == 0
    clock.advance(seconds=1)
    assert dispatcher.run_pass().delivered == 1
    assert gateway_standin.delivered_ids() == [survey]


def test_opt_out_after_the_claim_is_honoured_at_send_time(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    [claim] = dispatcher.claim()
    with session_scope(sessions) as session:
        customer = session.get(Callback, survey).ticket.customer
        consent.opt_out(session, customer, source="conversation", reason="退订", now=NOW)
    report = dispatcher.dispatch(claim)
    assert report.delivered == 0
    assert gateway_standin.deliveries == []
    assert load(sessions, survey).status == CallbackStatus.OPTED_OUT


def test_opt_out_recorded_elsewhere_is_caught_by_the_send_rules(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    with session_scope(sessions) as session:  # e.g. a bulk import of a do-not-contact list
        session.get(Callback, survey).ticket.customer.opted_out_at = NOW
    assert dispatcher.run_pass().stopped == 1
    assert gateway_standin.deliveries == []
    callback = load(sessions, survey)
    assert (callback.status, callback.status_reason) == (CallbackStatus.OPTED_OUT,
                                                         "customer opted out")
    assert callback.finished_at == NOW and callback.lease_owner is None


def test_a_round_due_at_night_waits_for_the_morning(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    clock.now = NOW + timedelta(hours=12)  # 22:00 local: the dispatcher was down all day
    assert dispatcher.run_pass().later == 1
    callback = load(sessions, survey)
    assert (callback.status, callback.due_at) == (CallbackStatus.SCHEDULED,
                                                  NOW + timedelta(hours=23))
    assert callback.status_reason == "outside the contact window"
    clock.now = NOW + timedelta(hours=23)
    assert dispatcher.run_pass().delivered == 1
    assert gateway_standin.delivered_ids() == [survey]


def test_a_temporary_failure_is_retried_with_backoff_then_given_up(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    gateway_standin.forced[survey] = (503, {"status": "rasa_unavailable"})
    waits = []
    for _ in range(SETTINGS.max_send_attempts):
        assert dispatcher.run_pass().later == 1
        callback = load(sessions, survey)
        assert callback.status == CallbackStatus.SCHEDULED
        assert "503" in (callback.last_error or "")
        waits.append(callback.due_at - clock.now)
        clock.now = callback.due_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert dispatcher.run_pass().stopped == 1
    callback = load(sessions, survey)
    assert callback.status == CallbackStatus.FAILED
    assert callback.status_reason.startswith("gave up after 3 attempts")
    assert gateway_standin.deliveries == []


def test_a_give_up_reason_longer_than_its_column_still_ends_the_callback(
        sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: FakeClock,
        gateway_standin: GatewayStandIn) -> None:
    """Issue 14: on PostgreSQL the over-long reason made the final write fail; the error was
    swallowed and the callback re-claimed every lease, forever."""
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    gateway_standin.forced[survey] = (503, {"detail": "网关忙碌，" * 80})
    for _ in range(3 * SETTINGS.max_send_attempts):
        dispatcher.run_pass()
        callback = load(sessions, survey)
        if callback.status == CallbackStatus.FAILED:
            break
        clock.now = max(clock.now, callback.due_at,
                        callback.lease_expires_at or clock.now) + timedelta(seconds=1)
    assert callback.status == CallbackStatus.FAILED
    assert callback.status_reason.startswith("gave up after 3 attempts: gateway answered 503")
    assert len(callback.status_reason) == 200 and callback.status_reason.endswith("…")
    assert callback.lease_owner is None and callback.finished_at is not None
    assert dispatcher.run_pass().claimed == 0


class BrokenRules(SendRules):
    def decide(self, session, callback, now):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in a send rule")


def test_a_round_whose_dispatch_keeps_failing_is_given_up_with_an_alert(
        sessions: sessionmaker[Session], gateway: GatewayClient, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn,
        caplog: pytest.LogCaptureFixture) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    broken = Dispatcher(sessions, gateway, BrokenRules(SETTINGS, book), SETTINGS,
                        owner="broken", concurrency=1, clock=clock)
    claims = []
    with caplog.at_level(logging.ERROR):
        for _ in range(10):
            report = broken.run_pass()
            claims.append(report.claimed)
            clock.advance(seconds=SETTINGS.lease_seconds + 1)
    broken.close()
    limit = SETTINGS.max_send_attempts + RUNAWAY_MARGIN
    assert claims == [1] * (limit + 1) + [0] * (10 - limit - 1)
    callback = load(sessions, survey)
    assert callback.status == CallbackStatus.FAILED and callback.lease_owner is None
    assert callback.status_reason.startswith(f"gave up: claimed {limit + 1} times")
    alerts = [r.getMessage() for r in caplog.records if "OPERATIONS ALERT" in r.getMessage()]
    assert alerts == [f"OPERATIONS ALERT: callback {survey} failed — claimed {limit + 1} "
                      "times, its dispatch never recorded an outcome"]
    assert gateway_standin.deliveries == []


def test_the_gateway_says_the_customer_is_unreachable(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    gateway_standin.forced[survey] = (409, {"status": "unreachable"})
    assert dispatcher.run_pass().stopped == 1
    assert load(sessions, survey).status == CallbackStatus.UNREACHABLE


def test_a_customer_without_an_address_is_tried_again_tomorrow(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    gateway_standin.forced[survey] = (409, {"status": "no_address"})
    assert dispatcher.run_pass().later == 1
    callback = load(sessions, survey)
    assert (callback.status, callback.due_at) == (CallbackStatus.SCHEDULED,
                                                  NOW + timedelta(days=1))


def test_a_batch_larger_than_the_claim_size_is_drained_in_one_pass(
        sessions: sessionmaker[Session], dispatcher: Dispatcher,
        gateway_standin: GatewayStandIn) -> None:
    ids = add_tickets(sessions, *(ticket_in(f"T-{n}") for n in range(45)))
    due_now(sessions, *ids)
    report = dispatcher.run_pass()
    assert (report.claimed, report.delivered) == (45, 45)
    assert gateway_standin.delivered_ids() == sorted(ids)


def test_a_stopping_dispatcher_claims_nothing_more(sessions: sessionmaker[Session],
                                                    dispatcher: Dispatcher,
                                                    gateway_standin: GatewayStandIn) -> None:
    [survey] = add_tickets(sessions, ticket_in("T-1"))
    due_now(sessions, survey)
    dispatcher.stop()
    assert dispatcher.run_pass().claimed == 0
    assert load(sessions, survey).status == CallbackStatus.SCHEDULED
    assert gateway_standin.deliveries == []
