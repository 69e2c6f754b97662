"""Where an escalation is created, and every step of closing the loop on it.

Rules (docs/domain.md, docs/conversation.md): escalate as soon as the conversation shows
overall <= 2, a high-severity complaint, a request for a person, or an unsolved problem. Every
caller asks `escalate_callback`, which reads what the callback has revealed so far. A callback
has at most one unresolved escalation; later reasons are merged into it and can only raise its
priority. Supervisors are owed an alert about a new escalation and a raised priority in the
same transaction (huifang.escalation_alerts).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from huifang import escalation_alerts
from huifang.branch_scope import Scope, in_scope
from huifang.db.models import (
    AlertKind,
    Callback,
    Complaint,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    Priority,
    Severity,
    SupervisorUser,
    Ticket,
)
from huifang.settings import Settings


class Reason(enum.StrEnum):
    LOW_OVERALL = "low_overall"
    HIGH_SEVERITY = "high_severity"
    REQUESTED_HUMAN = "requested_human"
    NOT_SOLVED = "not_solved"


# Most urgent first: the order of every queue, and what "raising the priority" means.
PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL)
# the same order in SQL, for ORDER BY
PRIORITY_RANK = case({p: rank for rank, p in enumerate(PRIORITY_ORDER)},
                     value=Escalation.priority)


def more_urgent(priority: Priority, than: Priority) -> bool:
    return PRIORITY_ORDER.index(priority) < PRIORITY_ORDER.index(than)

# Reasons the supervisors are alerted about when they join an open escalation, even if the
# priority stays: the customer now asks to be called.
ALERT_WHEN_ADDED = frozenset({Reason.REQUESTED_HUMAN})

# An overall score at or below this escalates (1–5 scale).
LOW_OVERALL_AT_MOST = 2


class EscalationError(ValueError):
    """An action that the escalation's current state does not allow."""


@dataclass(frozen=True)
class Signals:
    """What one conversation has revealed so far."""

    overall: int | None = None
    solved: bool | None = None
    severity: Severity | None = None
    requested_human: bool = False


def reasons_for(signals: Signals) -> list[Reason]:
    reasons: list[Reason] = []
    if signals.overall is not None and signals.overall <= LOW_OVERALL_AT_MOST:
        reasons.append(Reason.LOW_OVERALL)
    if signals.severity == Severity.HIGH:
        reasons.append(Reason.HIGH_SEVERITY)
    if signals.requested_human:
        reasons.append(Reason.REQUESTED_HUMAN)
    if signals.solved is False:
        reasons.append(Reason.NOT_SOLVED)
    return reasons


def priority_for(reasons: list[Reason]) -> Priority:
    if Reason.HIGH_SEVERITY in reasons:
        return Priority.URGENT
    if Reason.LOW_OVERALL in reasons or Reason.REQUESTED_HUMAN in reasons:
        return Priority.HIGH
    return Priority.NORMAL


def due_at_for(priority: Priority, now: datetime, settings: Settings) -> datetime:
    hours = {
        Priority.URGENT: settings.escalation_due_hours_urgent,
        Priority.HIGH: settings.escalation_due_hours_high,
        Priority.NORMAL: settings.escalation_due_hours_normal,
    }[priority]
    return now + timedelta(hours=hours)


def signals_of(callback: Callback, requested_human: bool = False) -> Signals:
    """What the callback's stored answers and complaints have revealed so far. Once the
    conversation has ended, its answers were judged at the end: only what the customer says
    after it (late complaints, a request for a person) can escalate again."""
    response = callback.response
    ended = callback.finished_at
    complaints = [c for c in callback.complaints if ended is None or c.created_at > ended]
    return Signals(
        overall=response.overall if response and ended is None else None,
        solved=response.solved if response and ended is None else None,
        severity=Severity.HIGH if any(c.severity == Severity.HIGH for c in complaints) else None,
        requested_human=requested_human,
    )


@dataclass(frozen=True)
class EscalationUpdate:
    """The callback's open escalation after an update, and whether supervisors must hear of it
    now: it is new, its priority was raised, or a reason of ALERT_WHEN_ADDED joined it."""

    escalation: Escalation
    created: bool
    raised: bool
    added: frozenset[Reason] = frozenset()

    @property
    def needs_alert(self) -> bool:
        return self.created or self.raised or bool(self.added & ALERT_WHEN_ADDED)


def escalate_callback(session: Session, callback: Callback, now: datetime, settings: Settings,
                      *, requested_human: bool = False) -> EscalationUpdate | None:
    """The one entry point: escalate what the callback has revealed so far (None when nothing
    warrants it and no escalation is open). Safe to call after every answer."""
    session.flush()
    reasons = reasons_for(signals_of(callback, requested_human))
    return _merge(session, callback, reasons, now, settings)


def escalate(session: Session, callback: Callback, reasons: list[Reason],
             now: datetime, settings: Settings) -> Escalation | None:
    """Create the callback's escalation with `reasons`, or merge them into the open one."""
    update = _merge(session, callback, reasons, now, settings)
    return update.escalation if update else None


