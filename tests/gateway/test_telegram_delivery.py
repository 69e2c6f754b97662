"""Telegram delivery against the fake Bot API: pacing, 429 storms, blocked users, network
failures, server errors, permanent rejections, answers that time out and a gateway dying
mid-request — nothing is lost, nothing is sent blindly twice, every outcome is in the
transcript (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from telegram.error import BadRequest, NetworkError, TimedOut

from bot import outbox
from bot.gateway import Gateway
from bot.outbox import RetryPolicy
from bot.outlets import FlushResult
from bot.telegram_delivery import TelegramOutlet, surely_not_sent
from bot.transcript import Outgoing, StoredMessage, record_outbound
from huifang.db.types import utcnow
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


def test_failures_back_off_and_end_failed_while_429s_count_apart(
        sessions: sessionmaker[Session]) -> None:
    seeded = seed_customer(sessions, TELEGRAM, address="555")
    policy = RetryPolicy(max_failures=2, max_throttles=3, first_backoff=timedelta(seconds=2))
    now = utcnow()
    with sessions.begin() as session:
        (message,) = record_outbound(session, TELEGRAM, "555", [Outgoing("x", [])],
                                     customer_id=seeded.customer_id, callback_id=None,
                                     delivered=False)

    def attempt(error: str, throttled_for: timedelta | None = None
                ) -> tuple[DeliveryStatus | None, Message]:
        with sessions.begin() as session:
            row = session.get_one(Message, message.id)
            assert outbox.start_attempt(session, message.id, row.next_attempt_at or now)
            status = outbox.record_not_sent(session, message.id, error,
                                            row.next_attempt_at or now, policy,
                                            throttled_for=throttled_for)
            session.flush()
            session.refresh(row)
            return status, row

    status, row = attempt("429", timedelta(seconds=7))
    assert (status, row.attempts, row.throttled) == (DeliveryStatus.PENDING, 0, 1)
    assert row.next_attempt_at == now + timedelta(seconds=7)
    with sessions.begin() as session:  # not due before its time
        assert not outbox.start_attempt(session, message.id, now + timedelta(seconds=6))
    waited = row.next_attempt_at
    status, row = attempt("network")
    assert (status, row.attempts, row.next_attempt_at) == (
        DeliveryStatus.PENDING, 1, waited + timedelta(seconds=2))
    status, row = attempt("network")
    assert (status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)


def test_only_a_request_that_surely_never_reached_telegram_counts_as_not_sent() -> None:
    request = httpx.Request("POST", "https://api.telegram.org/bot1:x/sendMessage")

    def wrapped(error: Exception, as_: type[NetworkError] = NetworkError) -> NetworkError:
        try:
            raise as_("wrapped") from error
        except NetworkError as exc:
            return exc

    for never_left in (httpx.ConnectError("refused", request=request),
                       httpx.ConnectTimeout("slow", request=request),
                       httpx.PoolTimeout("busy", request=request),
                       httpx.WriteTimeout("stuck", request=request)):
        assert surely_not_sent(wrapped(never_left, TimedOut)), never_left
    for may_have_arrived in (httpx.ReadTimeout("no answer", request=request),
                             httpx.RemoteProtocolError("disconnected", request=request),
                             RuntimeError("unknown")):
        assert not surely_not_sent(wrapped(may_have_arrived, TimedOut)), may_have_arrived
    assert surely_not_sent(NetworkError("Internal Server Error (500)"))  # Telegram answered
    assert surely_not_sent(BadRequest("chat not found"))


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


def copies(fake: FakeBotApi, user: FakeUser, text: str) -> int:
    return sum(1 for m in fake.messages_to(user.id) if m.text == text)


def received_once(fake: FakeBotApi, gateway: Gateway, user: FakeUser, text: str) -> Message:
    """The customer got the text exactly once; its outbox row."""
    assert copies(fake, user, text) == 1
    [row] = [r for r in rows(gateway, user) if r.text == text]
    return row


async def test_a_send_whose_answer_times_out_is_not_sent_again(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    """Issue 14: Telegram delivered the message but the answer came after the read timeout;
    the gateway used to send it again (and again)."""
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    question = "请问您对本次服务满意吗？"
    fake.answer_slowly(6.5)  # longer than the bot's read timeout
    await send(gateway, user, customer_id, [question])
    await asyncio.sleep(3)  # the outbox loop has had its chances
    row = received_once(fake, gateway, user, question)
    assert row.delivery == DeliveryStatus.IN_DOUBT
    assert (await gateway.db.run(outbox.counts))["in_doubt"] == 1  # the metric


async def test_a_send_telegram_accepted_is_not_repeated_after_a_crash(
        database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi) -> None:
    """Issue 14: Telegram accepted a send and the gateway died before recording it; the next
    gateway process sent it again."""
    fake = fake_telegram.api
    settings = gateway_settings(database_url, rasa_down, fake_telegram)
    first = Gateway(settings, outbox_interval=0.2)
    await first.start()
    user, customer_id = await chat_of(fake, first)
    question = "第一个问题：总体满意度？"
    fake.answer_slowly(5)
    sending = asyncio.create_task(send(first, user, customer_id, [question]))
    await asyncio.to_thread(fake.wait_for, lambda: copies(fake, user, question), 10)
    sending.cancel()  # the process dies while Telegram's answer is on its way
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    await first.stop()
    second = Gateway(settings, outbox_interval=0.2)
    await second.start()
    try:
        await asyncio.sleep(3)  # the new process's outbox has had its chances
        row = received_once(fake, second, user, question)
        assert row.delivery == DeliveryStatus.IN_DOUBT
    finally:
        await second.stop()


async def test_a_server_error_is_retried_and_the_message_sent_once(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    fake.fail_with_server_errors(1)
    _, result = await send(gateway, user, customer_id, ["第二个问题"])
    assert result.pending == 1
    await wait_all_sent(gateway, [user], timeout=30)
    row = received_once(fake, gateway, user, "第二个问题")
    assert (row.attempts, row.throttled) == (2, 0)


async def test_429s_alone_never_use_up_the_failure_budget(
        database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    gateway = Gateway(gateway_settings(database_url, rasa_down, fake_telegram),
                      outbox_interval=0.2, retry=RetryPolicy(max_failures=1))
    await gateway.start()
    try:
        user, customer_id = await chat_of(fake, gateway)
        fake.rate_limit_storm(8, retry_after=1)  # more than the rate limiter's own retries
        await send(gateway, user, customer_id, ["请问您对本次服务满意吗"])
        await wait_all_sent(gateway, [user], timeout=60)
        row = received_once(fake, gateway, user, "请问您对本次服务满意吗")
        assert row.attempts == 1 and row.throttled >= 1
    finally:
        await gateway.stop()


async def test_a_graceful_stop_lets_the_message_in_flight_finish(
        gateway: Gateway, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    user, customer_id = await chat_of(fake, gateway)
    with gateway.db.sessions.begin() as session:  # left for the outbox loop to send
        [stored] = record_outbound(session, TELEGRAM, str(user.id), [Outgoing("第三个问题", [])],
                                   customer_id=customer_id, callback_id=None, delivered=False)
        session.get_one(Message, stored.id).created_at = utcnow() - timedelta(seconds=5)
    fake.answer_slowly(2)
    await asyncio.to_thread(fake.wait_for, lambda: copies(fake, user, "第三个问题"), 10)
    await gateway.stop()  # while Telegram's answer is on its way
    [row] = [r for r in rows(gateway, user) if r.text == "第三个问题"]
    assert row.delivery == DeliveryStatus.SENT and row.external_id
