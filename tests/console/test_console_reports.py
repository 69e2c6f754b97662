"""Report figures by SQL against hand-computed values of the fixed data set (conftest.VISITS),
on SQLite and PostgreSQL. Times are UTC; the report cuts weeks and months in Asia/Shanghai."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang.reports import (
    METRIC_COLUMNS_ZH,
    PARETO_COLUMNS_ZH,
    GroupBy,
    MetricsRow,
    ParetoRow,
    Report,
    ReportQuery,
    build_report,
)
from tests.console.console_support import NOW, SETTINGS, Dataset

pytestmark = pytest.mark.postgres

# Hand-computed from VISITS and the escalations of load_dataset:
# (sent, answered, response %, overall n, CSAT %, mean, NPS n, NPS, solved n, FCR %,
#  escalations, open, overdue, median hours)
TOTAL = (11, 10, 100 * 10 / 11, 8, 37.5, 22 / 8, 5, 20.0, 8, 37.5, 6, 3, 2, 6.0)
BY_WEEK = {
    # C4 was sent on Sunday 2 March in UTC but Monday 3 March in Shanghai: no 2025-02-24 row.
    "2025-03-03": (4, 3, 75.0, 3, 200 / 3, 11 / 3, 3, 100 / 3, 3, 200 / 3, 1, 0, 0, 6.0),
    "2025-03-10": (2, 2, 100.0, 1, 0.0, 1.0, 0, None, 1, 0.0, 1, 0, 0, 24.0),
    "2025-03-31": (5, 5, 100.0, 4, 25.0, 2.5, 2, 0.0, 4, 25.0, 4, 3, 2, 2.5),
}
BY_MONTH = {
    "2025-03": (6, 5, 500 / 6, 4, 50.0, 3.0, 3, 100 / 3, 4, 50.0, 2, 0, 0, 15.0),
    # C7 and E3 happened on 31 March in UTC, 1 April in Shanghai.
    "2025-04": (5, 5, 100.0, 4, 25.0, 2.5, 2, 0.0, 4, 25.0, 4, 3, 2, 2.5),
}
BY_BRANCH = {
    "east": (6, 6, 100.0, 4, 50.0, 3.0, 2, 100.0, 5, 40.0, 3, 2, 1, 24.0),
    "west": (5, 4, 80.0, 4, 25.0, 2.5, 3, -100 / 3, 3, 100 / 3, 3, 1, 1, 4.25),
}
BY_AGENT = {
    # C8's ticket names 王师傅, but 张师傅 was the agent at send time.
    "张师傅": (7, 7, 100.0, 5, 40.0, 2.6, 3, 100 / 3, 5, 20.0, 4, 1, 0, 6.0),
    "李师傅": (4, 3, 75.0, 3, 100 / 3, 3.0, 2, 0.0, 3, 200 / 3, 2, 2, 2, None),
}
BY_SERVICE_TYPE = {
    "auto_repair": (7, 7, 100.0, 6, 50.0, 3.0, 4, 50.0, 6, 50.0, 4, 2, 1, 13.25),
    "utility_repair": (4, 3, 75.0, 2, 0.0, 2.0, 1, -100.0, 2, 0.0, 2, 1, 1, 6.0),
}
PARETO = [
    ("timeliness", 3, 300 / 7, 300 / 7),
    ("attitude", 2, 200 / 7, 500 / 7),
    ("price", 1, 100 / 7, 600 / 7),
    ("quality", 1, 100 / 7, 100.0),
]


def figures(row: MetricsRow) -> tuple:
    return tuple(asdict(row).values())[1:]


def assert_figures(actual: tuple, expected: tuple) -> None:
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got == (None if want is None else pytest.approx(want, abs=1e-6))


def report(factory: sessionmaker[Session], **query: object) -> Report:
    with factory() as session:
        return build_report(session, ReportQuery(**query), NOW, SETTINGS)  # type: ignore[arg-type]


@pytest.mark.parametrize(("by", "expected"), [
    (GroupBy.WEEK, BY_WEEK),
    (GroupBy.MONTH, BY_MONTH),
    (GroupBy.BRANCH, BY_BRANCH),
    (GroupBy.AGENT, BY_AGENT),
    (GroupBy.SERVICE_TYPE, BY_SERVICE_TYPE),
])
def test_figures_by_group_match_hand_computed_values(
        console_factory: sessionmaker[Session], report_dataset: Dataset, by: GroupBy,
        expected: dict) -> None:
    result = report(console_factory, by=by)
    assert [row.group for row in result.rows] == sorted(expected)
    for row in result.rows:
        assert_figures(figures(row), expected[row.group])
    assert_figures(figures(result.total), TOTAL)


def test_pareto_counts_descending_with_cumulative_share(
        console_factory: sessionmaker[Session], report_dataset: Dataset) -> None:
    pareto = report(console_factory).pareto
    assert [(p.category, p.count) for p in pareto] == [(c, n) for c, n, _, _ in PARETO]
    for row, (_, _, share, cumulative) in zip(pareto, PARETO, strict=True):
        assert row.share == pytest.approx(share)
        assert row.cumulative == pytest.approx(cumulative)


def test_local_date_range_includes_and_excludes_at_shanghai_midnight(
        console_factory: sessionmaker[Session], report_dataset: Dataset) -> None:
    # since 3 March includes C4 (Sun 17:00 UTC = Mon 01:00 local); until 31 March excludes C7.
    march = report(console_factory, by=GroupBy.MONTH, since=date(2025, 3, 3),
                   until=date(2025, 3, 31))
    assert [row.group for row in march.rows] == ["2025-03"]
    assert_figures(figures(march.total), BY_MONTH["2025-03"])
    # From 4 March: C1 (3 March) and C4 are out, C2 and C3 remain of that week.
    later = report(console_factory, by=GroupBy.WEEK, since=date(2025, 3, 4),
                   until=date(2025, 3, 9))
    assert [(row.group, row.sent, row.answered) for row in later.rows] == [("2025-03-03", 2, 2)]
    assert [(p.category, p.count) for p in later.pareto] == [("attitude", 1), ("timeliness", 1)]


def test_branch_scope_limits_every_figure(console_factory: sessionmaker[Session],
                                          report_dataset: Dataset) -> None:
    east = report(console_factory, by=GroupBy.BRANCH, branches=("east",))
    assert [row.group for row in east.rows] == ["east"]
    assert_figures(figures(east.total), BY_BRANCH["east"])
    # East's complaints: C5 quality + timeliness, C9 price; equal counts sort by code.
    assert [(p.category, p.count, round(p.cumulative, 2)) for p in east.pareto] == [
        ("price", 1, 33.33), ("quality", 1, 66.67), ("timeliness", 1, 100.0)]


def test_empty_range_gives_zero_counts_and_no_percentages(
        console_factory: sessionmaker[Session], report_dataset: Dataset) -> None:
    empty = report(console_factory, since=date(2030, 1, 1))
    assert empty.rows == [] and empty.pareto == []
    assert (empty.total.sent, empty.total.csat, empty.total.nps,
            empty.total.median_hours_to_resolve) == (0, None, None, None)


def test_column_headings_cover_every_field() -> None:
    assert list(METRIC_COLUMNS_ZH) == [f.name for f in fields(MetricsRow)]
    assert list(PARETO_COLUMNS_ZH) == [f.name for f in fields(ParetoRow)]
