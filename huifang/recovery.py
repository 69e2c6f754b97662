"""Closing the loop: after an escalation is resolved, a short recovery survey asks the customer
"问题处理得怎么样？", so the supervisor sees whether the customer was won back.

The recovery survey is an ordinary callback (kind recovery, template "recovery") that goes
through the scheduler's queue like any other; it is due after the service type's policy delay
(counted from the resolution), at the next opening of the policy's contact window in the
customer's time zone. A ticket has at most one recovery
survey: resolving again after a reopen moves a not-yet-sent one, and never adds a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.callback_lifecycle import new_callback
from huifang.callback_policy import customer_zone, policy_for
from huifang.db.models import Callback, CallbackKind, CallbackStatus, Escalation
from huifang.settings import Settings, get_settings

RECOVERY_TEMPLATE = "recovery"


def schedule_recovery(session: Session, escalation: Escalation, now: datetime,
                      settings: Settings | None = None) -> Callback | None:
    """The escalation's recovery callback, created or rescheduled; None if the customer has
    opted out (they are never surveyed again)."""
    settings = settings or get_settings()
    ticket = escalation.callback.ticket
    if ticket.customer.opted_out:
        return None
    policy = policy_for(ticket.service_type, settings)
    due_at = policy.window.next_opening(now + timedelta(hours=policy.delay_hours),
                                        customer_zone(ticket, settings))
    recovery = session.scalar(
        select(Callback).where(Callback.ticket_id == ticket.id,
                               Callback.kind == CallbackKind.RECOVERY)
    )
    if recovery is None:
        recovery = new_callback(ticket, kind=CallbackKind.RECOVERY, template=RECOVERY_TEMPLATE,
                                due_at=due_at, now=now)
        session.add(recovery)
        session.flush()
    elif recovery.status == CallbackStatus.SCHEDULED and recovery.sent_at is None:
        recovery.due_at = due_at
    escalation.recovery_callback_id = recovery.id
    return recovery
