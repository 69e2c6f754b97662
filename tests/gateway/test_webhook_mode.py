"""Webhook mode: the gateway registers its webhook with the secret token and accepts only
calls that carry it."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from bot.gateway import Gateway
from huifang.db.models import Channel, ChannelAddress
from tests.gateway.support import gateway_settings, running_gateway, seed_customer, telegram_user
from tests.support.fake_bot_api import RunningFakeBotApi
from tests.support.processes import free_port

SECRET = "webhook-secret-0123456789"


def test_webhook_mode_checks_the_secret_token(database_url: str, rasa_down: str,
                                              fake_telegram: RunningFakeBotApi) -> None:
    fake, port = fake_telegram.api, free_port()
    hook = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = gateway_settings(database_url, rasa_down, fake_telegram,
                                telegram_webhook_url=hook,
                                telegram_webhook_secret=SecretStr(SECRET))
    with running_gateway(settings, port=port) as gateway:
        assert httpx.get(f"{gateway.url}/health").json()["telegram"] == "webhook"
        assert "getUpdates" not in fake.calls
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi",
                                              "chat": {"id": 1, "type": "private"}}}
        assert httpx.post(hook, json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
        assert httpx.post(hook, json=update, headers=wrong).status_code == 403

        user = telegram_user()
        seeded = seed_customer(gateway.sessions, Channel.TELEGRAM)
        fake.user_sends(user, f"/start {seeded.bind_token}")
        assert fake.wait_for_messages(user.id, 1)[0].text.startswith("绑定成功")
        assert fake.webhook_responses == [200]
        bound = gateway.read(lambda s: s.query(ChannelAddress)
                             .filter_by(customer_id=seeded.customer_id).one())
        assert bound.address == str(user.id)


def test_webhook_route_is_closed_in_polling_mode(database_url: str, rasa_down: str,
                                                 fake_telegram: RunningFakeBotApi) -> None:
    with running_gateway(gateway_settings(database_url, rasa_down, fake_telegram)) as gateway:
        response = httpx.post(f"{gateway.url}/telegram/webhook", json={"update_id": 1})
        assert response.status_code == 404


async def test_webhook_mode_will_not_start_without_a_secret(database_url: str, rasa_down: str,
                                                           fake_telegram: RunningFakeBotApi
                                                           ) -> None:
    settings = gateway_settings(database_url, rasa_down, fake_telegram,
                                telegram_webhook_url="https://bot.example.com/telegram/webhook")
    gateway = Gateway(settings)
    with pytest.raises(RuntimeError, match="WEBHOOK_SECRET"):
        await gateway.start()
    await gateway.stop()
