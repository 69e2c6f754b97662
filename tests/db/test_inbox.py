"""The inbox's rows (bot/inbox.py) on SQLite and PostgreSQL: a key is stored once, a chat's
oldest waiting message is taken first and by one holder at a time, a lease that ran out is
taken over, and retries end in `failed`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot import inbox
from bot.inbox import InboxPolicy
from huifang.db import session_scope
from huifang.db.models import Channel, InboxItem, InboxStatus

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
POLICY = InboxPolicy(max_attempts=3, first_backoff=timedelta(seconds=2),
                     max_backoff=timedelta(seconds=5), lease=timedelta(seconds=90))
WEBCHAT = Channel.WEBCHAT


def _store(sessions: sessionmaker[Session], key: str, address: str = "a") -> int | None:
    with session_scope(sessions) as session:
        return inbox.store(session, WEBCHAT, key, address, {"text": key}, NOW)


def _take(sessions: sessionmaker[Session], at: datetime, address: str = "a"
          ) -> inbox.Inbound | None:
    with session_scope(sessions) as session:
        return inbox.take_head(session, WEBCHAT, address, at, POLICY)


def test_a_key_is_stored_once_per_channel(sessions: sessionmaker[Session]) -> None:
    first = _store(sessions, "k1")
    assert first is not None and _store(sessions, "k1") is None
    with session_scope(sessions) as session:
        assert inbox.store(session, Channel.TELEGRAM, "k1", "a", {}, NOW) is not None
        assert inbox.stored_id(session, WEBCHAT, "k1", "a") == first
        assert inbox.stored_id(session, WEBCHAT, "k1", "someone-else") is None


def test_the_oldest_message_of_a_chat_is_taken_once_and_taken_over_after_its_lease(
        sessions: sessionmaker[Session]) -> None:
    first, second = _store(sessions, "k1"), _store(sessions, "k2")
    _store(sessions, "k3", address="b")
    with session_scope(sessions) as session:
        assert inbox.chats_due(session, NOW) == [(WEBCHAT, "a"), (WEBCHAT, "b")]
    taken = _take(sessions, NOW)
    assert taken is not None and taken.id == first and taken.rasa_key == f"inbox:{first}"
    assert _take(sessions, NOW + timedelta(seconds=10)) is None  # held; k2 waits behind it
    with session_scope(sessions) as session:
        assert inbox.chats_due(session, NOW) == [(WEBCHAT, "b")]
    again = _take(sessions, NOW + POLICY.lease + timedelta(seconds=1))  # its holder died
    assert again is not None and again.id == first
    with session_scope(sessions) as session:
        inbox.finish(session, first, NOW)
    following = _take(sessions, NOW + timedelta(minutes=5))
    assert following is not None and following.id == second


def test_retries_back_off_and_end_in_failed(sessions: sessionmaker[Session]) -> None:
    item = _store(sessions, "k1")
    assert item is not None
    at = NOW
    for attempt, wait in ((1, 2), (2, 4)):
        assert _take(sessions, at) is not None
        with session_scope(sessions) as session:
            assert inbox.retry_later(session, item, "Rasa down", at, POLICY) == InboxStatus.WAITING
        assert _take(sessions, at + timedelta(seconds=wait - 1)) is None, attempt
        at += timedelta(seconds=wait)
    assert _take(sessions, at) is not None
    with session_scope(sessions) as session:
        assert inbox.retry_later(session, item, "Rasa down", at, POLICY) == InboxStatus.FAILED
        assert inbox.counts(session) == {"waiting": 0, "done": 0, "failed": 1}
    with sessions() as session:
        row = session.get_one(InboxItem, item)
        assert (row.attempts, row.error, row.lease_until) == (3, "Rasa down", None)


def test_the_notice_is_once_per_outage(sessions: sessionmaker[Session]) -> None:
    first, second = _store(sessions, "k1"), _store(sessions, "k2")
    assert first is not None and second is not None
    with session_scope(sessions) as session:
        assert not inbox.notified(session, WEBCHAT, "a")
        inbox.mark_notified(session, first, NOW)
        assert inbox.notified(session, WEBCHAT, "a")
        inbox.finish(session, first, NOW)
        inbox.finish(session, second, NOW)
        assert not inbox.notified(session, WEBCHAT, "a")  # the outage is over


def test_a_stopping_gateway_hands_its_message_back(sessions: sessionmaker[Session]) -> None:
    item = _store(sessions, "k1")
    assert item is not None and _take(sessions, NOW) is not None
    with session_scope(sessions) as session:
        inbox.release(session, [item], NOW)
    assert _take(sessions, NOW + timedelta(seconds=1)) is not None


def test_only_a_message_never_handed_to_anyone_is_a_first_try(
        sessions: sessionmaker[Session]) -> None:
    """A first try cannot have reached Rasa before, so Rasa need not look its key up; a row
    taken over after a lease, tried again after a failure or handed back by a stopping gateway
    may have reached it."""
    crashed, failed, released = _store(sessions, "k1"), _store(sessions, "k2", "b"), \
        _store(sessions, "k3", "c")
    assert crashed is not None and failed is not None and released is not None
    for address in ("a", "b", "c"):
        taken = _take(sessions, NOW, address)
        assert taken is not None and taken.first_try
    taken_over = _take(sessions, NOW + POLICY.lease + timedelta(seconds=1))
    assert taken_over is not None and not taken_over.first_try
    with session_scope(sessions) as session:
        inbox.retry_later(session, failed, "Rasa down", NOW, POLICY)
        inbox.release(session, [released], NOW)
    for address in ("b", "c"):
        again = _take(sessions, NOW + timedelta(minutes=1), address)
        assert again is not None and not again.first_try, address
