"""The rows an intake batch creates, written with one INSERT per table, not object by object:
building and flushing an ORM object per customer, ticket, callback and link was most of an
import's time (docs/performance.md "Intake")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from huifang.db.models import Channel, ChannelAddress, Customer, Locale


@dataclass
class NewCustomer:
    """A customer first seen in this batch, shaped like `Customer` for the intake's rules."""

    external_id: str
    created_at: datetime
    name: str | None = None
    phone: str | None = None
    locale: Locale = Locale.SIMPLIFIED
    timezone: str | None = None
    preferred_channel: Channel = Channel.WEBCHAT
    bind_token: str | None = None
    bind_token_expires_at: datetime | None = None
    addresses: dict[Channel, str] = field(default_factory=dict)
    id: int | None = None  # once inserted

    def address_for(self, channel: Channel) -> str | None:
        return self.addresses.get(channel)

    def add_address(self, channel: Channel, address: str) -> None:
        self.addresses[channel] = address

    def row(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "created_at": self.created_at,
                "name": self.name, "phone": self.phone, "locale": self.locale,
                "timezone": self.timezone, "preferred_channel": self.preferred_channel,
                "bind_token": self.bind_token, "bind_token_expires_at": self.bind_token_expires_at}


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (all with the same keys) and return their new ids in the rows' order.
    SQLAlchemy sends them as multi-row INSERTs sized to the database's parameter limit."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.connection().scalars(statement, rows))


def insert_customers(session: Session, customers: list[NewCustomer]) -> None:
    """New customers and their addresses; each gets its id."""
    ids = insert_rows(session, Customer.__table__, [c.row() for c in customers])
    for customer, customer_id in zip(customers, ids, strict=True):
        customer.id = customer_id
    insert_rows(session, ChannelAddress.__table__, [
        {"customer_id": c.id, "channel": channel, "address": address}
        for c in customers for channel, address in c.addresses.items()])
