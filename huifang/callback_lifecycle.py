"""The callback's lifecycle: the one place where a callback's status and rounds change.

Statuses:
- ``scheduled``: a round is waiting to be sent at ``due_at``; ``send_mode`` says which one
  ("start" the survey, "resume" it after busy_later, or "remind" a silent customer).
- ``sending``: a dispatcher holds the round under a lease (``lease_owner``,
  ``lease_expires_at``); an expired lease makes it claimable again (scheduler/claims.py).
- ``in_progress``: the round was delivered and we wait for the customer; ``due_at`` is when
  the silence check is next due (scheduler/reminders.py: one reminder, then expiry).
- final: ``completed``, ``no_response``, ``opted_out``, ``unreachable``, ``cancelled``,
  ``failed`` — ``status_reason`` says why. Only a restart leaves one (``cancelled``, when the
  ticket closes again).

Rounds: every plan bumps ``send_round`` (never reusing a number); the gateway takes a round
with a compare-and-set on ``delivered_round`` (`take_round`) in the same transaction that
stores its messages, so whatever happens to workers a round goes out once (docs/contracts.md).

Each step has the statuses it may start from (TRANSITIONS). From a status listed as
``unchanged`` the step does nothing and returns False — the callback ended meanwhile, or a
dispatcher holds its round; from any other status it raises IllegalTransition. Reasons are cut
to their column here (huifang.db.fit), so a long one never breaks the write that ends a callback.

``last_activity_at`` is the last time the conversation moved: a start/resume round delivered or
the customer writing. Silence is measured from it; a reminder does not count.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from huifang.callback_policy import Policy
from huifang.db.fit import fit
from huifang.db.models import (
    FINAL_CALLBACK_STATUSES,
    Callback,
    CallbackKind,
    CallbackStatus,
    Campaign,
    Ticket,
)
from huifang.db.types import UTCDateTime


class SendMode(enum.StrEnum):
    START = "start"
    RESUME = "resume"
    REMIND = "remind"


class Step(enum.StrEnum):
    PLAN = "plan"  # queue the next round of an open callback (resume after busy_later, remind)
    RESTART = "restart"  # a cancelled survey starts anew: its ticket closed again
    CLAIM = "claim"  # a dispatcher leases a due round (the batched UPDATE in scheduler/claims.py)
    DELIVER = "deliver"  # the gateway delivered the round: wait for the customer
    DEFER = "defer"  # the same round, later (a send rule, a temporary failure, no address yet)
    RELEASE = "release"  # a dispatcher hands back a round it will not send
    RESUME = "resume"  # the customer is back: an answer, or a return before the planned round
    STOP = "stop"  # ended by a rule, the scheduler, the channel or the customer's consent
    FINISH = "finish"  # the conversation reached its end (completed, or cancelled: wrong person)


SCHEDULED, SENDING, IN_PROGRESS = (CallbackStatus.SCHEDULED, CallbackStatus.SENDING,
                                   CallbackStatus.IN_PROGRESS)
OPEN_STATUSES = frozenset({SCHEDULED, SENDING, IN_PROGRESS})
FINISH_STATUSES = frozenset({CallbackStatus.COMPLETED, CallbackStatus.CANCELLED})


@dataclass(frozen=True)
class Transition:
    """`moves`: from-status → to-status (None: the final status the caller names)."""

    moves: Mapping[CallbackStatus, CallbackStatus | None]
    unchanged: frozenset[CallbackStatus] = frozenset()


_ENDING = {status: None for status in OPEN_STATUSES}

TRANSITIONS: dict[Step, Transition] = {
    Step.PLAN: Transition({SCHEDULED: SCHEDULED, SENDING: SCHEDULED, IN_PROGRESS: SCHEDULED}),
    Step.RESTART: Transition({CallbackStatus.CANCELLED: SCHEDULED}),
    Step.CLAIM: Transition({SCHEDULED: SENDING, SENDING: SENDING}),
    Step.DELIVER: Transition({SENDING: IN_PROGRESS, IN_PROGRESS: IN_PROGRESS},
                             unchanged=FINAL_CALLBACK_STATUSES),
    Step.DEFER: Transition({SENDING: SCHEDULED}),
    Step.RELEASE: Transition({SENDING: SCHEDULED}),
    Step.RESUME: Transition({SCHEDULED: IN_PROGRESS, SENDING: IN_PROGRESS,
                             IN_PROGRESS: IN_PROGRESS}, unchanged=FINAL_CALLBACK_STATUSES),
    Step.STOP: Transition(_ENDING, unchanged=FINAL_CALLBACK_STATUSES),
    Step.FINISH: Transition(_ENDING, unchanged=FINAL_CALLBACK_STATUSES),
}
_TARGETS = {Step.STOP: FINAL_CALLBACK_STATUSES, Step.FINISH: FINISH_STATUSES}


class IllegalTransition(ValueError):
    def __init__(self, step: Step, status: CallbackStatus, callback_id: int | None) -> None:
        super().__init__(f"callback {callback_id}: cannot {step.value} from {status.value}")
        self.step = step
        self.status = status


def _move(callback: Callback, step: Step, target: CallbackStatus | None = None) -> bool:
    transition = TRANSITIONS[step]
    current = CallbackStatus(callback.status)
    if current in transition.unchanged:
        return False
    if current not in transition.moves:
        raise IllegalTransition(step, current, callback.id)
    to = transition.moves[current] or target
    if to is None or (step in _TARGETS and to not in _TARGETS[step]):
        raise ValueError(f"{step.value} cannot end a callback as {target}")
    callback.status = to
    return True


def _drop_lease(callback: Callback) -> None:
    callback.lease_owner = None
    callback.lease_expires_at = None


def _reason(callback: Callback, reason: str | None) -> None:
    callback.status_reason = fit(Callback.status_reason, reason)


def planned(*, template: str, due_at: datetime, now: datetime,
            kind: CallbackKind = CallbackKind.SURVEY) -> dict[str, Any]:
    """The columns of a newly planned callback: scheduled, its first round a "start"."""
    return {"kind": kind, "template": template, "status": SCHEDULED, "send_round": 1,
            "send_mode": SendMode.START.value, "delivered_round": 0, "attempts": 0,
            "due_at": due_at, "created_at": now}


def new_callback(ticket: Ticket, *, template: str, due_at: datetime, now: datetime,
                 kind: CallbackKind = CallbackKind.SURVEY,
                 campaign: Campaign | None = None) -> Callback:
    return Callback(ticket=ticket, campaign=campaign,
                    **planned(template=template, due_at=due_at, now=now, kind=kind))


def _next_round(callback: Callback, mode: SendMode, due_at: datetime, reason: str) -> None:
    callback.send_round = max(callback.send_round, callback.delivered_round) + 1
    callback.send_mode = mode.value
    _reason(callback, reason)
    callback.due_at = due_at
    callback.attempts = 0
    callback.finished_at = None
    _drop_lease(callback)


def plan_round(callback: Callback, mode: SendMode, due_at: datetime, reason: str) -> None:
    """Queue the next round (resume or remind) of an open callback."""
    if mode == SendMode.START:
        raise ValueError("a start round is planned with the callback, or by restart()")
    _move(callback, Step.PLAN)
    _next_round(callback, mode, due_at, reason)


def restart(callback: Callback, due_at: datetime, reason: str) -> None:
    """A cancelled survey starts anew as a fresh "start" round (its ticket closed again)."""
    _move(callback, Step.RESTART)
    _next_round(callback, SendMode.START, due_at, reason)
    callback.reminders_sent = 0


CLAIMABLE_STATUSES = frozenset(TRANSITIONS[Step.CLAIM].moves)


def claim_values(owner: str, now: datetime, lease_seconds: float) -> dict[str, Any]:
    """What the batched claim (scheduler/claims.py) sets on each row it takes."""
    return {"status": TRANSITIONS[Step.CLAIM].moves[SCHEDULED], "lease_owner": owner,
            "lease_expires_at": now + timedelta(seconds=lease_seconds),
            "attempts": Callback.attempts + 1}


def take_round(session: Session, callback_id: int, round_: int, now: datetime) -> bool:
    """The gateway's compare-and-set: only one caller ever gets a given round. Done in the
    transaction that stores the round's messages (bot/callback_rounds.py)."""
    changed = session.execute(
        update(Callback)
        .where(Callback.id == callback_id, Callback.delivered_round < round_)
        .values(delivered_round=round_,
                sent_at=func.coalesce(Callback.sent_at, literal(now, UTCDateTime())))
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


def deliver(callback: Callback, mode: SendMode, now: datetime, policy: Policy) -> bool:
    """The gateway delivered the round (now, or before a crash): wait for the customer, with
    the silence check due. A callback that ended meanwhile stays ended."""
    if not _move(callback, Step.DELIVER):
        return False
    callback.last_error = None
    _reason(callback, None)
    _drop_lease(callback)
    if mode == SendMode.REMIND:
        callback.reminders_sent += 1
    else:
        callback.last_activity_at = max(now, callback.last_activity_at or now)
        if mode == SendMode.START:
            callback.agent_at_send = callback.ticket.agent
    callback.due_at = next_silence_check(callback, policy)
    return True


def defer(callback: Callback, due_at: datetime, reason: str, error: str | None = None) -> None:
    """Send the same round later (outside the window, gateway busy, no address yet)."""
    _move(callback, Step.DEFER)
    _reason(callback, reason)
    callback.due_at = due_at
    callback.last_error = fit(Callback.last_error, error)
    _drop_lease(callback)


def release(callback: Callback) -> None:
    """A dispatcher hands back a round it claimed but will not send: claimable again at once."""
    _move(callback, Step.RELEASE)
    _drop_lease(callback)


def resume(callback: Callback, now: datetime) -> bool:
    """The customer is back (an answer, or a return before the planned resume round): the
    round planned meanwhile is consumed, so neither the claim nor — if a dispatcher already
    holds it — the gateway's compare-and-set lets it out. Never called for a round the gateway
    itself is delivering (its trigger is not the customer coming back)."""
    if not _move(callback, Step.RESUME):
        return False
    callback.delivered_round = max(callback.delivered_round, callback.send_round)
    callback.last_activity_at = now
    return True


def stop(callback: Callback, status: CallbackStatus, reason: str | None,
         now: datetime) -> bool:
    """End an open callback as `status` (a final one); one that has ended keeps its end."""
    return _end(callback, Step.STOP, status, reason, now)


def finish(callback: Callback, now: datetime, status: CallbackStatus = CallbackStatus.COMPLETED,
           reason: str | None = None) -> bool:
    """The conversation reached its end: completed, or cancelled (wrong person)."""
    return _end(callback, Step.FINISH, status, reason, now)


def _end(callback: Callback, step: Step, status: CallbackStatus, reason: str | None,
         now: datetime) -> bool:
    if not _move(callback, step, status):
        return False
    _reason(callback, reason)
    callback.finished_at = now
    _drop_lease(callback)
    return True


def stop_all_for_customer(session: Session, customer_id: int, status: CallbackStatus,
                          reason: str, now: datetime) -> int:
    """Opt-out or unreachable: every open callback of the customer ends; returns how many."""
    open_callbacks = session.scalars(
        select(Callback).join(Ticket)
        .where(Ticket.customer_id == customer_id, Callback.status.in_(OPEN_STATUSES))
        .order_by(Callback.id)
        .with_for_update(of=Callback)
    ).all()
    return sum(stop(callback, status, reason, now) for callback in open_callbacks)


def quiet_since(callback: Callback) -> datetime:
    return callback.last_activity_at or callback.sent_at or callback.due_at


def next_silence_check(callback: Callback, policy: Policy) -> datetime:
    reminder_pending = policy.reminds and callback.reminders_sent == 0
    hours = policy.reminder_after_hours if reminder_pending else policy.expiry_after_hours
    return quiet_since(callback) + timedelta(hours=hours)
