"""When the next round of a callback goes out: resume after busy_later, the reminder, a restart
after the ticket closed again — inside the customer's contact window. The state changes
themselves are huifang.callback_lifecycle's."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from huifang import callback_lifecycle as lifecycle
from huifang.callback_lifecycle import SendMode
from huifang.callback_policy import Policy, PolicyBook, customer_zone, schedule_for
from huifang.db.models import FINAL_CALLBACK_STATUSES, Callback, Ticket
from huifang.settings import Settings, get_settings


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
        lifecycle.plan_round(callback, SendMode.RESUME, due, "customer busy, asked to talk later")
    return due


def plan_reminder(callback: Callback, now: datetime, policy: Policy, settings: Settings) -> None:
    lifecycle.plan_round(callback, SendMode.REMIND, _window_opening(callback, now, policy,
                                                                    settings),
                         f"no answer for {policy.reminder_after_hours:g} h")


def restart(callback: Callback, ticket: Ticket, now: datetime, settings: Settings) -> None:
    """A ticket closed again after a reopen: its survey starts anew as a fresh "start" round."""
    lifecycle.restart(callback, schedule_for(ticket, now, settings), "ticket closed again")
