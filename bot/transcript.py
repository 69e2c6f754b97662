"""The transcript (`message` table): every message in or out of any channel. The delivery of
outbound messages is the outbox's (bot/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from huifang.db.models import Channel, DeliveryStatus, Direction, InboxItem, Message
from huifang.db.types import utcnow


@dataclass(frozen=True)
class Outgoing:
    """One message to store and deliver; `buttons` are Rasa buttons ({"title", "payload"}) or,
    for supervisors, {"title", "callback_data"} / {"title", "url"}."""

    text: str
    buttons: list[dict[str, str]]


@dataclass(frozen=True)
class StoredMessage:
    """A detached copy of a transcript row, safe to use outside its session."""

    id: int
    customer_id: int | None
    callback_id: int | None
    channel: Channel
    address: str
    direction: Direction
    text: str | None
    payload: str | None
    buttons: list[dict[str, str]]
    delivery: DeliveryStatus
    attempts: int
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: Message) -> StoredMessage:
        return cls(row.id, row.customer_id, row.callback_id, row.channel, row.address,
                   row.direction, row.text, row.payload, list(row.buttons or []), row.delivery,
                   row.attempts, row.created_at, row.sent_at)

    def as_json(self) -> dict[str, Any]:
        """What a web-chat page sees: buttons by their opaque ids, never their payloads."""
        return {
            "id": self.id,
            "direction": self.direction.value,
            "text": self.text,
            "buttons": [{"title": b["title"], "id": button_ref(self.id, index)}
                        for index, b in enumerate(self.buttons) if "payload" in b],
            "callback_id": self.callback_id,
            "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


def record_inbound(session: Session, channel: Channel, address: str, *,
                   customer_id: int | None, callback_id: int | None, text: str | None,
                   payload: str | None = None, external_id: str | None = None) -> StoredMessage:
    now = utcnow()
    row = Message(customer_id=customer_id, callback_id=callback_id, channel=channel,
                  address=address, direction=Direction.INBOUND, text=text, payload=payload,
                  delivery=DeliveryStatus.RECEIVED, external_id=external_id, created_at=now,
                  sent_at=now)
    session.add(row)
    session.flush()
    return StoredMessage.of(row)


# Statements of every customer turn, built once (docs/performance.md, "Statements built once").
_OF_CHAT = (Message.channel == bindparam("channel"), Message.address == bindparam("address"))
_RECEIVED = (select(func.count()).select_from(Message)
             .where(*_OF_CHAT, Message.direction == Direction.INBOUND,
                    Message.external_id == bindparam("external_id")))
_STORED_UNDER_KEYS = (select(Message)
                      .where(Message.outbound_key.in_(bindparam("keys", expanding=True)))
                      .order_by(Message.id))


def already_received(session: Session, channel: Channel, address: str, external_id: str) -> bool:
    """Telegram may deliver an update twice and users double-tap: one inbound row per event."""
    return session.connection().scalar(_RECEIVED, {"channel": channel, "address": address,
                                                     "external_id": external_id}) > 0


def record_outbound(session: Session, channel: Channel, address: str, messages: list[Outgoing],
                    *, customer_id: int | None, callback_id: int | None,
                    delivered: bool, key: str | None = None) -> list[StoredMessage]:
    """Store outgoing messages: already delivered (web chat: storing is delivering) or pending
    for the outbox (bot/outbox.py). With a `key` ("round:12:1", …) the rows are keyed
    "<key>:<n>" and storing the same key again returns the rows stored before."""
    keys = [f"{key}:{n}" for n in range(len(messages))] if key else [None] * len(messages)
    if key:
        stored = session.scalars(_STORED_UNDER_KEYS, {"keys": keys}).all()
        if stored:
            return [StoredMessage.of(row) for row in stored]
    now = utcnow()
    rows = [
        Message(customer_id=customer_id, callback_id=callback_id, channel=channel,
                address=address, direction=Direction.OUTBOUND, text=m.text,
                buttons=m.buttons or None, outbound_key=row_key,
                delivery=DeliveryStatus.SENT if delivered else DeliveryStatus.PENDING,
                attempts=1 if delivered else 0, created_at=now, sent_at=now if delivered else None)
        for m, row_key in zip(messages, keys, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return [StoredMessage.of(row) for row in rows]


def replies_to(session: Session, inbox_id: int) -> list[StoredMessage]:
    """What the assistant answered one inbox message (stored keyed "reply:<inbox id>:<n>"):
    looked for among its chat's messages after the customer's (an index range; the key's
    prefix alone would read the whole table)."""
    item = session.get(InboxItem, inbox_id)
    if item is None or item.message_id is None:
        return []
    rows = session.scalars(select(Message).where(
        Message.channel == item.channel, Message.address == item.address,
        Message.id > item.message_id, Message.outbound_key.like(f"reply:{inbox_id}:%"))
        .order_by(Message.id))
    return [StoredMessage.of(row) for row in rows]


def conversation(session: Session, channel: Channel, address: str, after: int = 0,
                 limit: int = 500) -> list[StoredMessage]:
    rows = session.scalars(
        select(Message)
        .where(Message.channel == channel, Message.address == address, Message.id > after)
        .order_by(Message.id).limit(limit)
    )
    return [StoredMessage.of(row) for row in rows]


BUTTON_REF_PREFIX = "b"
NOTICE_KEY = "notice"  # outbound key of "your answer is being processed" (bot/relay.py)
_LATEST_QUESTION = (  # the chat's latest outbound message that is not a "processing" notice
    select(Message)
    .where(*_OF_CHAT, Message.direction == Direction.OUTBOUND,
           or_(Message.outbound_key.is_(None), Message.outbound_key.not_like(f"{NOTICE_KEY}:%")))
    .order_by(Message.id.desc()).limit(1))


def button_ref(message_id: int, index: int) -> str:
    """The opaque id a channel shows for one of our buttons ("b:<message id>:<index>"); the
    payload behind it stays on the server (Telegram's callback_data is also too short for it)."""
    return f"{BUTTON_REF_PREFIX}:{message_id}:{index}"


def parse_button_ref(ref: str) -> tuple[int, int] | None:
    parts = ref.split(":")
    if (len(parts) != 3 or parts[0] != BUTTON_REF_PREFIX
            or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts[1:])):
        return None
    return int(parts[1]), int(parts[2])


def open_button(session: Session, channel: Channel, address: str, ref: str
                ) -> dict[str, str] | None:
    """The button behind `ref` if it belongs to the question now open in this chat: the chat's
    latest outbound message, which carries it. An answer, a re-ask or anything else we sent
    since makes the buttons of earlier messages stale — but not the notice that an answer is
    being processed (keyed "notice:…"), which asks nothing."""
    parsed = parse_button_ref(ref)
    if parsed is None:
        return None
    message_id, index = parsed
    latest = session.scalar(_LATEST_QUESTION, {"channel": channel, "address": address})
    if latest is None or latest.id != message_id:
        return None
    buttons = latest.buttons or []
    if not 0 <= index < len(buttons) or "payload" not in buttons[index]:
        return None
    return dict(buttons[index])
