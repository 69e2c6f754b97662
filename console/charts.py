"""The report page's charts, drawn on the server with matplotlib as inline SVG.

Why server-side SVG: no JavaScript chart library to vendor and keep up to date, nothing loaded
from a CDN, the same figures whatever the browser, and every chart is plain markup that a test
can find. Text is kept as SVG <text> (svg.fonttype "none"), so the browser draws the Chinese
labels with its own fonts; the available CJK font is still used for the layout metrics.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from huifang.campaign_figures import TimelinePoint
from huifang.report_export import NO_VALUE_LABEL
from huifang.reports import CATEGORY_LABELS_ZH, GroupBy, MetricsRow, Report

_CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC",
              "Microsoft YaHei", "PingFang SC", "SimHei")
_installed = {f.name for f in font_manager.fontManager.ttflist}
matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": [f for f in _CJK_FONTS if f in _installed] + ["DejaVu Sans"],
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
})
_COLORS = ["#2f6db5", "#e07b39", "#3a9e6f", "#c0392b", "#8e6bb8"]
# Line markers, each drawn smaller than the one before: series of equal value at a point (a
# CSAT and a first-contact resolution both at 100 %) show as nested marks, not as one.
_MARKERS = [("o", 10.0), ("s", 6.5), ("D", 3.5)]
_lock = threading.Lock()  # matplotlib's global state is not meant for concurrent drawing
_ID = re.compile(r'(id="|url\(#|href="#)([^"\)]+)')


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


def report_charts(report: Report) -> list[Chart]:
    rows = report.rows
    groups = [row.group if row.group is not None else NO_VALUE_LABEL for row in rows]
    over_time = report.query.by in (GroupBy.WEEK, GroupBy.MONTH)
    return [
        _chart("rates", "满意率 / 回复率 / 一次解决率（%）", bool(rows),
               lambda ax: _rates(ax, groups, rows, over_time)),
        _chart("nps", "NPS 与平均分", bool(rows), lambda ax: _nps(ax, groups, rows)),
        _chart("pareto", "投诉类别帕累托", bool(report.pareto), lambda ax: _pareto(ax, report)),
        _chart("escalations", "升级工单与处理时长", bool(rows),
               lambda ax: _escalations(ax, groups, rows)),
    ]


def _chart(key: str, title: str, has_data: bool, draw: Callable[[Axes], None]) -> Chart:
    with _lock:
        figure = Figure(figsize=(6.4, 3.0), layout="constrained")
        axes = figure.add_subplot()
        if has_data:
            draw(axes)
        else:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontsize=14,
                      color="#888888", transform=axes.transAxes)
        buffer = io.StringIO()
        FigureCanvasSVG(figure).print_svg(buffer)
    svg = buffer.getvalue()
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg"):], flags=re.S)
    # Several charts share one page: make their element ids unique.
    svg = _ID.sub(lambda m: f"{m.group(1)}{key}-{m.group(2)}", svg)
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                 rf'<svg\1 role="img" aria-label="{title}" class="chart-svg"', svg, count=1)
    return Chart(key, title, svg)


def _values(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def _series(ax: Axes, groups: list[str], series: dict[str, Sequence[float | None]],
            colors: Sequence[str], lines: bool) -> None:
    """Lines over time, grouped bars otherwise."""
    positions = range(len(groups))
    width = 0.8 / len(series)
    for index, (name, values) in enumerate(series.items()):
        if lines:
            marker, size = _MARKERS[index]
            ax.plot(positions, _values(values), marker=marker, markersize=size, label=name,
                    color=colors[index])
        else:
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            ax.bar(offsets, _values(values), width, label=name, color=colors[index])
    _group_axis(ax, groups)
    ax.legend(loc="upper left", ncols=len(series), frameon=False)


def _rates(ax: Axes, groups: list[str], rows: list[MetricsRow], over_time: bool) -> None:
    _series(ax, groups, {"满意率": [r.csat for r in rows],
                         "回复率": [r.response_rate for r in rows],
                         "一次解决率": [r.first_contact_resolution for r in rows]},
            _COLORS, lines=over_time)
    ax.set_ylim(0, 119)  # head room for the legend


def _group_axis(ax: Axes, groups: list[str]) -> None:
    ax.set_xticks(range(len(groups)), groups, rotation=30 if len(groups) > 6 else 0,
                  ha="right" if len(groups) > 6 else "center")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _nps(ax: Axes, groups: list[str], rows: list[MetricsRow]) -> None:
    positions = range(len(groups))
    nps = _values([r.nps for r in rows])
    ax.bar(positions, nps, 0.6, color=[_COLORS[2] if v >= 0 else _COLORS[3] for v in nps],
           label="NPS")
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS")
    _group_axis(ax, groups)
    mean = ax.twinx()
    mean.plot(positions, _values([r.mean_overall for r in rows]), marker="o",
              color=_COLORS[1], label="平均分")
    mean.set_ylim(0, 5.2)
    mean.set_ylabel("平均分（1–5）")
    mean.spines["right"].set_visible(True)


def _pareto(ax: Axes, report: Report) -> None:
    labels = [CATEGORY_LABELS_ZH.get(p.category, p.category) for p in report.pareto]
    positions = range(len(labels))
    ax.bar(positions, [p.count for p in report.pareto], 0.6, color=_COLORS[0])
    ax.set_ylabel("次数")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _group_axis(ax, labels)
    cumulative = ax.twinx()
    cumulative.plot(positions, [p.cumulative for p in report.pareto], marker="o",
                    color=_COLORS[1])
    cumulative.axhline(80, color="#999999", linestyle="--", linewidth=0.8)
    cumulative.set_ylim(0, 105)
    cumulative.set_ylabel("累计占比（%）")
    cumulative.spines["right"].set_visible(True)


def _escalations(ax: Axes, groups: list[str], rows: list[MetricsRow]) -> None:
    _series(ax, groups, {"升级数": [r.escalations for r in rows],
                         "未结": [r.escalations_open for r in rows],
                         "超时": [r.escalations_overdue for r in rows]},
            [_COLORS[0], _COLORS[1], _COLORS[3]], lines=False)
    ax.set_ylabel("件数")
    ax.set_ylim(0, max(r.escalations for r in rows) * 1.3 + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    hours = ax.twinx()
    hours.plot(range(len(groups)), _values([r.median_hours_to_resolve for r in rows]), marker="D",
               color=_COLORS[4], label="处理时长中位数（小时）")
    hours.set_ylim(bottom=0)
    hours.set_ylabel("处理时长中位数（小时）")
    hours.spines["right"].set_visible(True)


def campaign_chart(points: Sequence[TimelinePoint]) -> Chart:
    """A campaign's sends and first answers per hour (or day)."""
    periods = [p.period for p in points]

    def draw(ax: Axes) -> None:
        _series(ax, periods, {"发送": [p.sends for p in points],
                              "回复": [p.answers for p in points]},
                [_COLORS[0], _COLORS[2]], lines=False)
        ax.set_ylabel("条数")
        ax.set_ylim(0, max(max(p.sends, p.answers) for p in points) * 1.3 + 1)
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _chart("campaign", "发送与回复", bool(points), draw)
