"""The report charts' drawing (console.charts), read from the SVG they produce."""

from __future__ import annotations

import re

from console.charts import report_charts
from huifang.reports import GroupBy, MetricsRow, Report, ReportQuery


def one_week(csat: float, response_rate: float, fcr: float) -> MetricsRow:
    return MetricsRow(group="2026-W49", sent=4, answered=4, response_rate=response_rate,
                      overall_answers=4, csat=csat, mean_overall=4.5, nps_answers=4, nps=50.0,
                      solved_answers=4, first_contact_resolution=fcr, escalations=0,
                      escalations_open=0, escalations_overdue=0, median_hours_to_resolve=None)


def test_equal_rates_on_one_day_stay_visible_as_three_marks() -> None:
    """Seen in the console: with one period, a CSAT of 100 % hid behind the first-contact
    resolution point of 100 % (same value, same spot, same marker). Each series has a marker
    of its own shape and size, so every one shows even when they coincide."""
    row = one_week(csat=100.0, response_rate=100.0, fcr=100.0)
    report = Report(ReportQuery(by=GroupBy.WEEK), [row], row, [])
    rates = next(chart for chart in report_charts(report) if chart.key == "rates")
    shape_of = dict(re.findall(r'<path id="([^"]+)" d="([^"]+)"', rates.svg))
    shapes_at: dict[tuple[str, str], set[str]] = {}
    for marker, x, y in re.findall(r'<use xlink:href="#([^"]+)" x="([^"]+)" y="([^"]+)"',
                                   rates.svg):
        shapes_at.setdefault((x, y), set()).add(shape_of[marker])
    assert max(len(shapes) for shapes in shapes_at.values()) == 3
