"""A campaign's figures as the console shows them — the same texts in the first render and in
the live JSON the page polls, so a refresh never changes how a figure is written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console.rendering import format_number
from huifang.campaign_figures import STATE_LABELS_ZH, Figures
from huifang.db.models import Campaign, CampaignStatus
from huifang.labels import CAMPAIGN_STATUSES

FIGURE_LABELS = {
    "total": "回访总数",
    "sent": "已发送",
    **STATE_LABELS_ZH,
    "response_rate": "回复率",
    "csat": "满意率（CSAT）",
    "next_send": "下次发送",
    "rate": "当前发送速率",
    "eta": "预计发送完毕",
}
TIME_FORMAT = "%m-%d %H:%M"


def _time(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime(TIME_FORMAT) if value else "—"


def figure_texts(campaign: Campaign, figures: Figures, zone: ZoneInfo) -> dict[str, str]:
    waiting = figures.states["scheduled"]
    texts = {
        "status": CAMPAIGN_STATUSES[campaign.status],
        "total": str(figures.total),
        "sent": str(figures.sent),
        **{state: str(count) for state, count in figures.states.items()},
        "response_rate": _percent(figures.response_rate),
        "csat": _percent(figures.csat),
        "next_send": ("已暂停" if campaign.status == CampaignStatus.PAUSED and waiting
                      else _time(figures.next_send_at, zone) if waiting else "—"),
        "rate": (f"{format_number(figures.sends_per_hour)} 条/小时"
                 if figures.sends_per_hour else "—"),
        "eta": _eta(campaign, figures, zone),
    }
    return texts


def _eta(campaign: Campaign, figures: Figures, zone: ZoneInfo) -> str:
    if campaign.status == CampaignStatus.CANCELLED or not figures.total:
        return "—"
    if not figures.states["scheduled"]:
        return "已全部发送"
    if campaign.status == CampaignStatus.PAUSED:
        return "暂停中"
    if figures.estimated_finish_at is None:
        return "等待发送速率"
    return _time(figures.estimated_finish_at, zone)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{format_number(value)}%"
