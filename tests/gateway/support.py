"""Helpers for the gateway tests: settings, the real gateway in a thread, customers to talk to."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app, create_internal_app
from bot.conversation_routing import customer_at
from bot.gateway import Gateway
from bot.outbox import RetryPolicy
from huifang import webchat_links
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback, Channel, Locale, Message
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings
from tests.support.fake_bot_api import (
    FakeBotApi,
    FakeUser,
    RunningFakeBotApi,
    serve_asgi_in_order,
)
from tests.support.stack import SHARED_RASA_TOKEN

T = TypeVar("T")

INTERNAL_TOKEN = "gateway-test-internal-token"
RASA_TOKEN = SHARED_RASA_TOKEN  # what the shared Rasa stacks expect (tests/conftest.py)
SUPERVISORS_CHAT = -1001234567890
SUPERVISOR = FakeUser(7001, "张主管", "zhang_sup")
STRANGER = FakeUser(7002, "路人甲", "passerby")

_numbers = itertools.count(1)
_user_ids = itertools.count(900_001)


def gateway_settings(database_url: str, rasa_url: str,
                     telegram: RunningFakeBotApi | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "rasa_url": rasa_url,
        "rasa_token": SecretStr(RASA_TOKEN),
        "rasa_timeout_seconds": 60.0,
        "internal_token": SecretStr(INTERNAL_TOKEN),
        "telegram_supervisors_chat_id": SUPERVISORS_CHAT,
        "telegram_supervisor_ids": [SUPERVISOR.id],
    }
    if telegram is not None:
        values.update(telegram_token=SecretStr(telegram.api.token),
                      telegram_api_base_url=telegram.base_url,
                      telegram_bot_username=telegram.api.bot["username"])
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class GatewayUnderTest:
    url: str
    internal_url: str
    gateway: Gateway
    sessions: sessionmaker[Session]
    chat_tokens: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.gateway.settings

    def internal(self, path: str, body: dict[str, Any] | None = None,
                 token: str | None = None) -> httpx.Response:
        token = token or self.settings.internal_token.get_secret_value()
        return httpx.post(f"{self.internal_url}/internal/{path}", json=body,
                          headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def send_round(self, callback_id: int, round_: int = 1, mode: str = "start"
                   ) -> httpx.Response:
        return self.internal(f"callbacks/{callback_id}/send", {"round": round_, "mode": mode})

    def alert(self, escalation_id: int) -> httpx.Response:
        return self.internal(f"escalations/{escalation_id}/alert")

    def chat_token(self, address: str) -> str:
        """The web-chat link token of the customer at `address` (issued once per test, as
        intake would); an address nobody has is used as the token itself (→ 404)."""
        if address not in self.chat_tokens:
            with session_scope(self.sessions) as session:
                customer = customer_at(session, Channel.WEBCHAT, address)
                self.chat_tokens[address] = (
                    webchat_links.issue(session, customer, None, utcnow(), self.settings)
                    if customer else address)
        return self.chat_tokens[address]

    def webchat_say(self, address: str, **body: str) -> httpx.Response:
        return httpx.post(f"{self.url}/webchat/{self.chat_token(address)}/messages", json=body,
                          timeout=120)

    def webchat_history(self, address: str, after: int = 0) -> httpx.Response:
        return httpx.get(f"{self.url}/webchat/{self.chat_token(address)}/messages",
                         params={"after": after}, timeout=30)

    def read(self, work: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            return work(session)

    def messages(self, channel: Channel, address: str) -> list[Message]:
        return self.read(lambda s: list(s.scalars(
            select(Message).where(Message.channel == channel, Message.address == address)
            .order_by(Message.id))))

    def wait_until(self, check: Callable[[Session], T], timeout: float = 30.0,
                   what: str = "condition") -> T:
        deadline = time.monotonic() + timeout
        while True:
            result = self.read(check)
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.05)


@contextmanager
def running_gateway(settings: Settings, port: int | None = None,
                    outbox_interval: float = 0.3, internal_port: int | None = None,
                    retry: RetryPolicy | None = None) -> Iterator[GatewayUnderTest]:
    """The real gateway apps served in one thread and loop, as `python -m bot` serves them: the
    public one (web chat, Telegram) on `port` and the internal API on `internal_port` (free
    ports unless given; the internal one starts after the public one started the gateway)."""
    gateway = Gateway(settings, outbox_interval=outbox_interval, retry=retry)
    engine = create_db_engine(settings.database_url)
    try:
        with serve_asgi_in_order([(create_app(gateway=gateway), port),
                                  (create_internal_app(gateway), internal_port)],
                                 name="gateway") as (url, internal_url):
            yield GatewayUnderTest(url, internal_url, gateway, session_factory(engine))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Seeded:
    customer_id: int
    callback_id: int
    ticket_id: str
    address: str | None
    bind_token: str | None
    chat_link: str | None = None


def seed_customer(sessions: sessionmaker[Session], channel: Channel, *,
                  address: str | None = None, locale: Locale = Locale.SIMPLIFIED,
                  service_type: str = "auto_repair", name: str = "王先生",
                  branch: str = "朝阳店") -> Seeded:
    """A customer with one closed ticket and its (not yet sent) survey callback."""
    number = next(_numbers)
    now = utcnow()
    stamp = f"{now.timestamp():.0f}-{number}"
    ticket = TicketIn(ticket_id=f"GW-{stamp}", customer_id=f"gw-customer-{stamp}",
                      customer_name=name, service_type=service_type, agent="李师傅",
                      branch=branch, channel=channel, address=address, locale=locale,
                      closed_at=now - timedelta(days=1))
    with session_scope(sessions) as session:
        result = ingest(session, [ticket], now)
        callback = session.scalar(select(Callback).order_by(Callback.id.desc()))
        assert callback is not None
        link = result.bind_tokens.get(ticket.ticket_id)
        token = parse_qs(urlparse(link).query)["start"][0] if link else None
        return Seeded(callback.ticket.customer_id, callback.id, ticket.ticket_id, address, token,
                      result.chat_links.get(ticket.ticket_id))


def telegram_user() -> FakeUser:
    user_id = next(_user_ids)
    return FakeUser(user_id, f"客户{user_id}", f"customer{user_id}")


def bind(fake: FakeBotApi, user: FakeUser, token: str | None) -> None:
    """The customer opens the deep link: Telegram sends `/start <token>`."""
    before = len(fake.messages_to(user.id))
    fake.user_sends(user, f"/start {token}")
    fake.wait_for_messages(user.id, before + 1)