# built once: every answer looks it up (docs/performance.md, "Statements built once")
_OPEN_ESCALATION = select(Escalation).where(Escalation.callback_id == bindparam("callback_id"),
                                            Escalation.status != EscalationStatus.RESOLVED)


def _merge(session: Session, callback: Callback, reasons: list[Reason], now: datetime,
           settings: Settings) -> EscalationUpdate | None:
    current = session.scalar(_OPEN_ESCALATION, {"callback_id": callback.id})
    if not reasons:
        return EscalationUpdate(current, False, False) if current is not None else None
    if current is None:
        priority = priority_for(reasons)
        current = Escalation(
            callback_id=callback.id,
            reasons=[r.value for r in reasons],
            priority=priority,
            due_at=due_at_for(priority, now, settings),
            created_at=now,
        )
        session.add(current)
        session.flush()
        _audit(session, current, None, "created", ", ".join(r.value for r in reasons), now)
        escalation_alerts.owe(session, current, AlertKind.NEW, now)
        return EscalationUpdate(current, True, False)
    merged = list(dict.fromkeys([*current.reasons, *(r.value for r in reasons)]))
    added = frozenset(r for r in reasons if r.value not in current.reasons)
    raised = False
    if merged != current.reasons:
        current.reasons = merged
        priority = priority_for([Reason(r) for r in merged])
        if more_urgent(priority, current.priority):
            current.priority = priority
            current.due_at = min(current.due_at, due_at_for(priority, now, settings))
            raised = True
            escalation_alerts.owe(session, current, AlertKind.RAISED, now, priority.value)
        if not raised:
            for reason in sorted(added & ALERT_WHEN_ADDED):
                escalation_alerts.owe(session, current, AlertKind.NEWS, now, reason.value)
        _audit(session, current, None, "reasons_added", ", ".join(merged), now)
        session.flush()
    return EscalationUpdate(current, False, raised, added)


def claim(session: Session, escalation: Escalation, user: SupervisorUser, now: datetime) -> None:
    if escalation.status == EscalationStatus.RESOLVED:
        raise EscalationError("已解决的工单不能认领，请先重新打开")
    escalation.status = EscalationStatus.CLAIMED
    escalation.owner_id = user.id
    escalation.claimed_at = now
    _audit(session, escalation, user, "claimed", None, now)


def add_note(session: Session, escalation: Escalation, user: SupervisorUser, text: str,
             now: datetime, *, contact: bool = False) -> None:
    if not text.strip():
        raise EscalationError("备注内容不能为空")
    _audit(session, escalation, user, "contacted" if contact else "note", text.strip(), now)


def resolve(session: Session, escalation: Escalation, user: SupervisorUser, root_cause: str,
            resolution: str, now: datetime) -> None:
    if escalation.status == EscalationStatus.RESOLVED:
        raise EscalationError("该工单已解决")
    if not resolution.strip():
        raise EscalationError("请填写处理结果")
    escalation.status = EscalationStatus.RESOLVED
    escalation.owner_id = escalation.owner_id or user.id
    escalation.claimed_at = escalation.claimed_at or now
    escalation.resolved_at = now
    escalation.root_cause = root_cause
    escalation.resolution = resolution.strip()
    _audit(session, escalation, user, "resolved", f"[{root_cause}] {resolution.strip()}", now)


def reopen(session: Session, escalation: Escalation, user: SupervisorUser, text: str,
           now: datetime, settings: Settings) -> None:
    if escalation.status != EscalationStatus.RESOLVED:
        raise EscalationError("只有已解决的工单可以重新打开")
    escalation.status = EscalationStatus.CLAIMED if escalation.owner_id else EscalationStatus.OPEN
    escalation.resolved_at = None
    escalation.due_at = due_at_for(escalation.priority, now, settings)
    _audit(session, escalation, user, "reopened", text or None, now)


def open_queue(session: Session, now: datetime, scope: Scope = None) -> list[Escalation]:
    """Unresolved escalations in the branch scope, most urgent first, then by deadline."""
    query = (
        select(Escalation)
        .join(Callback, Escalation.callback_id == Callback.id)
        .join(Ticket)
        .where(Escalation.status != EscalationStatus.RESOLVED)
        .where(in_scope(scope))
        .order_by(PRIORITY_RANK, Escalation.due_at, Escalation.id)
    )
    return list(session.scalars(query))


def overdue(session: Session, now: datetime) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.status != EscalationStatus.RESOLVED, Escalation.due_at < now)
            .order_by(Escalation.due_at)
        )
    )


def detail_options() -> tuple[LoaderOption, ...]:
    """Eager loads for showing an escalation with its customer, answers and complaints."""
    return (
        selectinload(Escalation.owner),
        selectinload(Escalation.callback).selectinload(Callback.ticket)
        .selectinload(Ticket.customer),
        selectinload(Escalation.callback).selectinload(Callback.response),
        selectinload(Escalation.callback).selectinload(Callback.complaints)
        .selectinload(Complaint.categories),
    )


def _audit(session: Session, escalation: Escalation, user: SupervisorUser | None, action: str,
           text: str | None, now: datetime) -> None:
    session.add(EscalationEvent(escalation=escalation, actor_id=user.id if user else None,
                                action=action, text=text, created_at=now))
