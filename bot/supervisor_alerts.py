"""Supervisor alerts and commands over Telegram, as plain functions on a session.

Alerts about new and overdue escalations go to the configured supervisors' chat only. Only
Telegram users on the allow-list (settings.telegram_supervisor_ids) may act; each acts as the
console account linked to their Telegram id (one is created, without a password, the first
time an allow-listed user acts, so every claim and resolve has an audited actor) and within
that account's branch scope (huifang.branch_scope: a created account has no branch until an
admin grants one). Outside text in a message (the customer's words, names) is one line each
(huifang.one_line), so it cannot add lines such as a forged console link."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.transcript import Outgoing
from huifang import escalations
from huifang.branch_scope import TELEGRAM_ONLY_PASSWORD_HASH, Scope, branch_scope, may_see
from huifang.db.models import (
    AlertKind,
    Callback,
    Escalation,
    EscalationStatus,
    SupervisorUser,
)
from huifang.escalations import EscalationError
from huifang.labels import CATEGORIES, ESCALATION_STATUSES, PRIORITIES, REASONS, SEVERITIES
from huifang.local_time import month_day_time
from huifang.masking import mask_name
from huifang.one_line import one_line
from huifang.outcome import outcome_of
from huifang.settings import Settings
from huifang.surveys import template_named

CLAIM, RESOLVE = "claim", "resolve"
CALLBACK_PREFIX = "esc"
RESOLVE_HOW = "请发送 /resolve {id} 处理结果（可在开头写根因，如：/resolve {id} 收费/价格 已退还多收的费用）"
NOT_ALLOWED = "抱歉，您没有权限执行主管操作。"
DONE_MARK = "✅"  # leads the reply of a claim or resolve that went through
QUEUE_LIMIT = 20



@dataclass(frozen=True)
class TelegramUser:
    id: int
    full_name: str


def callback_data(action: str, escalation_id: int) -> str:
    return f"{CALLBACK_PREFIX}:{action}:{escalation_id}"


def parse_callback_data(data: str) -> tuple[str, int] | None:
    parts = data.split(":")
    if (len(parts) != 3 or parts[0] != CALLBACK_PREFIX or parts[1] not in (CLAIM, RESOLVE)
            or not parts[2].isdigit()):
        return None
    return parts[1], int(parts[2])


def console_link(settings: Settings, escalation_id: int) -> str:
    return f"{settings.console_url}/escalations/{escalation_id}"


def _linkable(url: str) -> bool:
    """Telegram refuses URL buttons pointing at localhost or private addresses."""
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_private or address.is_unspecified)


def supervisor_for(session: Session, settings: Settings, user: TelegramUser
                   ) -> SupervisorUser | None:
    if user.id not in settings.telegram_supervisor_ids:
        return None
    account = session.scalar(select(SupervisorUser)
                             .where(SupervisorUser.telegram_user_id == user.id))
    if account is None:
        account = SupervisorUser(username=f"telegram-{user.id}",
                                 display_name=one_line(user.full_name, 100)
                                 or f"Telegram {user.id}",
                                 password_hash=TELEGRAM_ONLY_PASSWORD_HASH,
                                 telegram_user_id=user.id, branches=[])
        session.add(account)
        session.flush()
    return account if account.active else None


def _load(session: Session, escalation_id: int) -> Escalation | None:
    return session.scalar(
        select(Escalation).where(Escalation.id == escalation_id)
        .options(*escalations.detail_options())
    )


def _visible(session: Session, escalation_id: int, user: SupervisorUser) -> Escalation | None:
    """The escalation if it is in the user's branches; one outside them is "not found", as in
    the console, so its number tells nothing."""
    escalation = _load(session, escalation_id)
    if escalation is None or not may_see(user, escalation.callback.ticket):
        return None
    return escalation


def _name(user: SupervisorUser) -> str:
    return one_line(user.display_name)


def _scores(callback: Callback) -> str | None:
    outcome = outcome_of(callback)
    parts = []
    if outcome.overall is not None:
        parts.append(f"总体 {outcome.overall}/5")
    if outcome.solved is not None:
        parts.append("问题已解决" if outcome.solved else "问题未解决")
    template = template_named(callback.template)
    labels = {d.code: d.label for d in template.dimensions}
    parts += [f"{labels.get(code, code)} {score}/5" for code, score in outcome.dimensions.items()]
    if outcome.nps is not None:
        parts.append(f"推荐意愿 {outcome.nps}/10")
    return " · ".join(parts) or None


def _words(callback: Callback) -> list[str]:
    lines = []
    for complaint in callback.complaints:
        categories = "、".join(CATEGORIES.get(c.category, c.category)
                              for c in complaint.categories) or "未分类"
        lines.append(f"「{one_line(complaint.text)}」\n   分类：{categories} · 严重程度："
                     f"{SEVERITIES[complaint.severity]}")
    response = callback.response
    if response is not None and response.comment and all(
            c.text != response.comment for c in callback.complaints):
        lines.append(f"「{one_line(response.comment)}」（意见建议）")
    return lines


HEADLINES = {
    AlertKind.NEW: "🔔 新的升级工单 #{id}（{priority}）",
    AlertKind.RAISED: "⬆️ 升级工单 #{id} 优先级已提高（{priority}）",
    AlertKind.NEWS: "🔔 升级工单 #{id} 有新情况（{priority}）",
    AlertKind.OVERDUE: "⏰ 升级工单 #{id} 已超时未处理（{priority}）",
}


def alert_message(session: Session, settings: Settings, escalation_id: int, now: datetime,
                  kind: AlertKind | None = None) -> Outgoing | None:
    """The alert of `kind` about an escalation (by default: new, or overdue past its
    deadline); None if it is resolved."""
    escalation = _load(session, escalation_id)
    if escalation is None:
        raise LookupError(f"no escalation {escalation_id}")
    if escalation.status == EscalationStatus.RESOLVED:
        return None
    callback = escalation.callback
    ticket = callback.ticket
    kind = kind or (AlertKind.OVERDUE if escalation.due_at < now else AlertKind.NEW)
    headline = HEADLINES[kind].format(id=escalation.id, priority=PRIORITIES[escalation.priority])
    reasons = "、".join(REASONS.get(r, r) for r in escalation.reasons)
    facts = " · ".join(one_line(x) for x in (ticket.external_id,
                                             template_named(callback.template).service_label,
                                             ticket.branch, ticket.agent) if x)
    lines = [headline, f"原因：{reasons}", f"工单：{facts}",
             f"客户：{mask_name(one_line(ticket.customer.name)) or '（未登记姓名）'}"]
    scores = _scores(callback)
    if scores:
        lines.append(f"评分：{scores}")
    words = _words(callback)
    if words:
        lines.append("客户原话：")
        lines += [f"• {w}" for w in words]
    lines.append(f"状态：{ESCALATION_STATUSES[escalation.status]}"
                 + (f"（{_name(escalation.owner)}）" if escalation.owner else ""))
    lines.append(f"处理时限：{month_day_time(escalation.due_at, settings.zone)}")
    link = console_link(settings, escalation.id)
    lines.append(f"控制台：{link}")
    buttons = [{"title": "认领", "callback_data": callback_data(CLAIM, escalation.id)},
               {"title": "已解决", "callback_data": callback_data(RESOLVE, escalation.id)}]
    if _linkable(link):
        buttons.append({"title": "在控制台打开", "url": link})
    return Outgoing("\n".join(lines), buttons)


NO_BRANCHES = ("您的账号还没有被授权任何网点，请联系管理员授权"
               "（huifang users grant {username} --branch 网点）。")


def queue_text(session: Session, settings: Settings, user: SupervisorUser, now: datetime
               ) -> str:
    scope: Scope = branch_scope(user)
    if scope == ():
        return NO_BRANCHES.format(username=user.username)
    queue = escalations.open_queue(session, now, scope)
    if not queue:
        return "目前没有待处理的升级工单 👍"
    lines = [f"待处理升级工单 {len(queue)} 个："]
    for escalation in queue[:QUEUE_LIMIT]:
        ticket = escalation.callback.ticket
        late = "（已超时）" if escalation.due_at < now else ""
        owner = f" {_name(escalation.owner)}" if escalation.owner else ""
        status = ESCALATION_STATUSES[escalation.status]
        lines.append(f"#{escalation.id} {PRIORITIES[escalation.priority]} · "
                     f"{status}{owner} · {one_line(ticket.external_id)} "
                     f"{one_line(ticket.branch)} · "
                     f"时限 {month_day_time(escalation.due_at, settings.zone)}{late}")
    if len(queue) > QUEUE_LIMIT:
        lines.append(f"……另有 {len(queue) - QUEUE_LIMIT} 个，请在控制台查看")
    lines.append("认领：/claim 编号　解决：/resolve 编号 处理结果")
    return "\n".join(lines)


def claim(session: Session, escalation_id: int, user: SupervisorUser, now: datetime) -> str:
    escalation = _visible(session, escalation_id, user)
    if escalation is None:
        return f"找不到升级工单 #{escalation_id}"
    if escalation.owner_id == user.id and escalation.status == EscalationStatus.CLAIMED:
        return f"升级工单 #{escalation_id} 已由您认领"
    taken = escalation.owner_id not in (None, user.id)
    if taken and escalation.status != EscalationStatus.RESOLVED:
        owner = session.get_one(SupervisorUser, escalation.owner_id)
        return f"升级工单 #{escalation_id} 已由 {_name(owner)} 认领"
    try:
        escalations.claim(session, escalation, user, now)
    except EscalationError as exc:
        return f"#{escalation_id}：{exc}"
    return f"{DONE_MARK} {_name(user)} 已认领升级工单 #{escalation_id}"


def resolve(session: Session, escalation_id: int, user: SupervisorUser, note: str,
            now: datetime) -> str:
    escalation = _visible(session, escalation_id, user)
    if escalation is None:
        return f"找不到升级工单 #{escalation_id}"
    root_cause, resolution = _root_cause(escalation, note.strip())
    try:
        escalations.resolve(session, escalation, user, root_cause, resolution, now)
    except EscalationError as exc:
        return f"#{escalation_id}：{exc}"
    return (f"{DONE_MARK} {_name(user)} 已解决升级工单 #{escalation_id}"
            f"（根因：{CATEGORIES.get(root_cause, root_cause)}）")


def _root_cause(escalation: Escalation, note: str) -> tuple[str, str]:
    """An explicit root cause may lead the note ("price 已退款" / "收费/价格 已退款"); otherwise
    the customer's first complaint category, else "other"."""
    first, _, rest = note.partition(" ")
    by_name = {**{code: code for code in CATEGORIES},
               **{label: code for code, label in CATEGORIES.items()}}
    if first in by_name and rest.strip():
        return by_name[first], rest.strip()
    guessed = next((c.category for complaint in escalation.callback.complaints
                    for c in complaint.categories), "other")
    return guessed, note
