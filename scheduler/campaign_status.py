"""Where a campaign stands: callbacks per state, response rate, what is due next.

A campaign is the set of callbacks selected by optional filters (service type, branch);
without filters it is every callback. Used by `huifang campaign status` and by
GET /api/campaign/status.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from huifang.db.models import Callback, CallbackStatus, SurveyResponse, Ticket

NEXT_DUE_SLOTS = 5


@dataclass(frozen=True)
class CampaignFilter:
    service_type: str | None = None
    branch: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        query = query.join(Ticket, Callback.ticket_id == Ticket.id)
        if self.service_type:
            query = query.where(Ticket.service_type == self.service_type)
        if self.branch:
            query = query.where(Ticket.branch == self.branch)
        return query


@dataclass(frozen=True)
class DueSlot:
    due_at: datetime
    count: int


@dataclass(frozen=True)
class CampaignStatus:
    total: int
    by_status: dict[str, int]
    due_now: int  # scheduled and due, or held by a dispatcher (sending)
    sent: int  # delivered at least once
    answered: int  # with at least one answer
    reminders_sent: int
    response_rate: float | None  # answered / sent, in %
    next_due: list[DueSlot]  # upcoming send times (scheduled, not yet due) with their counts

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["next_due"] = [{"due_at": s.due_at.isoformat(), "count": s.count}
                            for s in self.next_due]
        return data


def campaign_status(session: Session, now: datetime,
                    where: CampaignFilter | None = None) -> CampaignStatus:
    where = where or CampaignFilter()
    counts = dict(session.execute(
        where.apply(select(Callback.status, func.count()).group_by(Callback.status))
    ).tuples().all())
    by_status = {s.value: int(counts.get(s, 0)) for s in CallbackStatus}
    sent, reminders = session.execute(where.apply(
        select(func.count(Callback.sent_at), func.coalesce(func.sum(Callback.reminders_sent), 0))
    )).one()
    answered = session.scalar(where.apply(
        select(func.count()).select_from(Callback)
        .join(SurveyResponse, SurveyResponse.callback_id == Callback.id)
        .where(Callback.sent_at.is_not(None))
    )) or 0
    due_now = session.scalar(where.apply(
        select(func.count()).select_from(Callback).where(
            ((Callback.status == CallbackStatus.SCHEDULED) & (Callback.due_at <= now))
            | (Callback.status == CallbackStatus.SENDING))
    )) or 0
    upcoming = session.execute(where.apply(
        select(Callback.due_at, func.count())
        .where(Callback.status == CallbackStatus.SCHEDULED, Callback.due_at > now)
        .group_by(Callback.due_at).order_by(Callback.due_at).limit(NEXT_DUE_SLOTS)
    )).tuples().all()
    return CampaignStatus(
        total=sum(by_status.values()),
        by_status=by_status,
        due_now=int(due_now),
        sent=int(sent),
        answered=int(answered),
        reminders_sent=int(reminders),
        response_rate=round(100.0 * answered / sent, 1) if sent else None,
        next_due=[DueSlot(due_at, int(n)) for due_at, n in upcoming],
    )
