"""A callback round through the real gateway, Rasa and action server, with the gateway dying at
the worst moments: the opening is stored in the same transaction that takes the round, so a
crash before it leaves the round to be sent again and a crash after it leaves it to the outbox —
the customer gets the opening once, never zero times, never twice."""

from __future__ import annotations

import itertools
import time

import pytest
from sqlalchemy import select

from huifang.db.models import Callback, Channel, DeliveryStatus, Direction, Message
from tests.gateway.support import GatewayUnderTest, bind, seed_customer, telegram_user
from tests.gateway.test_end_to_end import e2e  # noqa: F401 (fixture)
from tests.support.fake_bot_api import RunningFakeBotApi

pytestmark = pytest.mark.rasa

INTRO = "服务回访助手"
_addresses = itertools.count(1)


class GatewayDied(Exception):
    """Stands for the gateway process being killed at this point."""


def openings(gateway: GatewayUnderTest, callback_id: int) -> list[Message]:
    return gateway.read(lambda s: list(s.scalars(
        select(Message).where(Message.callback_id == callback_id,
                              Message.direction == Direction.OUTBOUND,
                              Message.text.contains(INTRO)))))


def test_a_gateway_dying_after_rasa_answered_does_not_lose_the_round(
        e2e: GatewayUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Issue 14: the round was marked delivered before its opening was stored; dying in between
    left the customer with nothing until the 24 h reminder."""
    address = f"wc-round-{next(_addresses)}"
    seeded = seed_customer(e2e.sessions, Channel.WEBCHAT, address=address)
    rasa = e2e.gateway.rasa
    trigger = rasa.trigger

    async def dies_after_rasa_answered(sender: str, intent: str):  # type: ignore[no-untyped-def]
        await trigger(sender, intent)
        raise GatewayDied

    monkeypatch.setattr(rasa, "trigger", dies_after_rasa_answered)
    assert e2e.send_round(seeded.callback_id).status_code == 500
    monkeypatch.setattr(rasa, "trigger", trigger)  # the restarted gateway
    again = e2e.send_round(seeded.callback_id)  # the dispatcher's retry
    assert again.json()["status"] == "sent", again.text
    assert len(openings(e2e, seeded.callback_id)) == 1
    history = e2e.webchat_history(address).json()
    assert sum(INTRO in (m["text"] or "") for m in history) == 1
    assert e2e.send_round(seeded.callback_id).json() == {"status": "already_sent"}
    assert len(openings(e2e, seeded.callback_id)) == 1


def test_a_gateway_dying_after_storing_the_round_leaves_it_to_the_outbox(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_telegram.api
    user = telegram_user()
    seeded = seed_customer(e2e.sessions, Channel.TELEGRAM)
    bind(fake, user, seeded.bind_token)
    outlet = e2e.gateway.outlets[Channel.TELEGRAM]

    async def dies_before_sending(address: str):  # type: ignore[no-untyped-def]
        raise GatewayDied

    monkeypatch.setattr(outlet, "flush", dies_before_sending)
    assert e2e.send_round(seeded.callback_id).status_code == 500
    stored = openings(e2e, seeded.callback_id)
    assert [m.delivery for m in stored] == [DeliveryStatus.PENDING]
    assert stored[0].outbound_key == f"round:{seeded.callback_id}:1:0"
    monkeypatch.undo()  # the outbox loop of the (restarted) gateway delivers it
    fake.wait_for(lambda: any(INTRO in m.text for m in fake.messages_to(user.id)), 30,
                  "the opening")
    assert e2e.send_round(seeded.callback_id).json() == {"status": "already_sent"}
    time.sleep(1)
    assert sum(INTRO in m.text for m in fake.messages_to(user.id)) == 1
    callback = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert callback.delivered_round == 1
