"""Issue 14, inbound: every customer message is stored before it is acknowledged and processed
at least once, in order, with its key all the way to Rasa — against a fake Rasa that can be
down or slow and takes a key in at most once, as the real channel does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from bot import inbound, inbox
from bot.transcript import Outgoing, button_ref, open_button, record_outbound
from huifang.db import session_scope
from huifang.db.models import Channel, Direction, InboxItem, InboxStatus, Locale
from huifang.db.types import utcnow
from tests.gateway.support import (
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
    seed_customer,
    telegram_user,
)
from tests.support.fake_bot_api import RunningFakeBotApi, serve_asgi
from tests.support.fake_rasa import FakeRasa
from tests.support.processes import free_port

FAST_RETRIES: dict[str, Any] = {
    "rasa_timeout_seconds": 1.0,
    "inbox_first_backoff_seconds": 0.2,
    "inbox_max_backoff_seconds": 0.5,
    "inbox_poll_seconds": 0.1,
    "inbox_lease_seconds": 30.0,
    "inbox_max_attempts": 1000,
}
PROCESSING_SIMPLIFIED = "已收到您的回复，系统正在处理"
PROCESSING_TRADITIONAL = "已收到您的回覆，系統正在處理"
RESEND = "请稍后再发"


@pytest.fixture
def fake_rasa() -> Iterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    with serve_asgi(fake.app(), name="fake-rasa") as url:
        yield fake, url
    fake.release()
    assert fake.broken_promises == []  # no message marked as a first try had reached Rasa


@pytest.fixture
def gateway(database_url: str, fake_rasa: tuple[FakeRasa, str]
            ) -> Iterator[GatewayUnderTest]:
    with running_gateway(gateway_settings(database_url, fake_rasa[1], **FAST_RETRIES)) as running:
        yield running


def _texts(gateway: GatewayUnderTest, address: str, direction: Direction) -> list[str]:
    return [m.text or "" for m in gateway.messages(Channel.WEBCHAT, address)
            if m.direction == direction]


def _wait_for_out(gateway: GatewayUnderTest, address: str, count: int) -> list[str]:
    gateway.wait_until(lambda s: len(_texts(gateway, address, Direction.OUTBOUND)) >= count,
                       what=f"{count} replies")
    return _texts(gateway, address, Direction.OUTBOUND)


def test_a_rasa_timeout_is_tried_again_with_the_same_key_and_answered_once(
        gateway: GatewayUnderTest, fake_rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = fake_rasa
    seed_customer(gateway.sessions, Channel.WEBCHAT, address="in-slow")
    fake.slow = True
    response = gateway.webchat_say("in-slow", text="5", key="k-slow-0001")
    assert response.status_code == 202 and response.json() == {"status": "queued"}
    notice = _wait_for_out(gateway, "in-slow", 1)
    assert notice[0].startswith(PROCESSING_SIMPLIFIED)  # told once; not asked to resend
    fake.release()
    texts = _wait_for_out(gateway, "in-slow", 2)
    assert texts[1:] == ["收到：5"] and not any(RESEND in t for t in texts)
    assert fake.taken_in == [(fake.calls[0][0], "5")]  # recorded once, though asked twice
    assert len(fake.calls) >= 2 and {key for _, _, key in fake.calls} == {fake.calls[0][2]}
    # only the first request is marked as a first try: the later ones may find it taken in
    assert fake.first_tries == [True] + [False] * (len(fake.calls) - 1)
    assert fake.broken_promises == []
    assert _texts(gateway, "in-slow", Direction.INBOUND) == ["5"]  # in the transcript once
    # the page sends it again (its request was cut off): nothing new, the same answer
    again = gateway.webchat_say("in-slow", text="5", key="k-slow-0001")
    assert again.status_code == 200 and [m["text"] for m in again.json()] == ["收到：5"]
    assert len(gateway.messages(Channel.WEBCHAT, "in-slow")) == 3


def test_messages_written_while_rasa_is_down_wait_and_are_answered_in_order(
        gateway: GatewayUnderTest, fake_rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = fake_rasa
    seeded = seed_customer(gateway.sessions, Channel.WEBCHAT, address="in-down",
                           locale=Locale.TRADITIONAL)
    fake.down = True
    assert gateway.webchat_say("in-down", text="還好吧", key="k-down-0001").status_code == 202
    assert gateway.webchat_say("in-down", text="服務很好", key="k-down-0002").status_code == 202
    (notice,) = _wait_for_out(gateway, "in-down", 1)
    assert notice.startswith(PROCESSING_TRADITIONAL)
    gateway.wait_until(lambda s: s.scalar(select(InboxItem.attempts).where(
        InboxItem.message_key == "k-down-0001")) >= 2, what="a second try")
    fake.down = False
    texts = _wait_for_out(gateway, "in-down", 3)
    assert texts == [notice, "收到：還好吧", "收到：服務很好"]  # the notice came once
    assert [text for _, text in fake.taken_in] == ["還好吧", "服務很好"]
    # a row is marked done just after its reply is stored: the reply can be seen first
    gateway.wait_until(lambda s: s.scalar(select(func.count()).select_from(InboxItem).where(
        InboxItem.address == "in-down", InboxItem.status == InboxStatus.DONE)) == 2,
        what="both inbox rows done")
    rows = gateway.read(lambda s: list(s.scalars(
        select(InboxItem).where(InboxItem.address == "in-down").order_by(InboxItem.id))))
    assert [r.status for r in rows] == [InboxStatus.DONE, InboxStatus.DONE]
    inbound_rows = [m for m in gateway.messages(Channel.WEBCHAT, "in-down")
                    if m.direction == Direction.INBOUND]
    assert [m.customer_id for m in inbound_rows] == [seeded.customer_id] * 2
    assert [r.message_id for r in rows] == [m.id for m in inbound_rows]


def test_a_message_is_given_up_after_its_budget_and_operations_are_alerted(
        database_url: str, fake_rasa: tuple[FakeRasa, str],
        caplog: pytest.LogCaptureFixture) -> None:
    fake, url = fake_rasa
    fake.down = True
    settings = gateway_settings(database_url, url, **{**FAST_RETRIES, "inbox_max_attempts": 3})
    with running_gateway(settings) as running:
        seed_customer(running.sessions, Channel.WEBCHAT, address="in-budget")
        running.webchat_say("in-budget", text="5", key="k-budget-01")
        running.wait_until(lambda s: s.scalar(select(InboxItem.status).where(
            InboxItem.message_key == "k-budget-01")) == InboxStatus.FAILED, what="given up")
        row = running.read(lambda s: s.scalars(select(InboxItem).where(
            InboxItem.message_key == "k-budget-01")).one())
        assert row.attempts == 3 and "Rasa" in (row.error or "")
    assert "OPERATIONS ALERT: customer message given up" in caplog.text
    assert len([c for c in fake.calls if c[2] is not None]) == 3


def test_a_crashed_gateways_message_is_taken_over_and_rasas_replies_stored_once(
        database_url: str, fake_rasa: tuple[FakeRasa, str]) -> None:
    """The gateway died after Rasa replied, before storing the replies: the restarted one
    takes the message once its lease is over, Rasa answers the key again without recording it
    again, and a resend from the page gets the same answer — not applied to the next question."""
    fake, url = fake_rasa
    settings = gateway_settings(database_url, url, **FAST_RETRIES)
    with running_gateway(settings) as first:
        seeded = seed_customer(first.sessions, Channel.WEBCHAT, address="in-crash")
        token = first.chat_token("in-crash")
    # what the dead gateway had done: stored and leased the message, asked Rasa
    with session_scope(first.sessions) as session:
        item_id = inbox.store(session, Channel.WEBCHAT, "k-crash-0001", "in-crash",
                              {"text": "4"}, utcnow())
        assert item_id is not None
        session.execute(update(InboxItem).where(InboxItem.id == item_id)
                        .values(lease_until=utcnow() + timedelta(seconds=1)))
    sender = f"customer-{seeded.customer_id}"
    httpx.post(f"{url}/webhooks/huifang/webhook",
               json={"sender": sender, "text": "4", "metadata": {"message_key":
                                                                  f"inbox:{item_id}"}})
    with running_gateway(settings) as second:
        second.chat_tokens["in-crash"] = token
        assert _wait_for_out(second, "in-crash", 1) == ["收到：4"]
        again = second.webchat_say("in-crash", text="4", key="k-crash-0001")
        assert again.status_code == 200 and [m["text"] for m in again.json()] == ["收到：4"]
        assert _texts(second, "in-crash", Direction.INBOUND) == ["4"]
    assert fake.taken_in == [(sender, "4")]


def test_a_page_without_a_key_still_gets_its_replies(gateway: GatewayUnderTest) -> None:
    seed_customer(gateway.sessions, Channel.WEBCHAT, address="in-nokey")
    response = gateway.webchat_say("in-nokey", text="很好")
    assert response.status_code == 200 and [m["text"] for m in response.json()] == ["收到：很好"]
    assert gateway.webchat_say("in-nokey", text="很好", key="bad key!").status_code == 422


def _fail_first_store(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The database refuses the first update the gateway tries to store."""
    failures: list[str] = []
    real = inbox.store

    def store(session: Any, channel: Channel, key: str, *args: Any) -> int | None:
        if channel == Channel.TELEGRAM and not failures:
            failures.append(key)
            raise OperationalError("INSERT INTO inbox", {}, Exception("database is down"))
        return real(session, channel, key, *args)

    monkeypatch.setattr(inbox, "store", store)
    return failures


