"""Web-chat links, the web's counterpart of Telegram deep links: a random token (128+ bits)
issued per customer and callback, handed to the ticketing system once (intake answer, import
report), stored only as its SHA-256 and valid until it expires. Whoever holds the link is the
customer in the built-in web chat; nothing the ticketing system chose is a credential.

The web chat itself keeps using the customer's web-chat channel address as the key of the
conversation (transcript, locks); a customer without one gets an internal address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from huifang.db.models import (
    Callback,
    Channel,
    ChannelAddress,
    Customer,
    Locale,
    WebChatLink,
)
from huifang.intake_rows import NewCustomer
from huifang.settings import Settings

TOKEN_BYTES = 24  # 192 bits
MAX_TOKEN_LENGTH = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def ensure_address(customer: Customer | NewCustomer) -> None:
    """A customer without a web-chat address gets an internal one (the conversation's key)."""
    if customer.address_for(Channel.WEBCHAT) is None:
        customer.add_address(Channel.WEBCHAT, f"web-{secrets.token_hex(8)}")


def new_link(now: datetime, settings: Settings) -> tuple[str, dict[str, Any]]:
    """A fresh link token and its row's columns: its hash (never the token) and expiry."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, {"token_hash": token_hash(token), "created_at": now,
                   "expires_at": now + timedelta(days=settings.webchat_link_ttl_days)}


def issue(session: Session, customer: Customer, callback: Callback | None, now: datetime,
          settings: Settings) -> str:
    """A fresh link token for `customer` (earlier links stay valid until they expire)."""
    ensure_address(customer)
    token, row = new_link(now, settings)
    session.add(WebChatLink(customer=customer, callback=callback, **row))
    session.flush()
    return token


def chat_url(token: str, settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/chat/{token}"


# built once: it guards every web-chat request (docs/performance.md, "Statements built once")
_CHAT_OF_TOKEN = (
    select(ChannelAddress.address, Customer.locale).select_from(WebChatLink)
    .join(Customer, Customer.id == WebChatLink.customer_id)
    .join(ChannelAddress, ChannelAddress.customer_id == Customer.id)
    .where(WebChatLink.token_hash == bindparam("token_hash"),
           WebChatLink.expires_at > bindparam("now"), ChannelAddress.channel == Channel.WEBCHAT)
    .order_by(ChannelAddress.id).limit(1))


def chat_of(session: Session, token: str, now: datetime) -> tuple[str, Locale] | None:
    """The web-chat address and language of the customer a link token lets in, in one
    statement (it guards every web-chat request); None if unknown or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.connection().execute(
        _CHAT_OF_TOKEN, {"token_hash": token_hash(token), "now": now}).first()
    return (row.address, row.locale) if row is not None else None
