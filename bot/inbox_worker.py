"""Processes the inbox (bot/inbox.py): for every chat with a message due, its messages one at a
time, oldest first, under a lease. Whatever processes a message reports through `Attempt`
(set for the duration, also across python-telegram-bot's handlers) that it must be tried again;
otherwise the message is done. A try given up for good alerts operations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.database import Database
from bot.inbox import (
    Inbound,
    InboxPolicy,
    chats_due,
    finish,
    release,
    retry_later,
    take_head,
)
from bot.transcript import StoredMessage
from huifang.db.models import Channel, InboxStatus
from huifang.db.types import utcnow
from huifang.operations import alert_operations

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """One try at one inbox message; `retry` says why it must be tried again, `replies` what
    the assistant answered when this try answered."""

    item: Inbound
    retry: str | None = None
    replies: list[StoredMessage] | None = None


@dataclass(frozen=True)
class TryEnded:
    """How the first try at a message ended: `done`, `waiting` (to be tried again, or held up
    behind an earlier message of the chat that is) or `failed`; the replies when known."""

    status: InboxStatus
    replies: list[StoredMessage] | None = None


@dataclass
class Waiter:
    """A page request waiting for its message's first try; `address` is set once the message
    is stored (its chat: a message of the chat that must wait holds this one up too)."""

    future: asyncio.Future[TryEnded]
    address: str | None = None


_current: ContextVar[Attempt | None] = ContextVar("inbox_attempt", default=None)


def current_attempt() -> Attempt:
    attempt = _current.get()
    if attempt is None:
        raise RuntimeError("customer messages are processed from the inbox only")
    return attempt


def attempt_or_none() -> Attempt | None:
    return _current.get()


Process = Callable[[Inbound], Awaitable[None]]


class InboxWorker:
    def __init__(self, db: Database, process: Process, policy: InboxPolicy,
                 poll_seconds: float) -> None:
        self._db, self._process, self._policy = db, process, policy
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._active: dict[tuple[Channel, str], asyncio.Task[None]] = {}
        # chats given a message while their drain was looking for the next one
        self._kicked: set[tuple[Channel, str]] = set()
        # page requests waiting for a message's first try, by channel and message key
        self._waiters: dict[tuple[Channel, str], list[Waiter]] = {}
        self._processing: set[int] = set()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def kick(self, chat: tuple[Channel, str]) -> None:
        """A message of `chat` was just stored: process it now, without looking for due chats
        (the periodic pass still does that for every chat)."""
        if self._stopping:
            return
        if chat in self._active:
            self._kicked.add(chat)
        else:
            self._active[chat] = asyncio.create_task(self._drain(chat))

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                for chat in await self._db.run(lambda s: chats_due(s, utcnow())):
                    if chat not in self._active:
                        self._active[chat] = asyncio.create_task(self._drain(chat))
            except Exception:
                log.exception("inbox pass failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def stop(self) -> None:
        """Ends between two messages; one still processing is cut off and handed back (its
        key makes processing it again safe). After a kill its lease expires instead."""
        self._stopping = True
        self._wake.set()
        for task in list(self._active.values()):
            task.cancel()
        await asyncio.gather(*self._active.values(), return_exceptions=True)
        cut_off = sorted(self._processing)
        await self._db.run(lambda s: release(s, cut_off, utcnow()))

    @contextlib.contextmanager
    def awaiting(self, channel: Channel, key: str) -> Iterator[Waiter]:
        """The end of the first try at the message `key`; enter before storing the message,
        so a try that ends at once is not missed."""
        waiter = Waiter(asyncio.get_running_loop().create_future())
        waiters = self._waiters.setdefault((channel, key), [])
        waiters.append(waiter)
        try:
            yield waiter
        finally:
            waiters.remove(waiter)
            if not waiters:
                self._waiters.pop((channel, key), None)

    def _tried(self, item: Inbound, ended: TryEnded) -> None:
        """A try ended: its waiters learn how; if the message waits again, so does the rest of
        the chat behind it, and their waiters learn that too."""
        for (channel, key), waiters in self._waiters.items():
            for waiter in waiters:
                if channel != item.channel or waiter.future.done():
                    continue
                if key == item.message_key:
                    waiter.future.set_result(ended)
                elif ended.status != InboxStatus.DONE and waiter.address == item.address:
                    waiter.future.set_result(TryEnded(InboxStatus.WAITING))

    async def _drain(self, chat: tuple[Channel, str]) -> None:
        """The chat's messages one after the other; finishing one and taking the next share a
        transaction."""
        channel, address = chat

        def take(session: Session) -> Inbound | None:
            return take_head(session, channel, address, utcnow(), self._policy)

        try:
            item: Inbound | None = None
            while not self._stopping:
                if item is None:
                    self._kicked.discard(chat)
                    item = await self._db.run(take)
                else:
                    status, item = await self._try(item, take)
                    if status != InboxStatus.DONE:
                        return  # the chat's later messages wait behind this one
                if item is None and chat not in self._kicked:
                    return
        except Exception:
            log.exception("inbox of %s %s failed; trying again later", channel, address)
        finally:
            self._active.pop(chat, None)
            self._kicked.discard(chat)

    async def _try(self, item: Inbound, take_next: Callable[[Session], Inbound | None]
                   ) -> tuple[InboxStatus, Inbound | None]:
        """Process one message; when it is done, lease the chat's next one in the same
        transaction (a stopping worker hands that one straight back)."""
        attempt = Attempt(item)
        token = _current.set(attempt)
        self._processing.add(item.id)
        try:
            await self._process(item)
        except Exception as exc:  # one message failing must not stop the others
            log.exception("inbox message %s failed", item.id)
            attempt.retry = attempt.retry or repr(exc)
        finally:
            _current.reset(token)
        if attempt.retry is None:
            def finish_and_take(session: Session) -> Inbound | None:
                finish(session, item.id, utcnow())
                return take_next(session)

            self._kicked.discard((item.channel, item.address))
            following = await self._db.run(finish_and_take)
            self._processing.discard(item.id)
            self._tried(item, TryEnded(InboxStatus.DONE, attempt.replies))
            if following is not None and self._stopping:
                await self._db.run(lambda s: release(s, [following.id], utcnow()))
                following = None
            return InboxStatus.DONE, following
        self._processing.discard(item.id)
        reason = attempt.retry
        status = await self._db.run(
            lambda s: retry_later(s, item.id, reason, utcnow(), self._policy))
        if status == InboxStatus.FAILED:
            alert_operations("customer message given up",
                             f"inbox {item.id} ({item.channel} {item.address}) after "
                             f"{self._policy.max_attempts} tries: {reason}")
        status = status or InboxStatus.DONE
        self._tried(item, TryEnded(status))
        return status, None
