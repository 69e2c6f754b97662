"""The escalation queue: filters, ordering (priority, then deadline) and scoping."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, distinct, exists, select
from sqlalchemy.orm import Session, selectinload

from console.pagination import Page, paginate
from huifang import escalations
from huifang.db.models import (
    Callback,
    Complaint,
    ComplaintCategory,
    Escalation,
    EscalationStatus,
    Ticket,
)
from huifang.reports import agent_of, local_midnight


class QueueView(enum.StrEnum):
    UNRESOLVED = "unresolved"
    OPEN = "open"
    CLAIMED = "claimed"
    OVERDUE = "overdue"
    RESOLVED = "resolved"


VIEW_LABELS_ZH = {
    QueueView.UNRESOLVED: "全部未结",
    QueueView.OPEN: "待认领",
    QueueView.CLAIMED: "处理中",
    QueueView.OVERDUE: "已超时",
    QueueView.RESOLVED: "已解决",
}


@dataclass(frozen=True)
class QueueFilters:
    view: QueueView = QueueView.UNRESOLVED
    branch: str | None = None
    agent: str | None = None
    service_type: str | None = None
    category: str | None = None
    severity: str | None = None
    since: date | None = None  # escalation created on or after (local date)
    until: date | None = None  # escalation created on or before (local date)


def queue_statement(filters: QueueFilters, scope: tuple[str, ...] | None, now: datetime,
                    zone: ZoneInfo) -> Select:
    unresolved = Escalation.status != EscalationStatus.RESOLVED
    view_condition: dict[QueueView, ColumnElement[bool]] = {
        QueueView.UNRESOLVED: unresolved,
        QueueView.OPEN: Escalation.status == EscalationStatus.OPEN,
        QueueView.CLAIMED: Escalation.status == EscalationStatus.CLAIMED,
        QueueView.OVERDUE: unresolved & (Escalation.due_at < now),
        QueueView.RESOLVED: Escalation.status == EscalationStatus.RESOLVED,
    }
    statement = (
        select(Escalation)
        .join(Callback, Escalation.callback_id == Callback.id)
        .join(Ticket, Callback.ticket_id == Ticket.id)
        .where(view_condition[filters.view])
        .options(
            *escalations.detail_options(),
            selectinload(Escalation.recovery_callback).selectinload(Callback.response),
        )
    )
    if scope is not None:
        statement = statement.where(Ticket.branch.in_(scope))
    if filters.branch:
        statement = statement.where(Ticket.branch == filters.branch)
    if filters.agent:
        statement = statement.where(agent_of() == filters.agent)
    if filters.service_type:
        statement = statement.where(Ticket.service_type == filters.service_type)
    if filters.category:
        statement = statement.where(exists().where(
            Complaint.callback_id == Callback.id,
            ComplaintCategory.complaint_id == Complaint.id,
            ComplaintCategory.category == filters.category))
    if filters.severity:
        statement = statement.where(exists().where(
            Complaint.callback_id == Callback.id, Complaint.severity == filters.severity))
    if filters.since:
        statement = statement.where(Escalation.created_at >= local_midnight(filters.since, zone))
    if filters.until:
        statement = statement.where(
            Escalation.created_at < local_midnight(filters.until + timedelta(days=1), zone))
    if filters.view == QueueView.RESOLVED:
        return statement.order_by(Escalation.resolved_at.desc(), Escalation.id.desc())
    return statement.order_by(escalations.PRIORITY_RANK, Escalation.due_at, Escalation.id)


def escalation_queue(session: Session, filters: QueueFilters, scope: tuple[str, ...] | None,
                     now: datetime, zone: ZoneInfo, page: int, per_page: int
                     ) -> Page[Escalation]:
    return paginate(session, queue_statement(filters, scope, now, zone), page, per_page)


@dataclass(frozen=True)
class FilterOptions:
    branches: list[str]
    agents: list[str]
    service_types: list[str]


def filter_options(session: Session, scope: tuple[str, ...] | None) -> FilterOptions:
    """The values the filter drop-downs offer: those present in the user's branches."""

    def values(column: ColumnElement[str | None]) -> list[str]:
        statement = (select(distinct(column)).select_from(Callback)
                     .join(Ticket, Callback.ticket_id == Ticket.id)
                     .where(column.is_not(None)))
        if scope is not None:
            statement = statement.where(Ticket.branch.in_(scope))
        return sorted(session.scalars(statement))

    return FilterOptions(values(Ticket.branch), values(agent_of()), values(Ticket.service_type))
