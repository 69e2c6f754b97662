"""Deep-link tokens that bind a customer's Telegram chat to their customer record."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.db.models import Channel, ChannelAddress, Customer
from huifang.settings import Settings


def new_token(now: datetime, settings: Settings) -> tuple[str, datetime]:
    """A fresh single-use token and its expiry; it replaces any earlier one of the customer."""
    return secrets.token_urlsafe(16), now + timedelta(days=settings.bind_token_ttl_days)


def deep_link(token: str, settings: Settings) -> str:
    return f"https://t.me/{settings.telegram_bot_username}?start={token}"


def redeem(session: Session, token: str, channel: Channel, address: str,
           now: datetime) -> Customer | None:
    customer = session.scalar(select(Customer).where(Customer.bind_token == token))
    if customer is None or customer.bind_token_expires_at is None:
        return None
    if customer.bind_token_expires_at <= now:
        return None
    customer.bind_token = None
    customer.bind_token_expires_at = None
    existing = session.scalar(
        select(ChannelAddress).where(ChannelAddress.channel == channel,
                                     ChannelAddress.address == address)
    )
    if existing is not None and existing.customer_id != customer.id:
        session.delete(existing)
        session.flush()
    if existing is None or existing.customer_id != customer.id:
        customer.addresses.append(ChannelAddress(channel=channel, address=address, verified_at=now))
    customer.preferred_channel = channel
    session.flush()
    return customer
