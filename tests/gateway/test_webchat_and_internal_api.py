"""Web chat API and page, internal API auth and the exactly-once round protocol — with Rasa
down, which is what these paths must survive (the conversation itself is in test_end_to_end)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, select, update

from huifang import consent
from huifang.db.models import (
    Callback,
    Channel,
    ChannelAddress,
    Customer,
    DeliveryStatus,
    Direction,
    InboxItem,
    InboxStatus,
    Locale,
)
from huifang.db.types import utcnow
from tests.gateway.support import (
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
    seed_customer,
)


@pytest.fixture
def webchat_gateway(database_url: str, rasa_down: str) -> Iterator[GatewayUnderTest]:
    with running_gateway(gateway_settings(database_url, rasa_down)) as gateway:
        yield gateway


def test_health_lists_the_channels(webchat_gateway: GatewayUnderTest) -> None:
    body = httpx.get(f"{webchat_gateway.url}/health").json()
    assert body == {"status": "ok", "channels": ["webchat"], "telegram": "off", "webchat": True}


def test_unknown_address_is_404_everywhere(webchat_gateway: GatewayUnderTest) -> None:
    assert webchat_gateway.webchat_say("nobody", text="你好").status_code == 404
    assert webchat_gateway.webchat_history("nobody").status_code == 404
    assert httpx.get(f"{webchat_gateway.url}/chat/nobody").status_code == 404
    assert webchat_gateway.messages(Channel.WEBCHAT, "nobody") == []


def test_message_needs_exactly_one_of_text_or_payload(webchat_gateway: GatewayUnderTest
                                                      ) -> None:
    seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-both")
    assert webchat_gateway.webchat_say("wc-both", text="5", payload="/x").status_code == 422
    assert webchat_gateway.webchat_say("wc-both", text="  ").status_code == 422


def test_a_malformed_message_is_explained_only_on_a_valid_link(
        webchat_gateway: GatewayUnderTest) -> None:
    seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-malformed")
    valid = f"{webchat_gateway.url}/webchat/{webchat_gateway.chat_token('wc-malformed')}/messages"
    for body in (b"{not json", b'{"text": 5}', b"[]", b""):
        explained = httpx.post(valid, content=body,
                               headers={"Content-Type": "application/json"})
        assert explained.status_code == 422, body
        assert explained.json()["detail"][0]["loc"][0] == "body", body
        refused = httpx.post(f"{webchat_gateway.url}/webchat/nobody-knows-this/messages",
                             content=body, headers={"Content-Type": "application/json"})
        assert refused.status_code == 404 and "detail" in refused.json(), body
    assert webchat_gateway.messages(Channel.WEBCHAT, "wc-malformed") == []


def test_page_is_served_without_any_cdn(webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-page",
                           locale=Locale.TRADITIONAL)
    assert seeded.chat_link is not None
    token = seeded.chat_link.rsplit("/", 1)[1]
    page = httpx.get(f"{webchat_gateway.url}/chat/{token}")
    assert page.status_code == 200
    assert 'lang="zh-Hant"' in page.text and f'"/webchat/{token}/messages"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "http://" not in page.text.replace(webchat_gateway.url, "")
    assert httpx.get(f"{webchat_gateway.url}/static/chat.js").status_code == 200


def test_rasa_down_keeps_the_message_and_says_once_it_is_being_processed(
        webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-busy",
                           locale=Locale.TRADITIONAL)
    response = webchat_gateway.webchat_say("wc-busy", text="還好吧", key="wc-busy-key-1")
    assert response.status_code == 202 and response.json() == {"status": "queued"}
    history = webchat_gateway.webchat_history("wc-busy").json()
    assert [m["direction"] for m in history] == ["in", "out"]
    assert history[0]["text"] == "還好吧" and history[0]["created_at"]
    assert history[1]["text"].startswith("已收到您的回覆，系統正在處理")
    assert history[1]["buttons"] == [] and "再發" not in history[1]["text"]
    assert webchat_gateway.webchat_history("wc-busy", after=history[0]["id"]).json() == [
        history[1]]
    rows = webchat_gateway.messages(Channel.WEBCHAT, "wc-busy")
    assert [(r.direction, r.delivery, r.customer_id) for r in rows] == [
        (Direction.INBOUND, DeliveryStatus.RECEIVED, seeded.customer_id),
        (Direction.OUTBOUND, DeliveryStatus.SENT, seeded.customer_id)]
    assert rows[0].callback_id is None  # no callback sent yet: the customer-{id} conversation
    item = webchat_gateway.read(lambda s: s.scalars(
        select(InboxItem).where(InboxItem.message_key == "wc-busy-key-1")).one())
    assert (item.status, item.attempts, item.message_id) == (InboxStatus.WAITING, 1, rows[0].id)
    assert item.next_attempt_at is not None and item.notified_at is not None


def test_internal_api_wants_the_token(webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-auth")
    path = f"callbacks/{seeded.callback_id}/send"
    assert webchat_gateway.internal(path, {"round": 1, "mode": "start"},
                                    token="wrong").status_code == 401
    assert httpx.post(f"{webchat_gateway.internal_url}/internal/{path}",
                      json={"round": 1, "mode": "start"}).status_code == 401
    assert webchat_gateway.internal(path, {"round": 1, "mode": "shout"}).status_code == 422
    assert webchat_gateway.send_round(999_999).status_code == 404


def test_rasa_down_gives_the_round_back(webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-503")
    response = webchat_gateway.send_round(seeded.callback_id)
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    callback = webchat_gateway.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert (callback.delivered_round, callback.sent_at) == (0, None)
    assert webchat_gateway.messages(Channel.WEBCHAT, "wc-503") == []


def test_a_delivered_round_is_never_sent_again(webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-once")
    sent_at = utcnow() - timedelta(hours=1)
    with webchat_gateway.sessions.begin() as session:
        session.execute(update(Callback).where(Callback.id == seeded.callback_id)
                        .values(delivered_round=2, sent_at=sent_at))
    for round_ in (1, 2):  # Rasa is down: answering at all proves it was never asked
        response = webchat_gateway.send_round(seeded.callback_id, round_, "remind")
        assert response.status_code == 200 and response.json() == {"status": "already_sent"}
    assert webchat_gateway.send_round(seeded.callback_id, 3, "remind").status_code == 503
    callback = webchat_gateway.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert (callback.delivered_round, callback.sent_at) == (2, sent_at)


def test_unreachable_customers_get_409_and_nothing_is_claimed(
        webchat_gateway: GatewayUnderTest) -> None:
    opted = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address="wc-opted")
    nowhere = seed_customer(webchat_gateway.sessions, Channel.WEBCHAT, address=None)
    with webchat_gateway.sessions.begin() as session:
        customer = session.get_one(Customer, opted.customer_id)
        consent.opt_out(session, customer, source="test", now=utcnow())
        # intake gives every web-chat customer an address with their link; this one lost it
        session.execute(delete(ChannelAddress)
                        .where(ChannelAddress.customer_id == nowhere.customer_id))
    for seeded, status in ((opted, "opted_out"), (nowhere, "no_address")):
        response = webchat_gateway.send_round(seeded.callback_id)
        assert response.status_code == 409 and response.json() == {"status": status}
        assert webchat_gateway.read(lambda s, c=seeded.callback_id: s.scalar(
            select(Callback.delivered_round).where(Callback.id == c))) == 0


def test_telegram_customer_is_unavailable_while_telegram_is_off(
        webchat_gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(webchat_gateway.sessions, Channel.TELEGRAM, address="123456")
    response = webchat_gateway.send_round(seeded.callback_id)
    assert response.status_code == 503
    assert "telegram" in response.json()["detail"]


def test_alerts_and_digest_are_skipped_without_telegram(webchat_gateway: GatewayUnderTest
                                                        ) -> None:
    response = webchat_gateway.internal("supervisors/digest", {"text": "今日回访 12 个"})
    assert response.status_code == 200 and response.json() == {"status": "skipped"}
    assert webchat_gateway.alert(424242).json() == {"status": "not_found"}
