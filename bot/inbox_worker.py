"""Processes the inbox (bot/inbox.py): for every chat with a message due, its messages one at a
time, oldest first, under a lease. Whatever processes a message reports through `Attempt`
(set for the duration, also across python-telegram-bot's handlers) that it must be tried again;
otherwise the message is done. A try given up for good alerts operations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from bot.database import Database
from bot.inbox import (
    Inbound,
    InboxPolicy,
    chats_due,
    finish,
    release,
    retry_later,
    status_of,
    take_head,
)
from huifang.db.models import Channel, InboxStatus
from huifang.db.types import utcnow
from huifang.operations import alert_operations

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """One try at one inbox message; `retry` says why it must be tried again."""

    item: Inbound
    retry: str | None = None


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
        # page requests waiting for a message's first try, by chat and message
        self._waiters: dict[tuple[Channel, str], dict[int, list[asyncio.Future[InboxStatus]]]] = {}
        self._processing: set[int] = set()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

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

    async def settled(self, item: int, chat: tuple[Channel, str], timeout: float
                      ) -> InboxStatus | None:
        """Wait (at most `timeout`) for the first try at a message to end: `done`, `waiting`
        (to be tried again, or held up behind an earlier message of the chat that is),
        `failed`. None: not settled in time."""
        future: asyncio.Future[InboxStatus] = asyncio.get_running_loop().create_future()
        waiters = self._waiters.setdefault(chat, {}).setdefault(item, [])
        waiters.append(future)
        try:
            status = await self._db.run(lambda s: status_of(s, item))
            if status is not None and status != InboxStatus.WAITING:
                return status
            self.wake()
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            waiters.remove(future)
            if not waiters:
                self._waiters.get(chat, {}).pop(item, None)
            if not self._waiters.get(chat, True):
                self._waiters.pop(chat, None)

    def _tried(self, chat: tuple[Channel, str], item: int, status: InboxStatus) -> None:
        """A try ended: its waiters learn how; if the message waits again, so does the rest of
        the chat behind it, and their waiters learn that too."""
        for waiting, futures in self._waiters.get(chat, {}).items():
            if waiting == item or status != InboxStatus.DONE:
                for future in futures:
                    if not future.done():
                        future.set_result(status if waiting == item else InboxStatus.WAITING)

    async def _drain(self, chat: tuple[Channel, str]) -> None:
        channel, address = chat
        try:
            while not self._stopping:
                item = await self._db.run(
                    lambda s: take_head(s, channel, address, utcnow(), self._policy))
                if item is None:
                    return
                status = await self._try(item)
                self._tried(chat, item.id, status)
                if status != InboxStatus.DONE:
                    return  # the chat's later messages wait behind this one
        except Exception:
            log.exception("inbox of %s %s failed; trying again later", channel, address)
        finally:
            self._active.pop(chat, None)

    async def _try(self, item: Inbound) -> InboxStatus:
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
        self._processing.discard(item.id)
        if attempt.retry is None:
            await self._db.run(lambda s: finish(s, item.id, utcnow()))
            return InboxStatus.DONE
        reason = attempt.retry
        status = await self._db.run(
            lambda s: retry_later(s, item.id, reason, utcnow(), self._policy))
        if status == InboxStatus.FAILED:
            alert_operations("customer message given up",
                             f"inbox {item.id} ({item.channel} {item.address}) after "
                             f"{self._policy.max_attempts} tries: {reason}")
        return status or InboxStatus.DONE
