"""Telegram delivery against the fake Bot API: pacing, 429 storms, blocked users, network
failures and permanent rejections — nothing is lost and every outcome is in the transcript."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway import Gateway
from bot.outlets import FlushResult
from bot.telegram_delivery import TelegramOutlet
from bot.transcript import Outgoing, StoredMessage, note_failure, record_outbound
from huifang.db.models import (
    Channel,
    ConsentEvent,
    Customer,
    DeliveryStatus,
    Direction,
    Message,
)
from tests.gateway.support import gateway_settings, seed_customer, telegram_user
from tests.support.fake_bot_api import FakeBotApi, FakeUser, RunningFakeBotApi, serve_asgi
from tests.support.processes import free_port

TELEGRAM = Channel.TELEGRAM


@pytest.fixture
async def gateway(database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi
                  ) -> AsyncIterator[Gateway]:
    """The gateway's parts started in the test's own event loop (no web server needed)."""
    gateway = Gateway(gateway_settings(database_url, rasa_down, fake_telegram),
                      outbox_interval=0.2)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


async def chat_of(fake: FakeBotApi, gateway: Gateway) -> tuple[FakeUser, int]:
    """A Telegram user who has talked to the bot and is bound to a customer."""
    user = telegram_user()
    seeded = seed_customer(gateway.db.sessions, TELEGRAM, address=str(user.id))
    fake.user_sends(user, "在吗")  # the chat exists for Telegram from now on
    await asyncio.to_thread(fake.wait_for_messages, user.id, 1)  # Rasa is down: "系统有点忙"
    return user, seeded.customer_id


async def send(gateway: Gateway, user: FakeUser, customer_id: int, texts: list[str]
               ) -> tuple[list[StoredMessage], FlushResult]:
    address = str(user.id)
    async with gateway.relay.locks.hold((TELEGRAM, address)):
        return await gateway.relay.send(TELEGRAM, address, [Outgoing(t, []) for t in texts],
                                        customer_id=customer_id, callback_id=None)


def rows(gateway: Gateway, user: FakeUser) -> list[Message]:
    with gateway.db.sessions() as session:
        return list(session.scalars(select(Message).where(
            Message.address == str(user.id), Message.direction == Direction.OUTBOUND)
            .order_by(Message.id)))


async def wait_all_sent(gateway: Gateway, users: list[FakeUser], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(r.delivery != DeliveryStatus.SENT for u in users for r in rows(gateway, u)):
        assert time.monotonic() < deadline, "messages still undelivered"
        await asyncio.sleep(0.1)


async def test_per_chat_pacing_keeps_under_the_flood_limit(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    started = time.monotonic()
    _, result = await send(gateway, user, customer_id, [f"第{n}条" for n in range(6)])
    elapsed = time.monotonic() - started
    assert (result.sent, result.pending) == (6, 0)
    assert [m.text for m in fake.messages_to(user.id)[1:]] == [f"第{n}条" for n in range(6)]
    assert fake.rejected(429) == []
    assert elapsed >= 3.3  # after the burst of 3 (one went to "在吗"), ~1 a second


async def test_a_429_storm_delays_but_loses_nothing(gateway: Gateway,
                                                    fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    chats = [await chat_of(fake, gateway) for _ in range(4)]
    fake.rate_limit_storm(12, retry_after=1)
    texts = ["您好", "第一个问题", "第二个问题"]
    await asyncio.gather(*(send(gateway, user, cid, texts) for user, cid in chats))
    await wait_all_sent(gateway, [user for user, _ in chats])
    assert len(fake.rejected(429)) == 12
    for user, _ in chats:
        assert [m.text for m in fake.messages_to(user.id)[1:]] == texts  # in order, once
        assert all(r.external_id for r in rows(gateway, user))


async def test_a_blocked_user_becomes_unreachable(gateway: Gateway,
                                                  fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    fake.block(user)
    _, result = await send(gateway, user, customer_id, ["您好", "请问"])
    assert result.unreachable
    assert [(r.delivery, r.error[:4]) for r in rows(gateway, user)[1:]] == [
        (DeliveryStatus.FAILED, "403:")] * 2
    with gateway.db.sessions() as session:
        customer = session.get_one(Customer, customer_id)
        assert customer.unreachable_at is not None and customer.opted_out_at is not None
        events = session.scalars(select(ConsentEvent)
                                 .where(ConsentEvent.customer_id == customer_id)).all()
        assert [(e.action, e.source) for e in events] == [("opt_out", "channel")]


async def test_long_messages_are_split_with_the_keyboard_last(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    address = str(user.id)
    buttons = [{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"}]
    async with gateway.relay.locks.hold((TELEGRAM, address)):
        stored, _ = await gateway.relay.send(
            TELEGRAM, address, [Outgoing("说明。" * 2000, buttons)], customer_id=customer_id,
            callback_id=None)
    first, second = fake.messages_to(user.id)[1:]
    assert len(first.text) <= 4096 and first.reply_markup is None
    assert [b["callback_data"] for b in second.buttons()] == [f"b:{stored[1].id}:0",
                                                              f"b:{stored[1].id}:1"]
    assert len(first.text + second.text) == 6000


async def test_a_permanent_rejection_does_not_block_the_chat(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    with gateway.db.sessions.begin() as session:  # bypasses splitting: Telegram says 400
        record_outbound(session, TELEGRAM, str(user.id),
                        [Outgoing("长" * 5000, []), Outgoing("下一条", [])],
                        customer_id=customer_id, callback_id=None, delivered=False)
    result = await outlet(gateway).flush(str(user.id))
    assert (result.sent, result.pending) == (1, 0)
    too_long, next_one = rows(gateway, user)[1:]
    assert too_long.delivery == DeliveryStatus.FAILED and "too long" in too_long.error.lower()
    assert next_one.delivery == DeliveryStatus.SENT


def outlet(gateway: Gateway) -> TelegramOutlet:
    assert gateway.telegram_outlet is not None
    return gateway.telegram_outlet


def test_failures_count_until_given_up(sessions: sessionmaker[Session]) -> None:
    seeded = seed_customer(sessions, TELEGRAM, address="555")
    with sessions.begin() as session:
        (message,) = record_outbound(session, TELEGRAM, "555", [Outgoing("x", [])],
                                     customer_id=seeded.customer_id, callback_id=None,
                                     delivered=False)
        outcomes = [note_failure(session, message.id, "429", counts=False, give_up_after=2),
                    note_failure(session, message.id, "net", counts=True, give_up_after=2),
                    note_failure(session, message.id, "net", counts=True, give_up_after=2)]
        assert outcomes == [DeliveryStatus.PENDING, DeliveryStatus.PENDING,
                            DeliveryStatus.FAILED]
        assert session.get_one(Message, message.id).attempts == 2


async def test_network_failures_are_retried_by_the_outbox(database_url: str,
                                                          rasa_down: str) -> None:
    fake, port = FakeBotApi(), free_port()  # its server goes down and comes back on `port`
    settings = gateway_settings(database_url, rasa_down, None,
                                telegram_token=SecretStr(fake.token),
                                telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
    gateway = Gateway(settings, outbox_interval=0.2)
    with serve_asgi(fake.app(), port):
        await gateway.start()
        user, customer_id = await chat_of(fake, gateway)
    try:
        _, result = await send(gateway, user, customer_id, ["网络断了也要送到"])
        assert result.pending == 1
        row = rows(gateway, user)[-1]
        assert row.delivery == DeliveryStatus.PENDING and row.error.startswith("network")
        with serve_asgi(fake.app(), port):
            await wait_all_sent(gateway, [user], timeout=30)
            assert [m.text for m in fake.messages_to(user.id)][-1] == "网络断了也要送到"
    finally:
        with serve_asgi(fake.app(), port):
            await gateway.stop()
