"""Delivering the outbox's Telegram messages in order per chat: at least once, never blindly
twice (bot/outbox.py, docs/reliability.md).

python-telegram-bot's AIORateLimiter (configured in telegram_app.py) paces the bot to ~30
messages/s and retries 429s after `retry_after`. This module adds what it lacks:
- per-chat pacing (~1 message/s after a short burst);
- each attempt committed as in flight before the request, its result recorded after;
- the in-doubt rule: a request that surely never reached Telegram (no connection, a 429, an
  error answer) is retried with backoff, up to a bound, then failed with an alert to
  operations; one whose outcome cannot be known (a read timeout, a connection lost after the
  request was written, a process that died mid-request) is `in_doubt` and never resent;
- 403 "blocked by the user" → the customer is unreachable (huifang.consent); a staff chat
  (the supervisors') that refuses the bot is retried within the bound instead — someone may
  add the bot back — and then failed with one operations alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import outbox
from bot.chat_locks import ChatLocks
from bot.conversation_routing import customer_at
from bot.database import Database
from bot.outbox import RetryPolicy
from bot.outlets import FlushResult
from bot.telegram_format import keyboard, split_messages
from bot.transcript import Outgoing, StoredMessage
from huifang import consent
from huifang.db.models import Channel, Customer, DeliveryStatus
from huifang.db.types import utcnow
from huifang.operations import alert_operations

log = logging.getLogger(__name__)

# httpx failures that prove the request never reached Telegram whole
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout,
              httpx.WriteError)
CHAT_GONE = "chat not found"


def surely_not_sent(error: TelegramError) -> bool:
    """Telegram answered with an error, or the request never left: safe to send again. Any
    other failure (a read timeout, a connection lost while waiting for the answer, an unknown
    error) may have delivered the message."""
    if not isinstance(error, NetworkError):
        return True  # Telegram's own error answer (401, 409, a migrated chat, …)
    cause = error.__cause__
    return cause is None or isinstance(cause, NEVER_SENT)  # None: an error status (5xx)


def _seconds(retry_after: float | timedelta) -> timedelta:
    return (retry_after if isinstance(retry_after, timedelta)
            else timedelta(seconds=float(retry_after)))


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

    def __init__(self, bot: Bot, db: Database, pacer: ChatPacer,
                 retry: RetryPolicy | None = None,
                 staff_chats: frozenset[str] = frozenset()) -> None:
        self.bot = bot
        self.db = db
        self.pacer = pacer
        self.retry = retry or RetryPolicy()
        self.staff_chats = staff_chats  # chats of our own people: no customer to mark unreachable
        self._locks = ChatLocks()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Start no new attempt: a graceful stop ends between two messages, none in flight."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def idle(self, seconds: float) -> None:
        """Wait `seconds`, or less if the outlet is stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def prepare(self, messages: list[Outgoing]) -> list[Outgoing]:
        return split_messages(messages)

    async def flush(self, address: str) -> FlushResult:
        """Send the address's due pending rows in order; one that must wait holds the rest."""
        async with self._locks.hold(address):
            queue = await self.db.run(lambda s: outbox.queue(s, Channel.TELEGRAM, address))
            sent = in_doubt = 0
            for index, message in enumerate(queue):
                await self.pacer.wait(int(address))  # before the attempt counts as in flight
                now = utcnow()
                if self.stopping or not await self.db.run(
                        lambda s: outbox.start_attempt(s, message.id, now)):
                    return FlushResult(sent, len(queue) - index, in_doubt=in_doubt)
                outcome = await self._attempt(message)
                if outcome == DeliveryStatus.SENT:
                    sent += 1
                elif outcome == DeliveryStatus.IN_DOUBT:
                    in_doubt += 1
                elif outcome is None:  # the chat blocked the bot
                    return FlushResult(sent, 0, unreachable=True, in_doubt=in_doubt)
                elif outcome != DeliveryStatus.FAILED:  # back to pending: wait for it
                    return FlushResult(sent, len(queue) - index, in_doubt=in_doubt)
            return FlushResult(sent, 0, in_doubt=in_doubt)

    async def edit_keyboard(self, chat_id: int, message_id: int,
                            markup: InlineKeyboardMarkup | None) -> None:
        """Mark or remove a pressed keyboard; a failure here only costs cosmetics."""
        await self.pacer.wait(chat_id)
        try:
            await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
        except TelegramError as exc:
            log.info("keyboard of message %s in chat %s not edited: %s", message_id, chat_id,
                     exc)

    async def _attempt(self, message: StoredMessage) -> DeliveryStatus | None:
        """One request for a row already marked in flight; returns the row's new state (None:
        the chat blocked the bot)."""
        chat_id = int(message.address)
        staff = message.address in self.staff_chats
        try:
            sent = await self.bot.send_message(chat_id, message.text or "",
                                               reply_markup=keyboard(message))
        except RetryAfter as exc:  # the rate limiter's own retries were not enough
            return await self._not_sent(message, f"429: {exc}", _seconds(exc.retry_after))
        except Forbidden as exc:
            if staff:
                return await self._not_sent(message, f"403: {exc}")
            reason = str(exc)
            await self.db.run(lambda s: _blocked(s, message, reason))
            log.warning("chat %s blocked the bot: %s", chat_id, exc)
            return None
        except BadRequest as exc:
            if staff and CHAT_GONE in str(exc).lower():
                return await self._not_sent(message, f"400: {exc}")
            return await self._refused(message, f"400: {exc}")
        except TelegramError as exc:
            error = f"{'network' if isinstance(exc, NetworkError) else type(exc).__name__}: {exc}"
            if surely_not_sent(exc):
                return await self._not_sent(message, error)
            await self.db.run(lambda s: outbox.record_in_doubt(s, message.id, error))
            log.warning("message %s to chat %s is in doubt (not sent again): %s", message.id,
                        chat_id, error)
            return DeliveryStatus.IN_DOUBT
        await self.db.run(lambda s: outbox.record_sent(s, message.id, str(sent.message_id),
                                                       utcnow()))
        return DeliveryStatus.SENT

    async def _not_sent(self, message: StoredMessage, error: str,
                        throttled_for: timedelta | None = None) -> DeliveryStatus | None:
        status = await self.db.run(lambda s: outbox.record_not_sent(
            s, message.id, error, utcnow(), self.retry, throttled_for=throttled_for))
        if status == DeliveryStatus.FAILED:
            self._gave_up(message, error)
        else:
            log.info("message %s to chat %s not sent, will retry: %s", message.id,
                     message.address, error)
        return status or DeliveryStatus.PENDING

    async def _refused(self, message: StoredMessage, error: str) -> DeliveryStatus:
        """A permanent refusal: the same request would fail again."""
        await self.db.run(lambda s: outbox.record_failed(s, [message.id], error))
        self._gave_up(message, error)
        return DeliveryStatus.FAILED

    def _gave_up(self, message: StoredMessage, error: str) -> None:
        where = ("the supervisors' chat" if message.address in self.staff_chats
                 else f"Telegram chat {message.address}")
        alert_operations(f"message {message.id} could not be delivered to {where}", error)


