"""Silence after a delivered round: one reminder, then expiry.

An `in_progress` callback's `due_at` is its next silence check. When it comes:
- the customer has been quiet for `reminder_after_hours` and got no reminder yet → a "remind"
  round is queued (it is sent by the dispatcher like any other round, inside the window);
- quiet for `expiry_after_hours` → the callback ends: `no_response` when the customer never
  answered and said nothing the conversation kept; `completed` (reason "stopped answering")
  when some answers or kept words (a complaint, a threat) came in, and those are
  checked against the escalation rules like a finished survey. The conversation escalates as
  soon as a trigger appears, so an open escalation is normally there already and is kept as it
  is; one that is new here (answers written without the conversation) owes its alert in the
  same transaction (huifang.escalation_alerts), which the gateway's outbox delivers;
- otherwise the customer spoke meanwhile, and the check moves to the new deadline.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang import escalations
from huifang.callback_lifecycle import next_silence_check, quiet_since, stop
from huifang.callback_policy import PolicyBook
from huifang.db.models import Callback, CallbackStatus, Escalation
from huifang.rescheduling import plan_reminder
from huifang.settings import Settings


class FollowUp(enum.StrEnum):
    REMIND = "remind"
    EXPIRED = "expired"
    WAIT = "wait"


@dataclass
class FollowUpReport:
    reminders: int = 0
    no_response: int = 0
    partial: int = 0
    waiting: int = 0


def follow_up(session: Session, callback: Callback, now: datetime, book: PolicyBook,
              settings: Settings) -> FollowUp:
    policy = book.for_service(callback.ticket.service_type)
    silent_for = now - quiet_since(callback)
    if (policy.reminds and callback.reminders_sent == 0
            and silent_for >= timedelta(hours=policy.reminder_after_hours)):
        plan_reminder(callback, now, policy, settings)
        return FollowUp.REMIND
    if silent_for >= timedelta(hours=policy.expiry_after_hours):
        expire(session, callback, now, settings)
        return FollowUp.EXPIRED
    callback.due_at = next_silence_check(callback, policy)
    return FollowUp.WAIT


def expire(session: Session, callback: Callback, now: datetime, settings: Settings
           ) -> Escalation | None:
    if callback.response is None and not callback.complaints:
        stop(callback, CallbackStatus.NO_RESPONSE, "no answer before expiry", now)
        return None
    update = escalations.escalate_callback(session, callback, now, settings)
    escalation = update.escalation if update is not None else None
    stop(callback, CallbackStatus.COMPLETED, "partial: customer stopped answering", now)
    return escalation


def run_follow_ups(session: Session, now: datetime, book: PolicyBook, settings: Settings,
                   limit: int = 500) -> FollowUpReport:
    """One batch of due silence checks (rows locked, skipped if another process has them)."""
    due = session.scalars(
        select(Callback)
        .where(Callback.status == CallbackStatus.IN_PROGRESS, Callback.due_at <= now)
        .order_by(Callback.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    report = FollowUpReport()
    for callback in due:
        outcome = follow_up(session, callback, now, book, settings)
        if outcome == FollowUp.REMIND:
            report.reminders += 1
        elif outcome == FollowUp.WAIT:
            report.waiting += 1
        elif callback.status == CallbackStatus.NO_RESPONSE:
            report.no_response += 1
        else:
            report.partial += 1
    session.flush()
    return report
