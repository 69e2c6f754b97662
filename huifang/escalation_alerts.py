"""Alerts supervisors are owed about escalations (docs/reliability.md, "Escalation alerts").

An alert is owed in the transaction that creates its reason — a new escalation or a raised
priority (huifang.escalations), a deadline passed (scheduler/escalation_watch.py) — as an
`escalation_alert` row whose key ("alert:<escalation>:<kind>:<version>") makes owing it twice
impossible. The gateway renders each waiting alert into one outbound message of the supervisors'
chat and delivers it at least once through its outbox; the escalation's `alerted_at` and
`overdue_alerted_at` are set only when Telegram accepted it (`confirm`). An alert whose message
failed or is in doubt is never owed again: the console lists it for a person to follow up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from huifang.branch_scope import Scope, in_scope
from huifang.db.models import (
    AlertKind,
    Callback,
    DeliveryStatus,
    Escalation,
    EscalationAlert,
    EscalationStatus,
    Message,
    Ticket,
)

UNALERTED_GRACE = timedelta(minutes=5)
UNDELIVERABLE = (DeliveryStatus.FAILED, DeliveryStatus.IN_DOUBT)


def alert_key(escalation_id: int, kind: AlertKind, version: str = "1") -> str:
    return f"alert:{escalation_id}:{kind.value}:{version}"


def owe(session: Session, escalation: Escalation, kind: AlertKind, now: datetime,
        version: str = "1") -> EscalationAlert | None:
    """Owe supervisors this alert, unless it is owed already; None then."""
    session.flush()
    key = alert_key(escalation.id, kind, version)
    if session.scalar(select(EscalationAlert.id).where(EscalationAlert.key == key)) is not None:
        return None
    alert = EscalationAlert(escalation=escalation, kind=kind, key=key, created_at=now)
    session.add(alert)
    return alert


def _no_alert_of(kind: AlertKind | None):  # type: ignore[no-untyped-def]
    condition = EscalationAlert.escalation_id == Escalation.id
    if kind is not None:
        condition = condition & (EscalationAlert.kind == kind)
    return ~exists().where(condition)


def owe_overdue(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Unresolved escalations past their deadline owe one overdue alert (an escalation never
    alerted gets this one only)."""
    due = session.scalars(
        select(Escalation)
        .where(Escalation.status != EscalationStatus.RESOLVED, Escalation.due_at < now,
               _no_alert_of(AlertKind.OVERDUE))
        .order_by(Escalation.due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return [e.id for e in due if owe(session, e, AlertKind.OVERDUE, now) is not None]


def owe_unalerted(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Escalations that owe nothing yet and were never alerted — made before alerts were owed
    with them — get their first alert after a grace period."""
    found = session.scalars(
        select(Escalation)
        .where(Escalation.status != EscalationStatus.RESOLVED, Escalation.due_at >= now,
               Escalation.alerted_at.is_(None), Escalation.created_at <= now - UNALERTED_GRACE,
               _no_alert_of(None))
        .order_by(Escalation.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return [e.id for e in found if owe(session, e, AlertKind.NEW, now) is not None]


def waiting(session: Session, escalation_id: int | None = None, limit: int = 50
            ) -> list[EscalationAlert]:
    """Alerts owed and not yet turned into a message, oldest first, locked for the caller."""
    query = (select(EscalationAlert)
             .where(EscalationAlert.message_id.is_(None),
                    EscalationAlert.dropped_reason.is_(None))
             .order_by(EscalationAlert.id).limit(limit).with_for_update(skip_locked=True))
    if escalation_id is not None:
        query = query.where(EscalationAlert.escalation_id == escalation_id)
    return list(session.scalars(query))


def held_back(session: Session, escalation_id: int, kinds: tuple[AlertKind, ...]
              ) -> list[EscalationAlert]:
    """This escalation's alerts of these kinds already turned into a message that has not gone
    out: it waits for a retry after Telegram refused it (the bot was out of the chat)."""
    return list(session.scalars(
        select(EscalationAlert).join(Message, EscalationAlert.message_id == Message.id)
        .where(EscalationAlert.escalation_id == escalation_id, EscalationAlert.kind.in_(kinds),
               Message.delivery == DeliveryStatus.PENDING)
        .order_by(EscalationAlert.id)))


def confirm(session: Session, message_id: int, now: datetime) -> None:
    """Telegram accepted the message: if it carried an alert, the escalation was alerted."""
    alert = session.scalar(select(EscalationAlert).where(EscalationAlert.message_id == message_id)
                           .options(selectinload(EscalationAlert.escalation)))
    if alert is None:
        return
    escalation = alert.escalation
    escalation.alerted_at = escalation.alerted_at or now
    if alert.kind == AlertKind.OVERDUE:
        escalation.overdue_alerted_at = escalation.overdue_alerted_at or now


def undeliverable(session: Session, scope: Scope = None, limit: int = 20
                  ) -> list[tuple[EscalationAlert, Message]]:
    """Alerts in the branch scope whose message failed or is in doubt, newest first, of
    escalations still open: the console lists them for a person to follow up."""
    rows = session.execute(
        select(EscalationAlert, Message).join(Message, EscalationAlert.message_id == Message.id)
        .join(Escalation, EscalationAlert.escalation_id == Escalation.id)
        .join(Callback, Escalation.callback_id == Callback.id).join(Ticket)
        .where(Message.delivery.in_(UNDELIVERABLE),
               Escalation.status != EscalationStatus.RESOLVED, in_scope(scope))
        .order_by(EscalationAlert.id.desc()).limit(limit)
    ).all()
    return [(alert, message) for alert, message in rows]
