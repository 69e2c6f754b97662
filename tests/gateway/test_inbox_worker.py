"""The inbox worker (bot/inbox_worker.py) on SQLite and PostgreSQL, with a recording stand-in for
the relay: a stored message is processed at once when its chat is kicked, also when it arrives
while the chat's drain is looking for the next message, and a page waiting for it hears the end
of its first try even when that try ends before the page could start waiting on it.

The periodic pass is set an hour apart, so it cannot be what processes anything here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from bot import inbox
from bot.database import Database
from bot.inbox import Inbound, InboxPolicy
from bot.inbox_worker import InboxWorker
from huifang.db.models import Channel, InboxStatus
from huifang.db.types import utcnow

T = TypeVar("T")
CHAT = (Channel.WEBCHAT, "worker-chat")
AN_HOUR = 3600.0


class HookedDatabase(Database):
    """Runs `after_next_empty_take` right after the next transaction that found no message to
    take (the worker's only transactions that return nothing), before the worker sees that."""

    after_next_empty_take: Callable[[], None] | None = None

    async def run(self, work: Callable[[Session], T]) -> T:
        result = await super().run(work)
        hook = self.after_next_empty_take
        if hook is not None and result is None:
            self.after_next_empty_take = None
            hook()
        return result


def _store(db: Database, key: str) -> int:
    item = db.run_sync(lambda s: inbox.store(s, *CHAT[:1], key, CHAT[1], {"text": key},
                                             utcnow()))
    assert item is not None
    return item


def _worker(db: Database, processed: list[str]) -> InboxWorker:
    async def process(item: Inbound) -> None:
        processed.append(item.message_key)

    return InboxWorker(db, process, InboxPolicy(), poll_seconds=AN_HOUR)


def test_a_message_stored_while_the_drain_looks_for_the_next_is_processed_at_once(
        database_url: str) -> None:
    db = HookedDatabase(database_url)
    processed: list[str] = []
    worker = _worker(db, processed)

    async def scenario() -> None:
        _store(db, "first-msg")
        with worker.awaiting(Channel.WEBCHAT, "late-msg") as late:
            def store_late() -> None:
                _store(db, "late-msg")
                worker.kick(CHAT)  # the drain is still running: it must look once more

            db.after_next_empty_take = store_late
            worker.kick(CHAT)
            assert (await asyncio.wait_for(late.future, 30)).status == InboxStatus.DONE
        await worker.stop()

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()
    assert processed == ["first-msg", "late-msg"]


def test_a_try_that_ends_before_the_page_waits_is_still_heard(database_url: str) -> None:
    db = Database(database_url)
    processed: list[str] = []
    worker = _worker(db, processed)

    async def scenario() -> InboxStatus:
        with worker.awaiting(Channel.WEBCHAT, "quick-msg") as first_try:
            _store(db, "quick-msg")
            worker.kick(CHAT)
            while not processed or CHAT in worker._active:  # the try ends before we wait
                await asyncio.sleep(0.01)
            ended = await asyncio.wait_for(first_try.future, 30)
        await worker.stop()
        return ended.status

    try:
        assert asyncio.run(scenario()) == InboxStatus.DONE
        assert db.run_sync(lambda s: inbox.counts(s))["done"] == 1
    finally:
        db.dispose()
    assert processed == ["quick-msg"]
