"""The report's two tables (figures by group, complaint Pareto) as rows, CSV and Excel.

The console, the CLI and the downloads all take their tables from here, so what the weekly
meeting sees in Excel is exactly what the screen showed. Agent and branch names come from the
ticketing system: every cell written goes through `formula_safe`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from huifang.reports import (
    CATEGORY_LABELS_ZH,
    GROUP_LABELS_ZH,
    METRIC_COLUMNS_ZH,
    PARETO_COLUMNS_ZH,
    MetricsRow,
    Report,
)
from huifang.spreadsheet_cells import formula_safe_row

TOTAL_LABEL = "合计"
NO_VALUE_LABEL = "（未填写）"
Table = tuple[list[str], list[list[Any]]]


def _rounded(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else value


def _metric_cells(row: MetricsRow, group: str) -> list[Any]:
    return [group, *(_rounded(v) for v in astuple(row)[1:])]


def metrics_table(report: Report) -> Table:
    """Header and rows; the group column names the group, the last row is the total."""
    headers = list(METRIC_COLUMNS_ZH.values())
    headers[0] = GROUP_LABELS_ZH[report.query.by].removeprefix("按")
    rows = [_metric_cells(r, r.group if r.group is not None else NO_VALUE_LABEL)
            for r in report.rows]
    rows.append(_metric_cells(report.total, TOTAL_LABEL))
    return headers, rows


def pareto_table(report: Report) -> Table:
    rows = [[CATEGORY_LABELS_ZH.get(r.category, r.category), r.count, _rounded(r.share),
             _rounded(r.cumulative)] for r in report.pareto]
    return list(PARETO_COLUMNS_ZH.values()), rows


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headings correctly."""
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(formula_safe_row(headers))
    writer.writerows([formula_safe_row("" if v is None else v for v in row) for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(tables: dict[str, Table]) -> bytes:
    """One sheet per table, headings in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (headers, rows) in tables.items():
        sheet = workbook.create_sheet(title)
        sheet.append(formula_safe_row(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(formula_safe_row(row))
        for column, header in zip(sheet.columns, headers, strict=True):
            sheet.column_dimensions[column[0].column_letter].width = max(10, len(header) * 2 + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_tables(report: Report) -> dict[str, Table]:
    return {"指标": metrics_table(report), "投诉类别帕累托": pareto_table(report)}
