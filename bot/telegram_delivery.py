"""Delivering the transcript's pending Telegram messages, in order per chat, without losing any.

python-telegram-bot's AIORateLimiter (configured in telegram_app.py) paces the bot to ~30
messages/s and retries 429s after `retry_after`. This module adds what it lacks:
- per-chat pacing (~1 message/s after a short burst);
- 403 "blocked by the user" → the customer is unreachable (huifang.consent), nothing retried;
- network errors retried with backoff; a message that still fails stays `pending` and the outbox
  loop retries it later; only after MAX_ATTEMPTS counted tries (or a permanent 400) is it
  `failed`, which the console shows — no send is ever dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.chat_locks import ChatLocks
from bot.conversation_routing import customer_at
from bot.database import Database
from bot.outlets import FlushResult
from bot.telegram_format import keyboard, split_messages
from bot.transcript import (
    Outgoing,
    StoredMessage,
    addresses_with_pending,
    mark_failed,
    mark_sent,
    note_failure,
    pending,
)
from huifang import consent
from huifang.db.models import Channel, Customer, DeliveryStatus
from huifang.db.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
NETWORK_RETRIES = 3  # in place, before leaving the message to the outbox
BACKOFF_SECONDS = 0.5
OUTBOX_BACKOFF_CAP = 300.0


class ChatPacer:
    """Per-chat pacing (GCRA): `burst` messages at once, then one every 1/`per_second` s
    (settings.telegram_chat_*: a little under Telegram's ~1/s). Slots are
    reserved synchronously, so concurrent senders to one chat queue up fairly."""

    def __init__(self, per_second: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / per_second
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def reserve(self, chat_id: int) -> float:
        """Book the next slot for this chat; returns how long to wait for it."""
        now = self._clock()
        if len(self._next) > 10_000:
            self._next = {c: t for c, t in self._next.items() if t > now}
        theoretical = max(self._next.get(chat_id, now), now)
        self._next[chat_id] = theoretical + self._interval
        return max(0.0, theoretical - self._tolerance - now)

    async def wait(self, chat_id: int) -> None:
        delay = self.reserve(chat_id)
        if delay:
            await asyncio.sleep(delay)


class TelegramOutlet:
    channel = Channel.TELEGRAM
    delivers_on_store = False

    def __init__(self, bot: Bot, db: Database, pacer: ChatPacer) -> None:
        self.bot = bot
        self.db = db
        self.pacer = pacer
        self._locks = ChatLocks()
        self._retry_at: dict[str, tuple[float, int]] = {}  # address -> (not before, failures)

    def prepare(self, messages: list[Outgoing]) -> list[Outgoing]:
        return split_messages(messages)

    async def flush(self, address: str) -> FlushResult:
        async with self._locks.hold(address):
            queue = await self.db.run(lambda s: pending(s, Channel.TELEGRAM, address))
            sent = 0
            for index, message in enumerate(queue):
                outcome = await self._send(message)
                if outcome == "sent":
                    sent += 1
                elif outcome == "blocked":
                    return FlushResult(sent, 0, unreachable=True)
                elif outcome == "later":
                    return FlushResult(sent, len(queue) - index)
            self._retry_at.pop(address, None)
            return FlushResult(sent, 0)

    async def edit_keyboard(self, chat_id: int, message_id: int,
                            markup: InlineKeyboardMarkup | None) -> None:
        """Mark or remove a pressed keyboard; a failure here only costs cosmetics."""
        await self.pacer.wait(chat_id)
        try:
            await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
        except TelegramError as exc:
            log.info("keyboard of message %s in chat %s not edited: %s", message_id, chat_id,
                     exc)

    def due_for_retry(self, address: str) -> bool:
        not_before, _ = self._retry_at.get(address, (0.0, 0))
        return time.monotonic() >= not_before

    def _defer(self, address: str, seconds: float | None = None) -> None:
        _, failures = self._retry_at.get(address, (0.0, 0))
        delay = seconds if seconds is not None else min(OUTBOX_BACKOFF_CAP, 2.0 ** failures)
        self._retry_at[address] = (time.monotonic() + delay, failures + 1)

    async def _send(self, message: StoredMessage) -> str:
        """One message: "sent", "skipped" (given up, go on), "later" (stop, keep order) or
        "blocked"."""
        chat_id = int(message.address)
        for attempt in range(NETWORK_RETRIES + 1):
            await self.pacer.wait(chat_id)
            try:
                sent = await self.bot.send_message(chat_id, message.text or "",
                                                   reply_markup=keyboard(message))
            except RetryAfter as exc:  # the rate limiter's own retries were not enough
                retry_after = exc.retry_after
                seconds = (retry_after.total_seconds() if isinstance(retry_after, timedelta)
                           else float(retry_after))
                await self._failed(message, f"429: {exc}", counts=False)
                self._defer(message.address, seconds)
                return "later"
            except Forbidden as exc:
                reason = str(exc)
                await self.db.run(lambda s: _blocked(s, message, reason))
                log.warning("chat %s blocked the bot: %s", chat_id, exc)
                return "blocked"
            except BadRequest as exc:  # permanent: the same request would fail again
                reason = f"400: {exc}"
                await self.db.run(lambda s: mark_failed(s, [message.id], reason))
                log.error("message %s to chat %s rejected: %s", message.id, chat_id, exc)
                return "skipped"
            except NetworkError as exc:
                if attempt < NETWORK_RETRIES:
                    await asyncio.sleep(BACKOFF_SECONDS * 2 ** attempt)
                    continue
                return await self._gave_up_for_now(message, f"network: {exc}")
            except TelegramError as exc:
                return await self._gave_up_for_now(message, f"{type(exc).__name__}: {exc}")
            await self.db.run(lambda s: mark_sent(s, message.id, str(sent.message_id)))
            return "sent"
        raise AssertionError("unreachable")

    async def _gave_up_for_now(self, message: StoredMessage, error: str) -> str:
        status = await self._failed(message, error, counts=True)
        if status == DeliveryStatus.FAILED:
            log.error("message %s to chat %s failed after %s tries: %s", message.id,
                      message.address, MAX_ATTEMPTS, error)
            return "skipped"
        self._defer(message.address)
        return "later"

    async def _failed(self, message: StoredMessage, error: str, *, counts: bool
                      ) -> DeliveryStatus:
        return await self.db.run(lambda s: note_failure(s, message.id, error, counts=counts,
                                                        give_up_after=MAX_ATTEMPTS))


def _blocked(session: Session, message: StoredMessage, error: str) -> None:
    """The user blocked the bot: nothing more can reach this chat."""
    queue = pending(session, Channel.TELEGRAM, message.address)
    mark_failed(session, [m.id for m in queue], f"403: {error}")
    customer = (session.get(Customer, message.customer_id) if message.customer_id
                else customer_at(session, Channel.TELEGRAM, message.address))
    if customer is not None:
        consent.mark_unreachable(session, customer, reason=f"telegram: {error}", now=utcnow())


async def run_outbox(outlet: TelegramOutlet, interval: float = 2.0, grace: float = 2.0,
                     concurrency: int = 16) -> None:
    """Forever: deliver what is still pending (after a crash, a 429 or a network failure)."""
    limit = asyncio.Semaphore(concurrency)

    async def flush(address: str) -> None:
        async with limit:
            try:
                await outlet.flush(address)
            except Exception:  # one chat's trouble must not stop the loop
                log.exception("outbox flush of chat %s failed", address)

    while True:
        before = utcnow() - timedelta(seconds=grace)
        try:
            addresses = await outlet.db.run(
                lambda s: addresses_with_pending(s, Channel.TELEGRAM, before))
        except Exception:
            log.exception("outbox query failed")
            addresses = []
        due = [a for a in addresses if outlet.due_for_retry(a)]
        if due:
            await asyncio.gather(*(flush(a) for a in due))
        await asyncio.sleep(interval)