def _blocked(session: Session, message: StoredMessage, error: str) -> None:
    """The user blocked the bot: nothing more can reach this chat."""
    queue = outbox.queue(session, Channel.TELEGRAM, message.address)
    outbox.record_failed(session, [message.id, *(m.id for m in queue)], f"403: {error}")
    customer = (session.get(Customer, message.customer_id) if message.customer_id
                else customer_at(session, Channel.TELEGRAM, message.address))
    if customer is not None:
        consent.mark_unreachable(session, customer, reason=f"telegram: {error}", now=utcnow())


async def sweep_in_flight(db: Database, older_than: timedelta = timedelta(0)) -> list[int]:
    """Attempts in flight for longer than `older_than` are in doubt: at start-up all of them
    (they belong to the process before), later those longer than any request can take."""
    cutoff = utcnow() - older_than
    stale = await db.run(lambda s: outbox.sweep_in_flight(s, cutoff))
    if stale:
        log.warning("%s message(s) left in flight by a stopped process are in doubt, not sent "
                    "again: %s", len(stale), stale)
    return stale


async def run_outbox(outlet: TelegramOutlet, interval: float = 2.0, grace: float = 2.0,
                     concurrency: int = 16,
                     chores: Sequence[Callable[[], Awaitable[object]]] = ()) -> None:
    """Until the outlet stops: settle attempts left in flight, do the `chores` (e.g. turn owed
    alerts into messages), deliver what is pending and due (after a crash, a 429 or a
    failure)."""
    limit = asyncio.Semaphore(concurrency)

    async def flush(address: str) -> None:
        async with limit:
            try:
                await outlet.flush(address)
            except Exception:  # one chat's trouble must not stop the loop
                log.exception("outbox flush of chat %s failed", address)

    while not outlet.stopping:
        now = utcnow()
        try:
            await sweep_in_flight(outlet.db, outlet.retry.stale_after)
            for chore in chores:
                await chore()
            addresses = await outlet.db.run(lambda s: outbox.addresses_due(
                s, Channel.TELEGRAM, now, now - timedelta(seconds=grace)))
        except Exception:
            log.exception("outbox pass failed")
            addresses = []
        if addresses:
            await asyncio.gather(*(flush(a) for a in addresses))
        await outlet.idle(interval)
