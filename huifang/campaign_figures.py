"""Where a campaign stands, counted by the database (SQLite and PostgreSQL alike).

Each survey callback of a campaign is in exactly one of these states, so they add up to the
total: scheduled (not sent yet: waiting, or held by a dispatcher right now), in progress (sent,
not finished — including a reminder or a "talk later" round waiting to go), completed,
no response, opted out, unreachable, failed, cancelled. "Sent" counts the callbacks sent at
least once, whatever their state now. Response rate and CSAT follow the reports
(huifang/reports.py). The send rate is the campaign's sends in the last
`campaign_rate_window_minutes`; the estimated finish is when the last waiting survey will have
been sent at that rate (never before the last one's due time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from huifang.branch_scope import Scope, in_scope
from huifang.db.models import (
    FINAL_CALLBACK_STATUSES,
    Callback,
    CallbackKind,
    CallbackStatus,
    Campaign,
    CampaignStatus,
    SurveyResponse,
    Ticket,
)
from huifang.labels import CALLBACK_STATUSES
from huifang.reports import agent_of, answered_condition, count_if, local_period, percent
from huifang.settings import Settings

_FINAL = {
    "completed": CallbackStatus.COMPLETED,
    "no_response": CallbackStatus.NO_RESPONSE,
    "opted_out": CallbackStatus.OPTED_OUT,
    "unreachable": CallbackStatus.UNREACHABLE,
    "failed": CallbackStatus.FAILED,
    "cancelled": CallbackStatus.CANCELLED,
}
STATE_LABELS_ZH = {  # named like the callback statuses they mostly are
    "scheduled": CALLBACK_STATUSES[CallbackStatus.SCHEDULED],
    "in_progress": CALLBACK_STATUSES[CallbackStatus.IN_PROGRESS],
    **{name: CALLBACK_STATUSES[status] for name, status in _FINAL.items()},
}
WAITING = and_(Callback.sent_at.is_(None),
               Callback.status.in_([CallbackStatus.SCHEDULED, CallbackStatus.SENDING]))
OPEN_AFTER_SEND = and_(Callback.sent_at.is_not(None),
                       Callback.status.not_in(FINAL_CALLBACK_STATUSES))
STATE_CONDITIONS: dict[str, ColumnElement[bool]] = {
    "scheduled": WAITING,
    "in_progress": OPEN_AFTER_SEND,
    **{name: Callback.status == status for name, status in _FINAL.items()},
}


@dataclass(frozen=True)
class Figures:
    total: int
    states: dict[str, int]  # STATE_LABELS_ZH keys → count; they add up to total
    sent: int
    answered: int
    response_rate: float | None  # % of sent with any answer
    overall_answers: int
    csat: float | None  # % of overall answers that are 4 or 5
    next_send_at: datetime | None  # the earliest due time of a survey not sent yet
    last_due_at: datetime | None  # the latest one
    sent_recently: int  # sent within the rate window
    sends_per_hour: float | None  # the current send rate (None: nothing sent lately)
    estimated_finish_at: datetime | None  # None: nothing waits, paused, or no current rate


def survey_callbacks_of(campaign_ids: Sequence[int], scope: Scope) -> list[ColumnElement[bool]]:
    """WHERE conditions: the survey callbacks of these campaigns in the user's branches."""
    return [Callback.campaign_id.in_(list(campaign_ids)), Callback.kind == CallbackKind.SURVEY,
            in_scope(scope)]


