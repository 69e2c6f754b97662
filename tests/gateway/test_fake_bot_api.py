"""The fake Bot API server answers python-telegram-bot the way Telegram does."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.request import HTTPXRequest

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.fake_bot_api import FakeUser, RunningFakeBotApi, serve_asgi

ALICE = FakeUser(501, "Alice")
BOB = FakeUser(502, "Bob")


@pytest.fixture
async def bot(fake_telegram: RunningFakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake_telegram.api.token, base_url=fake_telegram.base_url) as bot:
        yield bot


async def test_get_me_send_message_and_record(bot: Bot, fake_telegram: RunningFakeBotApi
                                              ) -> None:
    fake = fake_telegram.api
    assert bot.username == "huifang_test_bot"
    fake.user_sends(ALICE, "你好")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("5 非常满意", callback_data="b:1:0")]])
    sent = await bot.send_message(ALICE.id, "您好", reply_markup=keyboard)
    assert sent.chat.id == ALICE.id and sent.text == "您好"
    (recorded,) = fake.messages_to(ALICE.id)
    assert recorded.message_id == sent.message_id
    assert recorded.button("5")["callback_data"] == "b:1:0"


async def test_updates_are_polled_and_confirmed_by_offset(bot: Bot,
                                                          fake_telegram: RunningFakeBotApi
                                                          ) -> None:
    fake = fake_telegram.api
    fake.user_sends(ALICE, "/start abc")
    fake.user_sends_sticker(ALICE)
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "/start abc"
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[1].message.sticker is not None
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_per_chat_flood_limit_answers_429_with_retry_after(
        bot: Bot, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    fake.user_sends(ALICE, "hi")
    for n in range(int(fake.limits.chat_burst)):
        await bot.send_message(ALICE.id, f"第{n}条")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(ALICE.id, "太快了")
    assert error.value.retry_after in (1, timedelta(seconds=1))
    assert len(fake.rejected(429)) == 1
    await asyncio.sleep(1.05)
    await bot.send_message(ALICE.id, "一秒后可以了")


async def test_global_flood_limit(fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    users = [FakeUser(1000 + i, f"u{i}") for i in range(80)]
    for user in users:
        fake.user_sends(user, "hi")
    request = HTTPXRequest(connection_pool_size=80)
    async with Bot(fake.token, base_url=fake_telegram.base_url, request=request) as bot:
        started = time.monotonic()
        results = await asyncio.gather(*(bot.send_message(u.id, "hello") for u in users),
                                       return_exceptions=True)
        elapsed = time.monotonic() - started
    accepted = sum(not isinstance(r, Exception) for r in results)
    assert accepted == len(fake.sent)
    assert accepted <= fake.limits.global_per_second * (1 + elapsed) + 1
    assert all(isinstance(r, RetryAfter) for r in results if isinstance(r, Exception))
    assert len(fake.rejected(429)) == len(users) - accepted > 0


async def test_blocked_unknown_chat_and_bad_requests(bot: Bot,
                                                     fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    fake.user_sends(ALICE, "hi")
    fake.block(ALICE)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(ALICE.id, "还在吗")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(BOB.id, "你是谁")
    fake.user_sends(BOB, "hi")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="y" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(BOB.id, "按钮", reply_markup=too_long)
    with pytest.raises(BadRequest, match="(?i)too long"):
        await bot.send_message(BOB.id, "长" * 4097)


async def test_callback_queries_are_answered_once_and_keyboards_edited(
        bot: Bot, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    fake.user_sends(ALICE, "hi")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("是", callback_data="b:9:0")]])
    sent = await bot.send_message(ALICE.id, "解决了吗？", reply_markup=keyboard)
    query_id = fake.user_presses(ALICE, fake.message(ALICE.id, sent.message_id), "b:9:0")
    update = (await bot.get_updates(timeout=1))[-1]
    assert update.callback_query.data == "b:9:0"
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    await bot.edit_message_reply_markup(ALICE.id, sent.message_id, reply_markup=None)
    assert fake.message(ALICE.id, sent.message_id).reply_markup is None


async def test_webhook_pushes_updates_with_the_secret_and_blocks_polling(
        bot: Bot, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    received: list[tuple[str | None, dict]] = []

    async def hook(request: Request) -> Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                         await request.json()))
        return Response(status_code=200)

    with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        assert await bot.set_webhook(f"{url}/hook", secret_token="s3cret")
        with pytest.raises(Conflict):
            await bot.get_updates()
        fake.user_sends(ALICE, "webhook 你好")
        fake.wait_for(lambda: received, 10, "a webhook call")
    assert received[0][0] == "s3cret"
    assert received[0][1]["message"]["text"] == "webhook 你好"
    assert fake.webhook_responses == [200]


def test_wrong_token_is_unauthorized(fake_telegram: RunningFakeBotApi) -> None:
    response = httpx.post(f"{fake_telegram.url}/bot123:wrong/getMe")
    assert response.status_code == 401 and response.json()["ok"] is False
