"""Planning the sends of a callback: every timed step goes through one queue.

Status semantics (the dispatcher claims every due round the same way):

- ``scheduled``: a round is waiting to be sent at ``due_at``; ``send_mode`` says which one
  ("start" the survey, "resume" it after busy_later, or "remind" a silent customer).
- ``sending``: a dispatcher holds the round under a lease (``lease_owner``,
  ``lease_expires_at``); an expired lease makes it claimable again.
- ``in_progress``: the round was delivered and we wait for the customer; ``due_at`` is when
  the silence check is next due (reminders.py: one reminder, then expiry).
- final: ``completed``, ``no_response``, ``opted_out``, ``unreachable``, ``cancelled``,
  ``failed`` — ``status_reason`` says why.

Every plan bumps ``send_round`` (never reusing a number), because the gateway delivers a round
only if ``delivered_round`` is below it: whatever happens to workers, a round goes out once.

``last_activity_at`` is the last time the conversation moved: a start/resume round delivered
or an answer from the customer. Silence is measured from it; a reminder does not count.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from huifang.callback_policy import Policy, PolicyBook, customer_zone, schedule_for
from huifang.db.models import FINAL_CALLBACK_STATUSES, Callback, CallbackStatus, Ticket
from huifang.settings import Settings, get_settings


class SendMode(enum.StrEnum):
    START = "start"
    RESUME = "resume"
    REMIND = "remind"


def plan_round(callback: Callback, mode: SendMode, due_at: datetime, reason: str) -> None:
    """Queue the next round of this callback."""
    callback.send_round = max(callback.send_round, callback.delivered_round) + 1
    callback.send_mode = mode.value
    callback.status = CallbackStatus.SCHEDULED
    callback.status_reason = reason
    callback.due_at = due_at
    callback.attempts = 0
    callback.finished_at = None
    release(callback)


def defer(callback: Callback, due_at: datetime, reason: str, error: str | None = None) -> None:
    """Send the same round later (outside the window, gateway busy, no address yet)."""
    callback.status = CallbackStatus.SCHEDULED
    callback.status_reason = reason
    callback.due_at = due_at
    callback.last_error = error
    release(callback)


def stop(callback: Callback, status: CallbackStatus, reason: str, now: datetime) -> None:
    callback.status = status
    callback.status_reason = reason
    callback.finished_at = now
    release(callback)


def release(callback: Callback) -> None:
    callback.lease_owner = None
    callback.lease_expires_at = None


def _window_opening(callback: Callback, moment: datetime, policy: Policy,
                    settings: Settings) -> datetime:
    return policy.window.next_opening(moment, customer_zone(callback.ticket, settings))


def reschedule_busy(session: Session, callback: Callback, now: datetime,
                    hours: float | None = None, settings: Settings | None = None,
                    book: PolicyBook | None = None) -> datetime:
    """"现在不方便": resume the conversation `hours` later (the service type's busy_later_hours
    by default), inside the customer's contact window. Returns when we will write again."""
    settings = settings or get_settings()
    policy = (book or PolicyBook.load(settings)).for_service(callback.ticket.service_type)
    wait = policy.busy_later_hours if hours is None else hours
    due = _window_opening(callback, now + timedelta(hours=wait), policy, settings)
    if callback.status not in FINAL_CALLBACK_STATUSES:
        callback.last_activity_at = now
        plan_round(callback, SendMode.RESUME, due, "customer busy, asked to talk later")
    return due


def plan_reminder(callback: Callback, now: datetime, policy: Policy, settings: Settings) -> None:
    plan_round(callback, SendMode.REMIND, _window_opening(callback, now, policy, settings),
               f"no answer for {policy.reminder_after_hours:g} h")


def restart(callback: Callback, ticket: Ticket, now: datetime, settings: Settings) -> None:
    """A ticket closed again after a reopen: its survey starts anew as a fresh "start" round."""
    plan_round(callback, SendMode.START, schedule_for(ticket, now, settings),
               "ticket closed again")
    callback.reminders_sent = 0


def mark_delivered(callback: Callback, mode: SendMode, now: datetime, policy: Policy) -> None:
    """The gateway delivered the round: wait for the customer, with the silence check due."""
    if callback.status == CallbackStatus.SENDING:
        callback.status = CallbackStatus.IN_PROGRESS
        callback.status_reason = None
    callback.last_error = None
    release(callback)
    if mode == SendMode.REMIND:
        callback.reminders_sent += 1
    else:
        callback.last_activity_at = max(now, callback.last_activity_at or now)
        if mode == SendMode.START:
            callback.agent_at_send = callback.ticket.agent
    callback.due_at = next_silence_check(callback, policy)


def quiet_since(callback: Callback) -> datetime:
    return callback.last_activity_at or callback.sent_at or callback.due_at


def next_silence_check(callback: Callback, policy: Policy) -> datetime:
    reminder_pending = policy.reminds and callback.reminders_sent == 0
    hours = policy.reminder_after_hours if reminder_pending else policy.expiry_after_hours
    return quiet_since(callback) + timedelta(hours=hours)