def _when(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((condition, value), else_=None)


def campaign_figures(session: Session, campaigns: Iterable[Campaign], now: datetime,
                     settings: Settings, scope: Scope = None) -> dict[int, Figures]:
    """The figures of each campaign, by its id (one grouped query for all of them)."""
    chosen = {c.id: c for c in campaigns}
    if not chosen:
        return {}
    window = timedelta(minutes=settings.campaign_rate_window_minutes)
    overall_n = func.count(SurveyResponse.overall)
    rows = session.execute(
        select(
            Callback.campaign_id,
            func.count(Callback.id),
            *(count_if(condition) for condition in STATE_CONDITIONS.values()),
            func.count(Callback.sent_at),
            count_if(and_(Callback.sent_at.is_not(None), answered_condition())),
            overall_n,
            percent(count_if(SurveyResponse.overall >= 4), overall_n),
            func.min(_when(WAITING, Callback.due_at)),
            func.max(_when(WAITING, Callback.due_at)),
            count_if(Callback.sent_at >= now - window),
        )
        .select_from(Callback)
        .join(Ticket, Callback.ticket_id == Ticket.id)
        .outerjoin(SurveyResponse, SurveyResponse.callback_id == Callback.id)
        .where(*survey_callbacks_of(list(chosen), scope))
        .group_by(Callback.campaign_id)
    ).all()
    found = {row[0]: tuple(row[1:]) for row in rows}
    return {campaign_id: _figures(found.get(campaign_id), campaign.status, now, window)
            for campaign_id, campaign in chosen.items()}


def _figures(row: tuple[Any, ...] | None, status: CampaignStatus, now: datetime,
             window: timedelta) -> Figures:
    names = list(STATE_CONDITIONS)
    if row is None:
        row = (0, *([0] * len(names)), 0, 0, 0, None, None, None, 0)
    total, *rest = row
    states = {name: int(value or 0) for name, value in zip(names, rest[:len(names)],
                                                           strict=True)}
    sent, answered, overall_n, csat, next_due, last_due, recent = rest[len(names):]
    sent, answered, recent = int(sent), int(answered or 0), int(recent or 0)
    rate = recent / (window.total_seconds() / 3600) if recent else None
    return Figures(
        total=int(total),
        states=states,
        sent=sent,
        answered=answered,
        response_rate=round(100.0 * answered / sent, 1) if sent else None,
        overall_answers=int(overall_n),
        csat=None if csat is None else round(float(csat), 1),
        next_send_at=next_due,
        last_due_at=last_due,
        sent_recently=recent,
        sends_per_hour=None if rate is None else round(rate, 1),
        estimated_finish_at=estimated_finish(states["scheduled"], rate, last_due, status, now),
    )


def estimated_finish(waiting: int, sends_per_hour: float | None, last_due: datetime | None,
                     status: CampaignStatus, now: datetime) -> datetime | None:
    """When the last waiting survey will have been sent at the current rate."""
    if waiting == 0 or status != CampaignStatus.ACTIVE or not sends_per_hour:
        return None
    at_rate = now + timedelta(hours=waiting / sends_per_hour)
    return max(at_rate, last_due) if last_due is not None else at_rate


@dataclass(frozen=True)
class TimelinePoint:
    period: str  # local hour "YYYY-MM-DD HH:00" or day "YYYY-MM-DD"
    sends: int
    answers: int


def timeline(session: Session, campaign_id: int, zone: ZoneInfo, now: datetime,
             scope: Scope = None) -> list[TimelinePoint]:
    """Sends (first send of each survey) and first answers per local hour — per day when the
    sends span more than two days."""
    dialect = session.get_bind().dialect.name
    where = survey_callbacks_of([campaign_id], scope)
    first, last = session.execute(
        select(func.min(Callback.sent_at), func.max(Callback.sent_at))
        .join(Ticket, Callback.ticket_id == Ticket.id).where(*where)).one()
    if first is None:
        return []
    unit = "hour" if last - first <= timedelta(days=2) else "day"

    def per_period(stamp: ColumnElement[datetime]) -> dict[str, int]:
        period = local_period(dialect, zone, now, stamp, unit)
        statement = (select(period, func.count()).select_from(Callback)
                     .join(Ticket, Callback.ticket_id == Ticket.id)
                     .outerjoin(SurveyResponse, SurveyResponse.callback_id == Callback.id)
                     .where(stamp.is_not(None), *where).group_by(period))
        return {str(key): int(count) for key, count in session.execute(statement)}

    sends = per_period(Callback.sent_at)
    answers = per_period(SurveyResponse.first_answer_at)
    return [TimelinePoint(period, sends.get(period, 0), answers.get(period, 0))
            for period in sorted(sends.keys() | answers.keys())]


@dataclass(frozen=True)
class CallbackFilters:
    state: str | None = None  # a STATE_LABELS_ZH key
    branch: str | None = None
    agent: str | None = None


def callbacks_statement(campaign_id: int, filters: CallbackFilters, scope: Scope) -> Select:
    """The campaign's survey callbacks, newest activity first, with the list's filters."""
    statement = (select(Callback).join(Ticket, Callback.ticket_id == Ticket.id)
                 .where(*survey_callbacks_of([campaign_id], scope))
                 .options(selectinload(Callback.ticket).selectinload(Ticket.customer),
                          selectinload(Callback.response))
                 .order_by(Callback.sent_at.desc().nulls_last(), Callback.id))
    if filters.state in STATE_CONDITIONS:
        statement = statement.where(STATE_CONDITIONS[filters.state])
    if filters.branch:
        statement = statement.where(Ticket.branch == filters.branch)
    if filters.agent:
        statement = statement.where(agent_of() == filters.agent)
    return statement


def filter_values(session: Session, campaign_id: int, scope: Scope
                  ) -> tuple[list[str], list[str]]:
    """The branches and agents present in the campaign (for the filter drop-downs)."""

    def values(column: ColumnElement[str | None]) -> list[str]:
        return sorted(session.scalars(
            select(column).distinct().select_from(Callback)
            .join(Ticket, Callback.ticket_id == Ticket.id)
            .where(column.is_not(None), *survey_callbacks_of([campaign_id], scope))))

    return values(Ticket.branch), values(agent_of())
