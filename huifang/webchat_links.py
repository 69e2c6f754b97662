"""Web-chat links, the web's counterpart of Telegram deep links: a random token (128+ bits)
issued per customer and callback, handed to the ticketing system once (intake answer, import
report), stored only as its SHA-256 and valid until it expires. Whoever holds the link is the
customer in the built-in web chat; nothing the ticketing system chose is a credential.

The web chat itself keeps using the customer's web-chat channel address as the key of the
conversation (transcript, locks); `issue` gives a customer without one an internal address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.db.models import Callback, Channel, ChannelAddress, Customer, WebChatLink
from huifang.settings import Settings

TOKEN_BYTES = 24  # 192 bits
MAX_TOKEN_LENGTH = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def issue(session: Session, customer: Customer, callback: Callback | None, now: datetime,
          settings: Settings, flush: bool = True) -> str:
    """A fresh link token for `customer` (earlier links stay valid until they expire);
    `flush=False` leaves the write to the caller's next flush (the intake's, once per batch)."""
    if customer.address_for(Channel.WEBCHAT) is None:
        customer.addresses.append(ChannelAddress(channel=Channel.WEBCHAT,
                                                 address=f"web-{secrets.token_hex(8)}"))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebChatLink(token_hash=token_hash(token), customer=customer, callback=callback,
                            expires_at=now + timedelta(days=settings.webchat_link_ttl_days),
                            created_at=now))
    if flush:
        session.flush()
    return token


def chat_url(token: str, settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/chat/{token}"


def resolve(session: Session, token: str, now: datetime) -> Customer | None:
    """The customer a link token belongs to, or None if unknown or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = session.scalar(select(WebChatLink).where(WebChatLink.token_hash == token_hash(token)))
    if link is None or link.expires_at <= now:
        return None
    return link.customer
