"""Fixtures for whole conversations against the real Rasa server and action server."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback, Channel, Locale
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from tests.support.stack import RasaStack
from tests.support.rasa_http import RasaConversations

_numbers = itertools.count(1)


@dataclass
class Conversation:
    """One callback's conversation: send text, read replies, read what was stored."""

    callback_id: int
    client: RasaConversations
    sessions: sessionmaker[Session]
    start_replies: list[dict[str, Any]]

    @property
    def sender(self) -> str:
        return f"callback-{self.callback_id}"

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.client.say(self.sender, text)

    def press(self, payload: str) -> list[dict[str, Any]]:
        return self.client.press(self.sender, payload)

    def trigger(self, intent: str) -> list[dict[str, Any]]:
        return self.client.trigger(self.sender, intent)

    def stored(self) -> Callback:
        with self.sessions() as session:
            callback = session.scalar(select(Callback).where(Callback.id == self.callback_id))
            assert callback is not None
            # touch the relationships the tests read, while the session is open
            _ = (callback.response and callback.response.dimensions, callback.complaints,
                 [c.categories for c in callback.complaints], callback.escalations,
                 callback.ticket.customer.consent_events)
            return callback


@pytest.fixture(scope="session")
def stack_sessions(rasa_stack: RasaStack) -> Iterator[sessionmaker[Session]]:
    engine = create_db_engine(rasa_stack.database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def rasa_client(rasa_stack: RasaStack) -> RasaConversations:
    return RasaConversations(rasa_stack.rasa_url, rasa_stack.token)


@pytest.fixture
def start_callback(rasa_client: RasaConversations, stack_sessions: sessionmaker[Session]
                   ) -> Callable[..., Conversation]:
    """Create a ticket and its callback in the database, then start it as the gateway does."""

    def start(service_type: str = "auto_repair", locale: Locale = Locale.SIMPLIFIED,
              timezone: str | None = None) -> Conversation:
        number = next(_numbers)
        now = utcnow()
        ticket = TicketIn(ticket_id=f"CONV-{number}-{now.timestamp():.0f}",
                          customer_id=f"conv-customer-{number}-{now.timestamp():.0f}",
                          service_type=service_type, agent="李师傅", branch="朝阳店",
                          channel=Channel.WEBCHAT, locale=locale, timezone=timezone,
                          closed_at=now - timedelta(days=1))
        with session_scope(stack_sessions) as session:
            ingest(session, [ticket], now)
            callback = session.scalar(select(Callback).order_by(Callback.id.desc()))
            callback_id = callback.id
            callback.sent_at = now
            callback.delivered_round = 1
        # as the gateway does: no entities, the action reads the callback by the sender id
        replies = rasa_client.trigger(f"callback-{callback_id}", "EXTERNAL_start_callback")
        return Conversation(callback_id, rasa_client, stack_sessions, replies)

    return start
