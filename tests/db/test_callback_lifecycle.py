"""The callback lifecycle, transition by transition, on SQLite and PostgreSQL: each step is
applied to a callback in every status; it moves it as the table below says, leaves it as it is,
or raises. The expectations are written out here, not read from the module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang import callback_lifecycle as lifecycle
from huifang.callback_lifecycle import IllegalTransition, SendMode, Step
from huifang.callback_policy import PolicyBook
from huifang.db.models import Callback, CallbackStatus, Customer, Ticket
from huifang.settings import Settings
from scheduler.claims import claim_due

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=3)
POLICY = PolicyBook(Settings(_env_file=None, internal_token=SecretStr("x" * 32)),
                    {}).for_service("auto_repair")

S, X, P = CallbackStatus.SCHEDULED, CallbackStatus.SENDING, CallbackStatus.IN_PROGRESS
C, NR, OO, UR, CA, F = (CallbackStatus.COMPLETED, CallbackStatus.NO_RESPONSE,
                        CallbackStatus.OPTED_OUT, CallbackStatus.UNREACHABLE,
                        CallbackStatus.CANCELLED, CallbackStatus.FAILED)
FINAL = (C, NR, OO, UR, CA, F)

Apply = Callable[[Callback], object]
APPLY: dict[Step, Apply] = {
    Step.PLAN: lambda c: lifecycle.plan_round(c, SendMode.REMIND, LATER, "no answer for 24 h"),
    Step.RESTART: lambda c: lifecycle.restart(c, LATER, "ticket closed again"),
    Step.DELIVER: lambda c: lifecycle.deliver(c, SendMode.START, NOW, POLICY),
    Step.DEFER: lambda c: lifecycle.defer(c, LATER, "outside the contact window", "503"),
    Step.RELEASE: lambda c: lifecycle.release(c),
    Step.RESUME: lambda c: lifecycle.resume(c, NOW),
    Step.STOP: lambda c: lifecycle.stop(c, F, "gave up", NOW),
    Step.FINISH: lambda c: lifecycle.finish(c, NOW, CA, "wrong person"),
}

# step → {from: to}; statuses in UNCHANGED stay as they are; every other one raises
MOVES: dict[Step, dict[CallbackStatus, CallbackStatus]] = {
    Step.PLAN: {S: S, X: S, P: S},
    Step.RESTART: {CA: S},
    Step.DELIVER: {X: P, P: P},
    Step.DEFER: {X: S},
    Step.RELEASE: {X: S},
    Step.RESUME: {S: P, X: P, P: P},
    Step.STOP: {S: F, X: F, P: F},
    Step.FINISH: {S: CA, X: CA, P: CA},
}
UNCHANGED: dict[Step, tuple[CallbackStatus, ...]] = {
    Step.DELIVER: FINAL, Step.RESUME: FINAL, Step.STOP: FINAL, Step.FINISH: FINAL,
}


def callback_in(session: Session, status: CallbackStatus, name: str) -> Callback:
    customer = Customer(external_id=f"C-{name}")
    ticket = Ticket(external_id=f"T-{name}", customer=customer, service_type="auto_repair",
                    agent="李师傅", closed_at=NOW - timedelta(days=1))
    callback = lifecycle.new_callback(ticket, template="generic", due_at=NOW - timedelta(
        minutes=1), now=NOW - timedelta(days=1))
    callback.status = status  # the starting point of the case, set directly
    callback.send_round, callback.delivered_round = 2, 1
    if status == X:
        callback.lease_owner, callback.lease_expires_at = "worker", NOW - timedelta(seconds=1)
    session.add(callback)
    session.flush()
    return callback


@pytest.mark.parametrize("step", list(APPLY), ids=lambda s: s.value)
def test_each_step_from_every_status(session: Session, step: Step) -> None:
    callbacks = {status: callback_in(session, status, f"{step}-{status}")
                 for status in CallbackStatus}
    for status, callback in callbacks.items():
        if status in MOVES[step] or status in UNCHANGED.get(step, ()):
            APPLY[step](callback)
        else:
            with pytest.raises(IllegalTransition):
                APPLY[step](callback)
    session.commit()
    session.expire_all()
    for status, callback in callbacks.items():
        stored = session.get_one(Callback, callback.id)
        assert stored.status == MOVES[step].get(status, status), (step, status)
        if status in MOVES[step] and step != Step.RESUME:
            assert stored.lease_owner is None and stored.lease_expires_at is None


def test_planning_numbers_a_new_round(session: Session) -> None:
    callback = callback_in(session, P, "plan")
    callback.attempts = 3
    lifecycle.plan_round(callback, SendMode.RESUME, LATER, "customer busy, asked to talk later")
    session.commit()
    assert (callback.send_round, callback.send_mode, callback.due_at, callback.attempts) == (
        3, "resume", LATER, 0)
    with pytest.raises(ValueError):
        lifecycle.plan_round(callback, SendMode.START, LATER, "start again")


def test_a_restart_starts_over_from_a_fresh_start_round(session: Session) -> None:
    callback = callback_in(session, CA, "restart")
    callback.reminders_sent, callback.finished_at = 1, NOW
    lifecycle.restart(callback, LATER, "ticket closed again")
    session.commit()
    assert (callback.status, callback.send_mode, callback.send_round, callback.reminders_sent,
            callback.finished_at) == (S, "start", 3, 0, None)


def test_delivery_starts_the_silence_clock(session: Session) -> None:
    start, remind = callback_in(session, X, "start"), callback_in(session, X, "remind")
    lifecycle.deliver(start, SendMode.START, NOW, POLICY)
    lifecycle.deliver(remind, SendMode.REMIND, NOW, POLICY)
    session.commit()
    assert (start.last_activity_at, start.agent_at_send, start.reminders_sent) == (
        NOW, "李师傅", 0)
    assert start.due_at == NOW + timedelta(hours=POLICY.reminder_after_hours)
    assert remind.reminders_sent == 1 and remind.last_activity_at is None


def test_a_customer_back_consumes_the_planned_round(session: Session) -> None:
    callback = callback_in(session, X, "resume")
    assert lifecycle.resume(callback, NOW)
    session.commit()
    assert (callback.status, callback.delivered_round, callback.last_activity_at) == (
        P, 2, NOW)
    assert not lifecycle.take_round(session, callback.id, 2, NOW)  # the gateway's CAS loses


def test_the_gateway_takes_each_round_once(session: Session) -> None:
    callback = callback_in(session, X, "take")
    session.commit()
    assert lifecycle.take_round(session, callback.id, 2, NOW)
    assert not lifecycle.take_round(session, callback.id, 2, NOW + timedelta(minutes=1))
    assert not lifecycle.take_round(session, callback.id, 1, NOW)
    session.commit()
    session.expire_all()
    stored = session.get_one(Callback, callback.id)
    assert (stored.delivered_round, stored.sent_at) == (2, NOW)


@pytest.mark.parametrize("step,status", [(Step.STOP, P), (Step.FINISH, NR)])
def test_an_end_must_be_a_final_status_the_step_allows(session: Session, step: Step,
                                                       status: CallbackStatus) -> None:
    callback = callback_in(session, P, f"end-{step}")
    end = (lambda: lifecycle.stop(callback, status, "x", NOW)) if step == Step.STOP else (
        lambda: lifecycle.finish(callback, NOW, status, "x"))
    with pytest.raises(ValueError):
        end()


def test_a_reason_longer_than_its_column_is_cut_not_refused(session: Session) -> None:
    """PostgreSQL refuses a value longer than varchar(200): the write that ends a callback
    must still succeed (issue 14)."""
    stopped, deferred = callback_in(session, P, "long-stop"), callback_in(session, X, "long")
    lifecycle.stop(stopped, F, "gave up after 5 attempts: " + "网关忙碌，" * 100, NOW)
    lifecycle.defer(deferred, LATER, "temporary failure, " + "重试" * 150, "x" * 9000)
    session.commit()
    session.expire_all()
    for callback_id in (stopped.id, deferred.id):
        reason = session.get_one(Callback, callback_id).status_reason
        assert len(reason) == 200 and reason.endswith("…")
    assert len(session.get_one(Callback, deferred.id).last_error) == 4000


def test_stop_all_for_customer_ends_only_the_open_callbacks(session: Session) -> None:
    customer = Customer(external_id="C-all")
    callbacks = {}
    for status in (S, X, P, C):
        ticket = Ticket(external_id=f"T-all-{status}", customer=customer,
                        service_type="auto_repair", closed_at=NOW - timedelta(days=1))
        callbacks[status] = lifecycle.new_callback(ticket, template="generic", due_at=NOW,
                                                   now=NOW)
        callbacks[status].status = status
        session.add(callbacks[status])
    other = callback_in(session, S, "someone-else")
    session.flush()
    stopped = lifecycle.stop_all_for_customer(session, customer.id, OO, "customer opted out",
                                              NOW)
    session.commit()
    assert stopped == 3
    assert {s: c.status for s, c in callbacks.items()} == {S: OO, X: OO, P: OO, C: C}
    assert other.status == S


def test_the_claim_takes_what_the_table_allows(session: Session) -> None:
    """The batched claim (scheduler/claims.py) is one UPDATE; its statuses are the table's."""
    callbacks = {status: callback_in(session, status, f"claim-{status}")
                 for status in CallbackStatus}
    session.commit()
    claimed = {c.callback_id for c in claim_due(session, "worker-b", NOW, 50, 300)}
    session.commit()
    assert claimed == {callbacks[s].id for s in lifecycle.CLAIMABLE_STATUSES} == {
        callbacks[S].id, callbacks[X].id}
    session.expire_all()
    rows = session.scalars(select(Callback).where(Callback.id.in_(claimed))).all()
    assert {(c.status, c.lease_owner) for c in rows} == {(X, "worker-b")}
