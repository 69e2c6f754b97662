"""Telegram customers without Rasa: deep-link binding, strangers, non-text messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from huifang.db.models import Channel, ChannelAddress, Customer, Direction, Locale
from tests.gateway.support import (
    GatewayUnderTest,
    bind,
    gateway_settings,
    running_gateway,
    seed_customer,
    telegram_user,
)
from tests.support.fake_bot_api import RunningFakeBotApi


@pytest.fixture
def telegram_gateway(database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi
                     ) -> Iterator[GatewayUnderTest]:
    with running_gateway(gateway_settings(database_url, rasa_down, fake_telegram)) as gateway:
        yield gateway


def test_deep_link_binds_the_chat_once(telegram_gateway: GatewayUnderTest,
                                       fake_telegram: RunningFakeBotApi) -> None:
    fake, user = fake_telegram.api, telegram_user()
    seeded = seed_customer(telegram_gateway.sessions, Channel.TELEGRAM)
    assert seeded.bind_token
    bind(fake, user, seeded.bind_token)
    assert fake.messages_to(user.id)[-1].text.startswith("绑定成功")
    customer = telegram_gateway.read(lambda s: s.get_one(Customer, seeded.customer_id))
    assert customer.bind_token is None
    address = telegram_gateway.read(lambda s: s.scalar(
        select(ChannelAddress).where(ChannelAddress.customer_id == seeded.customer_id)))
    assert (address.channel, address.address) == (Channel.TELEGRAM, str(user.id))
    assert address.verified_at is not None
    # single use: the same link from someone else binds nothing
    other = telegram_user()
    bind(fake, other, seeded.bind_token)
    assert "已失效" in fake.messages_to(other.id)[-1].text
    rows = telegram_gateway.messages(Channel.TELEGRAM, str(user.id))
    assert [(r.direction, r.text) for r in rows][0] == (Direction.INBOUND, "/start")
    assert all(seeded.bind_token not in (r.text or "") for r in rows)


def test_a_stranger_is_asked_to_use_the_link(telegram_gateway: GatewayUnderTest,
                                             fake_telegram: RunningFakeBotApi) -> None:
    fake, user = fake_telegram.api, telegram_user()
    fake.user_sends(user, "請問這是什麼")
    (reply,) = fake.wait_for_messages(user.id, 1)
    assert "專屬連結" in reply.text  # answered in the script the stranger wrote
    fake.user_sends(user, "/start")
    assert "专属链接" in fake.wait_for_messages(user.id, 2)[-1].text
    rows = telegram_gateway.messages(Channel.TELEGRAM, str(user.id))
    assert [r.direction for r in rows] == [Direction.INBOUND, Direction.OUTBOUND] * 2
    assert all(r.customer_id is None for r in rows)


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location"])
def test_non_text_gets_a_short_polite_reply(kind: str, telegram_gateway: GatewayUnderTest,
                                            fake_telegram: RunningFakeBotApi) -> None:
    fake, user = fake_telegram.api, telegram_user()
    seeded = seed_customer(telegram_gateway.sessions, Channel.TELEGRAM,
                           locale=Locale.TRADITIONAL)
    bind(fake, user, seeded.bind_token)
    getattr(fake, f"user_sends_{kind}")(user)
    reply = fake.wait_for_messages(user.id, 2)[-1]
    assert reply.text.startswith("抱歉，我暫時只能看懂文字訊息")
    inbound = telegram_gateway.messages(Channel.TELEGRAM, str(user.id))[-2]
    label = {"sticker": "[贴纸]", "photo": "[图片]", "voice": "[语音]", "location": "[位置]"}
    assert (inbound.direction, inbound.text, inbound.customer_id) == (
        Direction.INBOUND, label[kind], seeded.customer_id)


def test_unknown_commands_are_not_sent_to_rasa(telegram_gateway: GatewayUnderTest,
                                               fake_telegram: RunningFakeBotApi) -> None:
    fake, user = fake_telegram.api, telegram_user()
    seeded = seed_customer(telegram_gateway.sessions, Channel.TELEGRAM)
    bind(fake, user, seeded.bind_token)
    fake.user_sends(user, "/inform_score")
    assert "不认识这个指令" in fake.wait_for_messages(user.id, 2)[-1].text


def test_a_repeated_update_is_handled_once(telegram_gateway: GatewayUnderTest,
                                           fake_telegram: RunningFakeBotApi) -> None:
    fake, user = fake_telegram.api, telegram_user()
    seeded = seed_customer(telegram_gateway.sessions, Channel.TELEGRAM)
    bind(fake, user, seeded.bind_token)
    update = fake.user_sends_sticker(user)
    fake.wait_for_messages(user.id, 2)
    fake._push({"message": update["message"]})  # Telegram re-delivers the same message
    fake.user_sends_photo(user)
    fake.wait_for_messages(user.id, 3)
    rows = telegram_gateway.messages(Channel.TELEGRAM, str(user.id))
    assert [r.text for r in rows if r.direction == Direction.INBOUND] == [
        "/start", "[贴纸]", "[图片]"]
