"""Simulated customers with seeded random behaviour, answering through the web chat or the
fake Telegram Bot API server: answer every question, walk away, answer late, write free text,
complain (a low score and a complaint, which escalates).

A customer answers the survey's questions in order, waiting for the bot between two answers.
A message that was not acknowledged is sent again after a pause with the same key (the page
retrying); when the bot says it has the answer and is still working on it (`PROCESSING`, Rasa
slow or down), the customer waits for the real reply without sending anything again."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from bot.texts import PROCESSING
from tests.chaos.ledger import Ledger
from tests.chaos.webchat_client import WebChatClient
from tests.support.fake_bot_api import FakeBotApi, FakeUser

CLOSING = "感谢"
SATISFIED = ["5", "解决了", "5", "4分", "满分", "9", "没有"]
FREE_TEXT = ["4", "解决了", "4", "4", "4", "8", "等待时间有点长，希望以后能快一点"]
COMPLAINT = ["1分", "没有解决，问题还在", "2", "1", "1", "0",
             "师傅态度非常恶劣，还多收了我两百块钱，我要投诉！"]
BEHAVIOURS = {"answers_all": 0.4, "walks_away": 0.15, "answers_late": 0.15,
              "free_text": 0.15, "complains": 0.15}
RESENDS = 3  # a customer tries a message at most 1 + RESENDS times
REPLY_PATIENCE = 60.0  # seconds a customer waits for the bot before walking away


class Line(Protocol):
    """One customer's chat, whatever the channel."""

    async def say(self, text: str, key: str) -> bool: ...

    async def bot_messages(self) -> list[str] | None: ...


@dataclass
class WebChatLine:
    client: WebChatClient
    token: str

    async def say(self, text: str, key: str) -> bool:
        return await self.client.say(self.token, text, key)

    async def bot_messages(self) -> list[str] | None:
        return await self.client.bot_messages(self.token)


@dataclass
class TelegramLine:
    fake: FakeBotApi
    user: FakeUser

    async def say(self, text: str, key: str) -> bool:
        self.fake.user_sends(self.user, text)  # Telegram's own update id is its key
        return True

    async def bot_messages(self) -> list[str] | None:
        return [m.text for m in self.fake.messages_to(self.user.id)]


@dataclass
class Customer:
    callback_id: int
    line: Line
    behaviour: str
    script: list[str]
    late_step: int | None
    late_seconds: float
    rng: random.Random


def plan(callback_id: int, line: Line, rng: random.Random, late_seconds: float) -> Customer:
    behaviour = rng.choices(list(BEHAVIOURS), weights=list(BEHAVIOURS.values()))[0]
    script = {"free_text": FREE_TEXT, "complains": COMPLAINT}.get(behaviour, SATISFIED)
    if behaviour == "walks_away":
        script = script[:rng.randrange(0, len(script))]
    late_step = rng.randrange(len(script)) if behaviour == "answers_late" else None
    return Customer(callback_id, line, behaviour, list(script), late_step, late_seconds,
                    random.Random(rng.random()))


async def _messages(line: Line) -> list[str]:
    while (messages := await line.bot_messages()) is None:  # gateway down: look again
        await asyncio.sleep(1.0)
    return messages


async def _next_reply(line: Line, seen: int, deadline: float) -> str | None:
    """The bot's newest message once it wrote more than `seen` messages (and paused)."""
    while time.monotonic() < deadline:
        messages = await _messages(line)
        if len(messages) > seen:
            await asyncio.sleep(1.0)  # replies come in a few messages: take the last
            return (await _messages(line))[-1]
        await asyncio.sleep(1.0)
    return None


async def converse(customer: Customer, ledger: Ledger, due: float, until: float) -> None:
    """From `due` on, wait for the opening, then answer the script; stop at `until` (both
    monotonic)."""
    line, rng = customer.line, customer.rng
    await asyncio.sleep(max(0.0, due - time.monotonic()))
    if await _next_reply(line, 0, until) is None:
        return
    for step, answer in enumerate(customer.script):
        late = step == customer.late_step
        await asyncio.sleep(customer.late_seconds if late else rng.uniform(0.5, 3.0))
        key = uuid.uuid4().hex
        for _ in range(1 + RESENDS):
            if time.monotonic() > until:
                return
            seen = len(await _messages(line))
            acknowledged = await line.say(answer, key)
            ledger.record(customer.callback_id, key, answer, acknowledged)
            if not acknowledged:
                await asyncio.sleep(3.0)
                continue
            reply = await _next_reply(line, seen, min(until, time.monotonic() + REPLY_PATIENCE))
            while reply is not None and PROCESSING in reply:
                seen = len(await _messages(line))
                reply = await _next_reply(line, seen,
                                          min(until, time.monotonic() + REPLY_PATIENCE))
            if reply is None:
                return  # nobody answered: the customer walks away
            break
        else:
            return
        if CLOSING in reply:
            return
