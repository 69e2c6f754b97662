"""The do-not-contact list: customers who opted out or cannot be reached, with when and how.

A customer is on the list while `opted_out_at` or `unreachable_at` is set (huifang/consent.py
sets them; a blocked bot counts as opted out). "How" is the latest opt-out audit row: its
source (the conversation, the channel, the console) and the customer's own words or the
channel's error. Taking a customer off the list needs a recorded reason — the customer asked
for it — and writes an opt-in audit row with the staff member's name; surveys already stopped
stay stopped, only later tickets are surveyed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from huifang import consent
from huifang.db.models import ConsentEvent, Customer, SupervisorUser

CONSOLE_SOURCE = "console"
SOURCE_LABELS_ZH = {
    "conversation": "客户在对话中退订",
    "channel": "渠道无法送达（如屏蔽机器人）",
    CONSOLE_SOURCE: "控制台操作",
}
EXPORT_HEADERS = ["客户编号", "姓名", "电话", "状态", "时间", "方式", "说明"]


class DoNotContactError(ValueError):
    """Refused; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class Entry:
    customer: Customer
    since: datetime
    unreachable: bool
    source: str | None
    reason: str | None

    @property
    def how(self) -> str:
        return SOURCE_LABELS_ZH.get(self.source or "", self.source or "—")


def _latest_opt_out() -> Subquery:
    return (select(ConsentEvent.customer_id, func.max(ConsentEvent.id).label("event_id"))
            .where(ConsentEvent.action == "opt_out").group_by(ConsentEvent.customer_id)
            .subquery())


def entries_statement(search: str | None = None) -> Select:
    """(Customer, latest opt-out event or None) on the list, most recent first; `search`
    matches part of the customer id, name or phone number."""
    latest = _latest_opt_out()
    since = func.coalesce(Customer.unreachable_at, Customer.opted_out_at)
    statement = (
        select(Customer, ConsentEvent)
        .outerjoin(latest, latest.c.customer_id == Customer.id)
        .outerjoin(ConsentEvent, ConsentEvent.id == latest.c.event_id)
        .where(or_(Customer.opted_out_at.is_not(None), Customer.unreachable_at.is_not(None)))
        .order_by(since.desc(), Customer.id.desc())
    )
    if search and search.strip():
        pattern = f"%{_escaped(search.strip())}%"
        statement = statement.where(or_(*(column.like(pattern, escape="\\") for column in (
            Customer.external_id, Customer.name, Customer.phone))))
    return statement


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def entry(customer: Customer, event: ConsentEvent | None) -> Entry:
    since = customer.unreachable_at or customer.opted_out_at
    assert since is not None
    return Entry(customer=customer, since=since, unreachable=customer.unreachable_at is not None,
                 source=event.source if event else None, reason=event.reason if event else None)


def entries(session: Session, search: str | None = None, limit: int | None = None,
            offset: int = 0) -> list[Entry]:
    statement = entries_statement(search).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [entry(c, e) for c, e in session.execute(statement).tuples()]


def count(session: Session, search: str | None = None) -> int:
    statement = entries_statement(search).order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(statement)) or 0)


def status_label(item: Entry) -> str:
    return "无法送达" if item.unreachable else "已退订"


def export_table(items: list[Entry], zone: ZoneInfo) -> tuple[list[str], list[list[str]]]:
    return EXPORT_HEADERS, [
        [i.customer.external_id, i.customer.name or "", i.customer.phone or "", status_label(i),
         i.since.astimezone(zone).strftime("%Y-%m-%d %H:%M"), i.how, i.reason or ""]
        for i in items]


def re_enable(session: Session, customer: Customer, user: SupervisorUser, reason: str,
              now: datetime) -> None:
    """Take the customer off the list at their own request, with the reason on record."""
    reason = reason.strip()
    if customer.opted_out_at is None and customer.unreachable_at is None:
        raise DoNotContactError("该客户不在免打扰名单中")
    if not reason:
        raise DoNotContactError("请填写恢复联系的原因（例如：客户来电要求恢复回访）")
    consent.opt_in(session, customer, source=CONSOLE_SOURCE, actor=user.username, reason=reason,
                   now=now)
