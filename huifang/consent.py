"""Opt-out and reachability: honoured immediately and forever, always with an audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from huifang.callback_lifecycle import stop_all_for_customer
from huifang.db.models import CallbackStatus, ConsentEvent, Customer


def opt_out(
    session: Session,
    customer: Customer,
    *,
    source: str,
    reason: str | None = None,
    actor: str | None = None,
    now: datetime,
) -> None:
    if customer.opted_out_at is None:
        customer.opted_out_at = now
    session.add(ConsentEvent(customer=customer, action="opt_out", source=source, reason=reason,
                             actor=actor, created_at=now))
    stop_all_for_customer(session, customer.id, CallbackStatus.OPTED_OUT, "customer opted out",
                          now)


def opt_in(session: Session, customer: Customer, *, source: str, actor: str | None = None,
           reason: str | None = None, now: datetime) -> None:
    customer.opted_out_at = None
    customer.unreachable_at = None
    session.add(ConsentEvent(customer=customer, action="opt_in", source=source, reason=reason,
                             actor=actor, created_at=now))


def mark_unreachable(session: Session, customer: Customer, *, reason: str,
                     now: datetime) -> None:
    """A customer who blocked the bot is unreachable and treated as opted out."""
    first_time = customer.unreachable_at is None
    customer.unreachable_at = customer.unreachable_at or now
    stop_all_for_customer(session, customer.id, CallbackStatus.UNREACHABLE, reason, now)
    if first_time:
        opt_out(session, customer, source="channel", reason=reason, now=now)