@pytest.mark.parametrize("mode", ["webhook", "polling"])
def test_a_telegram_update_is_acknowledged_only_once_stored(
        mode: str, database_url: str, fake_rasa: tuple[FakeRasa, str],
        fake_telegram: RunningFakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, port = fake_telegram.api, free_port()
    webhook: dict[str, Any] = {}
    if mode == "webhook":
        webhook = {"telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
                   "telegram_webhook_secret": SecretStr("webhook-secret-0123456789")}
    failures = _fail_first_store(monkeypatch)
    settings = gateway_settings(database_url, fake_rasa[1], fake_telegram, **FAST_RETRIES,
                                **webhook)
    with running_gateway(settings, port=port) as running:
        user = telegram_user()
        seeded = seed_customer(running.sessions, Channel.TELEGRAM)
        fake.user_sends(user, f"/start {seeded.bind_token}")
        assert fake.wait_for_messages(user.id, 1)[0].text.startswith("绑定成功")
        fake.user_sends(user, "非常满意")
        assert fake.wait_for_messages(user.id, 2)[1].text == "收到：非常满意"
        assert failures and failures[0].startswith("update:")
        if mode == "webhook":
            assert fake.webhook_responses[:2] == [503, 200]
        def all_done(session: Any) -> list[InboxItem] | None:
            found = list(session.scalars(select(InboxItem).where(
                InboxItem.address == str(user.id)).order_by(InboxItem.id)))
            return found if all(r.status == InboxStatus.DONE for r in found) else None

        rows = running.wait_until(all_done, what="all done")
        assert len(rows) == 2
        assert rows[0].message_key == failures[0]  # the refused update came again
    assert len(fake.messages_to(user.id)) == 2
    assert fake_rasa[0].taken_in == [(f"customer-{seeded.customer_id}", "非常满意")]


def test_an_update_stored_twice_is_processed_once(gateway: GatewayUnderTest) -> None:
    body = {"update_id": 77, "message": {"message_id": 1, "date": 0, "text": "hi",
                                         "chat": {"id": 5, "type": "private"}}}
    with session_scope(gateway.sessions) as session:
        key = inbound.update_key(77, body)
        first = inbox.store(session, Channel.TELEGRAM, key, "5", body, utcnow())
        again = inbox.store(session, Channel.TELEGRAM, key, "5", body, utcnow())
    assert first is not None and again is None
    # an id Telegram reused for another update is another message
    other = {**body, "message": {**body["message"], "text": "hello"}}
    assert inbound.update_key(77, other) != key


def test_a_button_pressed_while_rasa_is_down_is_relayed_when_it_is_back(
        gateway: GatewayUnderTest, fake_rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = fake_rasa
    seed_customer(gateway.sessions, Channel.WEBCHAT, address="in-press")
    with session_scope(gateway.sessions) as session:
        (question,) = record_outbound(
            session, Channel.WEBCHAT, "in-press",
            [Outgoing("问题解决了吗？", [{"title": "解决了", "payload": "/affirm"},
                                       {"title": "没有", "payload": "/deny"}])],
            customer_id=None, callback_id=None, delivered=True)
    fake.down = True
    pressed = gateway.webchat_say("in-press", button=button_ref(question.id, 0),
                                  key="k-press-0001")
    assert pressed.status_code == 202
    _wait_for_out(gateway, "in-press", 2)  # the question and the notice
    # the notice asks nothing: the question's buttons are still the open ones
    with gateway.sessions() as session:
        assert open_button(session, Channel.WEBCHAT, "in-press", button_ref(question.id, 1))
    fake.down = False
    texts = _wait_for_out(gateway, "in-press", 3)
    assert texts[2] == "收到：/affirm"
    assert [text for _, text in fake.taken_in] == ["/affirm"]
