"""The supervisors' morning digest: yesterday's figures and what is open or overdue now.
Names from the ticketing system are shown one line each (huifang.one_line).

It is handed to the gateway's outbox keyed by its day, a few times at most if the gateway does
not answer: a repeated hand-over stores nothing twice, and giving up alerts operations."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from huifang import escalations
from huifang.db import session_scope
from huifang.labels import PRIORITIES
from huifang.local_time import month_day, month_day_time
from huifang.one_line import one_line
from huifang.operations import alert_operations
from huifang.reports import ReportQuery, build_report
from huifang.settings import Settings
from scheduler.gateway_client import GatewayClient

LISTED_OVERDUE = 5
HAND_OVER_TRIES = 3
HAND_OVER_PAUSE_SECONDS = 30.0


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def compose_digest(session: Session, now: datetime, settings: Settings) -> str:
    zone = settings.zone
    yesterday = (now.astimezone(zone) - timedelta(days=1)).date()
    total = build_report(session, ReportQuery(since=yesterday, until=yesterday), now,
                         settings).total
    queue = escalations.open_queue(session, now)
    overdue = [e for e in queue if e.due_at < now]
    lines = [
        f"【回访日报】{month_day(yesterday)}",
        f"发出回访 {total.sent} 个，收到回复 {total.answered} 个"
        f"（回复率 {_percent(total.response_rate)}）。",
    ]
    if total.overall_answers:
        lines.append(f"满意率 {_percent(total.csat)}，平均 {total.mean_overall:.2f} 分"
                     f"（{total.overall_answers} 人评分）。")
    lines.append(f"昨日新增升级 {total.escalations} 个；目前待处理 {len(queue)} 个，"
                 f"其中已超时 {len(overdue)} 个。")
    for escalation in overdue[:LISTED_OVERDUE]:
        ticket = escalation.callback.ticket
        branch = one_line(ticket.branch) or "未分配网点"
        lines.append(f"· #{escalation.id} {PRIORITIES[escalation.priority]} "
                     f"{branch} 工单{one_line(ticket.external_id)}，"
                     f"截止 {month_day_time(escalation.due_at, zone)}")
    if len(overdue) > LISTED_OVERDUE:
        lines.append(f"……另有 {len(overdue) - LISTED_OVERDUE} 个超时，请在控制台查看。")
    return "\n".join(lines)


def send_daily_digest(sessions: sessionmaker[Session], gateway: GatewayClient, now: datetime,
                      settings: Settings, pause: Callable[[float], None] = time.sleep) -> bool:
    with session_scope(sessions) as session:
        text = compose_digest(session, now, settings)
    day = now.astimezone(settings.zone).date().isoformat()
    for attempt in range(1, HAND_OVER_TRIES + 1):
        if gateway.send_digest(text, day):
            return True
        if attempt < HAND_OVER_TRIES:
            pause(HAND_OVER_PAUSE_SECONDS)
    alert_operations(f"the daily digest of {day} was not delivered",
                     f"the gateway did not take it in {HAND_OVER_TRIES} tries")
    return False
