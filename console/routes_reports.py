"""The report page (tables + charts) and its CSV / Excel downloads."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.auth import branch_scope, current_user
from console.charts import report_charts
from console.deps import db_session, get_now
from console.params import enum_or, optional_date
from console.rendering import render
from huifang import report_export
from huifang.db.models import Campaign, SupervisorUser
from huifang.reports import GROUP_LABELS_ZH, GroupBy, Report, ReportQuery, build_report

router = APIRouter()

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_query(by: str | None = None, since: str | None = None,
                 until: str | None = None, campaign: str | None = None) -> ReportQuery:
    chosen = (campaign or "").strip()
    return ReportQuery(by=enum_or(GroupBy, by, GroupBy.WEEK), since=optional_date(since),
                       until=optional_date(until),
                       campaign_id=int(chosen) if chosen.isdigit() else None)


def scoped_report(request: Request, query: ReportQuery, user: SupervisorUser, session: Session,
                  now: datetime) -> Report:
    scoped = ReportQuery(by=query.by, since=query.since, until=query.until,
                         branches=branch_scope(user), campaign_id=query.campaign_id)
    return build_report(session, scoped, now, request.app.state.settings)


@router.get("/reports")
def reports_page(request: Request, query: ReportQuery = Depends(report_query),
                 user: SupervisorUser = Depends(current_user),
                 session: Session = Depends(db_session),
                 now: datetime = Depends(get_now)) -> Response:
    report = scoped_report(request, query, user, session, now)
    return render(request, "reports.html", {
        "user": user,
        "report": report,
        "groupings": GROUP_LABELS_ZH,
        "metrics": report_export.metrics_table(report),
        "pareto": report_export.pareto_table(report),
        "charts": report_charts(report),
        "campaigns": session.execute(select(Campaign.id, Campaign.name)
                                     .order_by(Campaign.created_at.desc())).tuples().all(),
        "query": request.url.query,
    })


@router.get("/reports/export.{fmt}")
def export(request: Request, fmt: str, table: str = "metrics",
           query: ReportQuery = Depends(report_query),
           user: SupervisorUser = Depends(current_user), session: Session = Depends(db_session),
           now: datetime = Depends(get_now)) -> Response:
    report = scoped_report(request, query, user, session, now)
    stem = f"huifang-report-{query.by}-{now.astimezone(request.app.state.settings.zone):%Y%m%d}"
    if fmt == "xlsx":
        return Response(report_export.to_xlsx(report_export.report_tables(report)),
                        media_type=XLSX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'})
    if fmt == "csv" and table in ("metrics", "pareto"):
        chosen = (report_export.metrics_table(report) if table == "metrics"
                  else report_export.pareto_table(report))
        return Response(report_export.to_csv(chosen), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{stem}-{table}.csv"'})
    raise HTTPException(status_code=404, detail="不支持的导出格式")
