"""`huifang report`: the report figures as rich tables in the terminal, optionally exported.

The lead registers `report` as a command of the huifang CLI.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table as RichTable

from huifang import report_export
from huifang.app.cli.common import console, errors, sessions
from huifang.db.types import utcnow
from huifang.reports import GROUP_LABELS_ZH, GroupBy, ReportQuery, build_report
from huifang.settings import get_settings


def report(
    by: GroupBy = typer.Option(GroupBy.WEEK, "--by",
                               help="week | month | agent | branch | service_type"),
    since: datetime | None = typer.Option(None, "--since", formats=["%Y-%m-%d"],
                                          help="起始日期（含），YYYY-MM-DD"),
    until: datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"],
                                          help="截止日期（含），YYYY-MM-DD"),
    export: Path | None = typer.Option(None, "--export",
                                       help="另存为 .xlsx（两张表）或 .csv（指标表）"),
) -> None:
    """CSAT, mean score, NPS, response rate, first-contact resolution, escalations, Pareto."""
    query = ReportQuery(by=by, since=_day(since), until=_day(until))
    with sessions()() as session:
        result = build_report(session, query, utcnow(), get_settings())
    period = f"{query.since or '最早'} 至 {query.until or '今天'}"
    console.print(_rich(report_export.metrics_table(result),
                        f"回访指标（{GROUP_LABELS_ZH[by]}，{period}）"))
    console.print(_rich(report_export.pareto_table(result), "投诉类别帕累托"))
    if export is not None:
        if export.suffix.lower() == ".xlsx":
            export.write_bytes(report_export.to_xlsx(report_export.report_tables(result)))
        elif export.suffix.lower() == ".csv":
            export.write_bytes(report_export.to_csv(report_export.metrics_table(result)))
        else:
            errors.print("导出文件须以 .xlsx 或 .csv 结尾")
            raise typer.Exit(code=2)
        console.print(f"已导出到 {export}")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _rich(table: report_export.Table, title: str) -> RichTable:
    headers, rows = table
    out = RichTable(title=title, show_lines=False)
    for index, header in enumerate(headers):
        out.add_column(header, justify="left" if index == 0 else "right")
    for row in rows:
        out.add_row(*("—" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)
                      for v in row))
    return out
