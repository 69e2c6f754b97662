"""Which Rasa conversation a customer's message belongs to (docs/contracts.md, "Conversation ids"):
the customer's most recent callback that has been sent, whatever its status; a customer without
any sent callback talks to the conversation keyed by their customer id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from huifang.db.models import Callback, Channel, ChannelAddress, Customer, Locale, Ticket


@dataclass(frozen=True)
class ConversationTarget:
    customer_id: int
    callback_id: int | None
    sender: str
    locale: Locale


# built once: every customer turn runs both (docs/performance.md, "Statements built once")
_CUSTOMER_AT = (select(Customer).join(ChannelAddress)
                .where(ChannelAddress.channel == bindparam("channel"),
                       ChannelAddress.address == bindparam("address")))
_LATEST_SENT_CALLBACK = (
    select(Callback).join(Ticket)
    .where(Ticket.customer_id == bindparam("customer_id"), Callback.sent_at.is_not(None))
    .order_by(Callback.sent_at.desc(), Callback.id.desc()).limit(1))


def customer_at(session: Session, channel: Channel, address: str) -> Customer | None:
    return session.scalar(_CUSTOMER_AT, {"channel": channel, "address": address})


def conversation_for(session: Session, customer: Customer) -> ConversationTarget:
    latest = session.scalar(_LATEST_SENT_CALLBACK, {"customer_id": customer.id})
    return _target(customer, latest)


def conversation_of(session: Session, customer: Customer, callback_id: int | None
                    ) -> ConversationTarget:
    """The conversation a message was recorded for (its retry goes where the first try went)."""
    return _target(customer, session.get(Callback, callback_id) if callback_id else None)


def _target(customer: Customer, callback: Callback | None) -> ConversationTarget:
    if callback is None:
        return ConversationTarget(customer.id, None, f"customer-{customer.id}", customer.locale)
    return ConversationTarget(customer.id, callback.id, callback.conversation_id,
                              customer.locale)
