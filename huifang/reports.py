"""The report figures, computed by SQL on the database (SQLite and PostgreSQL alike).

Definitions (docs/domain.md, "Report definitions"):
- CSAT = % of answered overall scores that are 4 or 5; mean overall score.
- NPS = % promoters (9–10) − % detractors (0–6) of answered NPS questions.
- Response rate = callbacks with any answer / callbacks sent (sent_at not null).
- First-contact resolution = % of answered "solved?" questions answered yes.
- Pareto = complaint category counts, descending, with cumulative %.
- Escalations: how many were raised, how many are still open, how many of those are overdue
  (due_at < now), and the median hours from creation to resolution of the resolved ones.

Attribution: survey figures and complaints belong to the period in which the callback was
sent; escalations to the period in which they were created. Only survey callbacks count
(recovery surveys measure a different thing and are shown beside the escalation instead).
Weeks start on Monday and, like months, are cut in the configured time zone. PostgreSQL
converts with the zone itself; SQLite with the zone's UTC offset at report time, which is
exact for zones without daylight saving time such as Asia/Shanghai.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from huifang.db.models import (
    Callback,
    CallbackKind,
    Complaint,
    ComplaintCategory,
    DimensionScore,
    Escalation,
    EscalationStatus,
    SurveyResponse,
    Ticket,
)
from huifang.settings import Settings, get_settings
from huifang.complaint_categories import CATEGORY_NAMES


class GroupBy(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    AGENT = "agent"
    BRANCH = "branch"
    SERVICE_TYPE = "service_type"


GROUP_LABELS_ZH = {
    GroupBy.WEEK: "按周",
    GroupBy.MONTH: "按月",
    GroupBy.AGENT: "按服务人员",
    GroupBy.BRANCH: "按网点",
    GroupBy.SERVICE_TYPE: "按服务类型",
}

# The complaint taxonomy (Pareto rows, filters, root causes of escalations).
CATEGORY_LABELS_ZH = CATEGORY_NAMES


@dataclass(frozen=True)
class ReportQuery:
    by: GroupBy = GroupBy.WEEK
    since: date | None = None  # inclusive, local date
    until: date | None = None  # inclusive, local date
    branches: tuple[str, ...] | None = None  # a supervisor's scope; None means every branch
    campaign_id: int | None = None  # one campaign's callbacks only


@dataclass(frozen=True)
class MetricsRow:
    group: str | None
    sent: int
    answered: int
    response_rate: float | None
    overall_answers: int
    csat: float | None
    mean_overall: float | None
    nps_answers: int
    nps: float | None
    solved_answers: int
    first_contact_resolution: float | None
    escalations: int
    escalations_open: int
    escalations_overdue: int
    median_hours_to_resolve: float | None


@dataclass(frozen=True)
class ParetoRow:
    category: str
    count: int
    share: float
    cumulative: float


@dataclass(frozen=True)
class Report:
    query: ReportQuery
    rows: list[MetricsRow]
    total: MetricsRow
    pareto: list[ParetoRow]


# Column headings shared by the console, the CLI and the exports, in display order.
METRIC_COLUMNS_ZH: dict[str, str] = {
    "group": "分组",
    "sent": "已发送",
    "answered": "已回复",
    "response_rate": "回复率%",
    "overall_answers": "总体评分数",
    "csat": "满意率(CSAT)%",
    "mean_overall": "平均分",
    "nps_answers": "NPS答复数",
    "nps": "NPS",
    "solved_answers": "解决情况答复数",
    "first_contact_resolution": "一次解决率%",
    "escalations": "升级数",
    "escalations_open": "未结升级",
    "escalations_overdue": "超时升级",
    "median_hours_to_resolve": "处理时长中位数(小时)",
}
PARETO_COLUMNS_ZH: dict[str, str] = {
    "category": "投诉类别",
    "count": "次数",
    "share": "占比%",
    "cumulative": "累计占比%",
}


def build_report(session: Session, query: ReportQuery, now: datetime,
                 settings: Settings | None = None) -> Report:
    settings = settings or get_settings()
    sql = _ReportSql(session.get_bind().dialect.name, settings.zone, now, query)
    survey = {row[0]: row[1:] for row in session.execute(sql.survey_figures(grouped=True))}
    escalation = {row[0]: row[1:] for row in session.execute(sql.escalation_figures(grouped=True))}
    medians = dict(session.execute(sql.median_hours(grouped=True)).tuples().all())
    keys = sorted(survey.keys() | escalation.keys(), key=lambda k: (k is None, k or ""))
    rows = [_row(k, survey.get(k), escalation.get(k), medians.get(k)) for k in keys]
    total = _row(
        None,
        session.execute(sql.survey_figures(grouped=False)).one(),
        session.execute(sql.escalation_figures(grouped=False)).one(),
        session.execute(sql.median_hours(grouped=False)).scalar(),
    )
    pareto = [ParetoRow(c, int(n), float(s), float(cum))
              for c, n, s, cum in session.execute(sql.pareto())]
    return Report(query=query, rows=rows, total=total, pareto=pareto)


def _row(group: str | None, survey: tuple | None, escalation: tuple | None,
         median: float | None) -> MetricsRow:
    (sent, answered, response_rate, overall_n, csat, mean, nps_n, nps, solved_n,
     fcr) = survey or (0, 0, None, 0, None, None, 0, None, 0, None)
    raised, still_open, overdue = escalation or (0, 0, 0)
    return MetricsRow(
        group=group,
        sent=int(sent),
        answered=int(answered or 0),
        response_rate=_float(response_rate),
        overall_answers=int(overall_n),
        csat=_float(csat),
        mean_overall=_float(mean),
        nps_answers=int(nps_n),
        nps=_float(nps),
        solved_answers=int(solved_n),
        first_contact_resolution=_float(fcr),
        escalations=int(raised),
        escalations_open=int(still_open or 0),
        escalations_overdue=int(overdue or 0),
        median_hours_to_resolve=_float(median),
    )


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def answered_condition() -> ColumnElement[bool]:
    """A survey response with any answer at all (the numerator of the response rate)."""
    has_dimension = exists().where(DimensionScore.response_id == SurveyResponse.id)
    return or_(SurveyResponse.overall.is_not(None), SurveyResponse.solved.is_not(None),
               SurveyResponse.nps.is_not(None), SurveyResponse.comment.is_not(None),
               has_dimension)


_PERIOD_PATTERNS = {  # unit: (PostgreSQL to_char, SQLite strftime)
    "hour": ("YYYY-MM-DD HH24:00", "%Y-%m-%d %H:00"),
    "day": ("YYYY-MM-DD", "%Y-%m-%d"),
    "week": ("YYYY-MM-DD", None),  # the Monday of the week
    "month": ("YYYY-MM", "%Y-%m"),
}


def local_period(dialect: str, zone: ZoneInfo, now: datetime, stamp: ColumnElement[datetime],
                 unit: str) -> ColumnElement[str]:
    """The local hour, day, week (its Monday) or month of `stamp` as text, by the database."""
    postgres_pattern, sqlite_pattern = _PERIOD_PATTERNS[unit]
    if dialect == "postgresql":
        local = func.timezone(zone.key, stamp)
        return func.to_char(func.date_trunc(unit, local), postgres_pattern)
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    local = func.datetime(stamp, f"{int(offset.total_seconds() // 60):+d} minutes")
    if sqlite_pattern is None:
        return func.date(local, "weekday 0", "-6 days")
    return func.strftime(sqlite_pattern, local)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def percent(part: ColumnElement, whole: ColumnElement) -> ColumnElement[float]:
    """100 · part / whole, NULL when whole is 0 (computed by the database)."""
    return cast(literal(100.0) * part / func.nullif(whole, 0), Float)


class _ReportSql:
    """The statements of one report; dialect-specific pieces are isolated in two methods."""

    def __init__(self, dialect: str, zone: ZoneInfo, now: datetime, query: ReportQuery) -> None:
        self.dialect = dialect
        self.zone = zone
        self.now = now
        self.query = query

    # -- dialect-specific expressions -------------------------------------------------------
    def _period(self, stamp: ColumnElement[datetime]) -> ColumnElement[str]:
        unit = "week" if self.query.by == GroupBy.WEEK else "month"
        return local_period(self.dialect, self.zone, self.now, stamp, unit)

    def _hours_between(self, start: ColumnElement[datetime],
                       end: ColumnElement[datetime]) -> ColumnElement[float]:
        if self.dialect == "postgresql":
            return cast(func.extract("epoch", end - start) / 3600.0, Float)
        return cast((func.julianday(end) - func.julianday(start)) * 24.0, Float)

    # -- shared pieces ----------------------------------------------------------------------
    def _key(self, stamp: ColumnElement[datetime]) -> ColumnElement[str | None]:
        by = self.query.by
        if by in (GroupBy.WEEK, GroupBy.MONTH):
            return self._period(stamp)
        if by == GroupBy.AGENT:
            return agent_of()
        if by == GroupBy.BRANCH:
            return Ticket.branch
        return Ticket.service_type

    def _filters(self, stamp: ColumnElement[datetime]) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Callback.kind == CallbackKind.SURVEY]
        if self.query.since is not None:
            conditions.append(stamp >= local_midnight(self.query.since, self.zone))
        if self.query.until is not None:
            conditions.append(
                stamp < local_midnight(self.query.until + timedelta(days=1), self.zone))
        if self.query.branches is not None:
            conditions.append(Ticket.branch.in_(self.query.branches))
        if self.query.campaign_id is not None:
            conditions.append(Callback.campaign_id == self.query.campaign_id)
        return conditions

    # -- statements -------------------------------------------------------------------------
    def survey_figures(self, grouped: bool) -> Select:
        stamp = Callback.sent_at
        answered = answered_condition()
        sent = func.count(Callback.id)
        overall_n = func.count(SurveyResponse.overall)
        nps_n = func.count(SurveyResponse.nps)
        solved_n = func.count(SurveyResponse.solved)
        columns = [
            sent,
            count_if(answered),
            percent(count_if(answered), sent),
            overall_n,
            percent(count_if(SurveyResponse.overall >= 4), overall_n),
            cast(func.avg(SurveyResponse.overall), Float),
            nps_n,
            percent(count_if(SurveyResponse.nps >= 9) - count_if(SurveyResponse.nps <= 6),
                     nps_n),
            solved_n,
            percent(count_if(SurveyResponse.solved.is_(True)), solved_n),
        ]
        key = self._key(stamp)
        statement = (
            select(*([key] if grouped else []), *columns)
            .select_from(Callback)
            .join(Ticket, Callback.ticket_id == Ticket.id)
            .outerjoin(SurveyResponse, SurveyResponse.callback_id == Callback.id)
            .where(stamp.is_not(None), *self._filters(stamp))
        )
        return statement.group_by(key) if grouped else statement

    def _escalations(self) -> tuple[ColumnElement[datetime], list[ColumnElement[bool]]]:
        stamp = Escalation.created_at
        return stamp, self._filters(stamp)

    def escalation_figures(self, grouped: bool) -> Select:
        stamp, filters = self._escalations()
        unresolved = Escalation.status != EscalationStatus.RESOLVED
        key = self._key(stamp)
        statement = (
            select(*([key] if grouped else []),
                   func.count(Escalation.id),
                   count_if(unresolved),
                   count_if(and_(unresolved, Escalation.due_at < self.now)))
            .select_from(Escalation)
            .join(Callback, Escalation.callback_id == Callback.id)
            .join(Ticket, Callback.ticket_id == Ticket.id)
            .where(*filters)
        )
        return statement.group_by(key) if grouped else statement

    def median_hours(self, grouped: bool) -> Select:
        """Median by window functions: the middle row, or the mean of the two middle rows."""
        stamp, filters = self._escalations()
        key = self._key(stamp)
        hours = self._hours_between(Escalation.created_at, Escalation.resolved_at)
        partition = {"partition_by": key} if grouped else {}
        ranked = (
            select(key.label("grp"), hours.label("hours"),
                   func.row_number().over(order_by=hours, **partition).label("rn"),
                   func.count().over(**partition).label("n"))
            .select_from(Escalation)
            .join(Callback, Escalation.callback_id == Callback.id)
            .join(Ticket, Callback.ticket_id == Ticket.id)
            .where(Escalation.status == EscalationStatus.RESOLVED,
                   Escalation.resolved_at.is_not(None), *filters)
            .subquery()
        )
        middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
        average = cast(func.avg(ranked.c.hours), Float)
        if grouped:
            return select(ranked.c.grp, average).where(middle).group_by(ranked.c.grp)
        return select(average).where(middle)

    def pareto(self) -> Select:
        stamp = Callback.sent_at
        counts = (
            select(ComplaintCategory.category.label("category"),
                   func.count(ComplaintCategory.id).label("n"))
            .join(Complaint, ComplaintCategory.complaint_id == Complaint.id)
            .join(Callback, Complaint.callback_id == Callback.id)
            .join(Ticket, Callback.ticket_id == Ticket.id)
            .where(stamp.is_not(None), *self._filters(stamp))
            .group_by(ComplaintCategory.category)
            .subquery()
        )
        order = (counts.c.n.desc(), counts.c.category)
        total = func.sum(counts.c.n).over()
        running = func.sum(counts.c.n).over(order_by=order)
        return select(
            counts.c.category,
            counts.c.n,
            percent(counts.c.n, total),
            percent(running, total),
        ).order_by(*order)


def agent_of() -> ColumnElement[str | None]:
    """The agent a callback is attributed to: the one captured at send time, else the ticket's."""
    return func.coalesce(Callback.agent_at_send, Ticket.agent)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
