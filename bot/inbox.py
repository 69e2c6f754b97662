"""The inbox: customer messages stored before they are acknowledged, then processed at least
once, in order per chat (docs/reliability.md, "Inbound").

    waiting ──(lease taken)──▶ processed ──▶ done
       ▲                          └──▶ waiting, later: Rasa did not answer (backoff)
       └────────────────────────────────▶ failed: retry budget used up (operations alerted)

A row is keyed by what the channel calls the message (web chat: the page's key, resent on a
retry; Telegram: "update:<update_id>:<digest>"), so a channel delivering it twice stores it
once. Only the oldest waiting row of a chat is processed, by the gateway holding its lease; a
gateway that dies leaves the lease to expire and the row to be taken again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huifang.db.fit import fit
from huifang.db.models import Channel, InboxItem, InboxStatus
from huifang.settings import Settings


@dataclass(frozen=True)
class InboxPolicy:
    """Failed tries back off exponentially up to `max_backoff` and end in `failed` after
    `max_attempts`; a gateway holds a row it processes for `lease`."""

    max_attempts: int = 12
    first_backoff: timedelta = timedelta(seconds=2)
    max_backoff: timedelta = timedelta(minutes=5)
    lease: timedelta = timedelta(seconds=90)

    @classmethod
    def of(cls, settings: Settings) -> InboxPolicy:
        return cls(settings.inbox_max_attempts,
                   timedelta(seconds=settings.inbox_first_backoff_seconds),
                   timedelta(seconds=settings.inbox_max_backoff_seconds),
                   timedelta(seconds=settings.inbox_lease_seconds))

    def backoff(self, attempts: int) -> timedelta:
        return min(self.max_backoff, self.first_backoff * 2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class Inbound:
    """A detached copy of an inbox row."""

    id: int
    channel: Channel
    message_key: str
    address: str
    body: dict[str, Any]
    attempts: int
    # never handed to anyone before (no try failed, no lease ran out or was handed back): it
    # cannot have reached Rasa yet, so Rasa need not look its key up in the tracker
    first_try: bool

    @property
    def rasa_key(self) -> str:
        """The message's idempotency key all the way to the answer write (Rasa's metadata)."""
        return f"inbox:{self.id}"

    @classmethod
    def of(cls, row: InboxItem) -> Inbound:
        return cls(row.id, row.channel, row.message_key, row.address, dict(row.body),
                   row.attempts, first_try=row.attempts == 0 and row.lease_until is None)


def _free(now: Any) -> ColumnElement[bool]:
    return and_(or_(InboxItem.lease_until.is_(None), InboxItem.lease_until <= now),
                or_(InboxItem.next_attempt_at.is_(None), InboxItem.next_attempt_at <= now))


# The statements of every customer turn, built once with their parameters named: building a
# statement and its cache key costs more than running it. Those that load no ORM object run on
# the session's connection, past the ORM's own handling of a statement (docs/performance.md,
# "Statements built once").
_OF_CHAT = and_(InboxItem.channel == bindparam("channel"),
                InboxItem.address == bindparam("address"))
_WAITING = InboxItem.status == InboxStatus.WAITING
_STORE = {
    dialect.dialect.name: dialect.insert(InboxItem)
    .on_conflict_do_nothing(index_elements=["channel", "message_key"]).returning(InboxItem.id)
    for dialect in (postgresql, sqlite)}
_STORED_ID = select(InboxItem.id).where(_OF_CHAT, InboxItem.message_key == bindparam("key"))
_HELD_UP = (select(func.count()).select_from(InboxItem)
            .where(_OF_CHAT, InboxItem.id < bindparam("item_id"), _WAITING,
                   InboxItem.attempts > 0))
_HEAD = select(InboxItem).where(_OF_CHAT, _WAITING).order_by(InboxItem.id).limit(1)
_LEASE = (update(InboxItem)
          .where(InboxItem.id == bindparam("item_id"), _WAITING, _free(bindparam("now")))
          .values(lease_until=bindparam("until"))
          .execution_options(synchronize_session=False))
_FINISH = (update(InboxItem).where(InboxItem.id == bindparam("item_id"), _WAITING)
           .values(status=InboxStatus.DONE, processed_at=bindparam("now"), lease_until=None,
                   error=None)
           .execution_options(synchronize_session=False))
_RECORDED_MESSAGE = select(InboxItem.message_id).where(InboxItem.id == bindparam("item_id"))
_LINK_MESSAGE = (update(InboxItem).where(InboxItem.id == bindparam("item_id"))
                 .values(message_id=bindparam("message_id"))
                 .execution_options(synchronize_session=False))


def storable(value: Any) -> Any:
    """`value` without what no database stores: NUL characters and lone surrogates."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def store(session: Session, channel: Channel, message_key: str, address: str,
          body: dict[str, Any], now: datetime) -> int | None:
    """Store a message as it arrived; None if this key was stored before (a replay)."""
    values = {"channel": channel, "message_key": message_key, "address": address,
              "body": storable(body), "status": InboxStatus.WAITING, "attempts": 0,
              "created_at": now}
    return session.connection().scalar(_STORE[session.get_bind().dialect.name], values)


def stored_id(session: Session, channel: Channel, message_key: str, address: str
              ) -> int | None:
    """The row this chat's message `message_key` was stored as (None: another chat's key)."""
    return session.connection().scalar(
        _STORED_ID, {"channel": channel, "address": address, "key": message_key})


def held_up(session: Session, channel: Channel, address: str, item_id: int) -> bool:
    """Whether an earlier message of the chat waits to be tried again (Rasa down): this one
    waits behind it."""
    return bool(session.connection().scalar(
        _HELD_UP, {"channel": channel, "address": address, "item_id": item_id}))


def chats_due(session: Session, now: datetime, limit: int = 200) -> list[tuple[Channel, str]]:
    """Chats whose oldest waiting row may be processed now (not leased, backoff over)."""
    heads = (select(InboxItem.channel, InboxItem.address,
                    func.min(InboxItem.id).label("head"))
             .where(InboxItem.status == InboxStatus.WAITING)
             .group_by(InboxItem.channel, InboxItem.address).subquery())
    rows = session.execute(
        select(heads.c.channel, heads.c.address).join(InboxItem, InboxItem.id == heads.c.head)
        .where(_free(now)).order_by(heads.c.head).limit(limit)).all()
    return [(Channel(channel), address) for channel, address in rows]


def take_head(session: Session, channel: Channel, address: str, now: datetime,
              policy: InboxPolicy) -> Inbound | None:
    """Lease the chat's oldest waiting row if it is due and nobody holds it; commit before
    processing it."""
    head = session.scalar(_HEAD, {"channel": channel, "address": address})
    if head is None:
        return None
    inbound = Inbound.of(head)  # as it was before this lease
    taken = session.connection().execute(
        _LEASE, {"item_id": head.id, "now": now, "until": now + policy.lease}).rowcount
    return inbound if taken else None


def finish(session: Session, item_id: int, now: datetime) -> None:
    session.connection().execute(_FINISH, {"item_id": item_id, "now": now})


def release(session: Session, item_ids: list[int], now: datetime) -> None:
    """A gateway stopping gracefully hands the rows it was processing back at once (a lease
    that ran out now: they may have reached Rasa, so they are no first try)."""
    if item_ids:
        session.execute(update(InboxItem).where(InboxItem.id.in_(item_ids),
                                                InboxItem.status == InboxStatus.WAITING)
                        .values(lease_until=now))


def retry_later(session: Session, item_id: int, error: str, now: datetime,
                policy: InboxPolicy) -> InboxStatus | None:
    """A try that did not get through: waiting again after the backoff, or failed once the
    budget is used up. Returns the row's new state (None: settled meanwhile)."""
    row = session.scalar(select(InboxItem).where(InboxItem.id == item_id,
                                                 InboxItem.status == InboxStatus.WAITING)
                         .with_for_update())
    if row is None:
        return None
    row.attempts += 1
    row.error = fit(InboxItem.error, error)
    row.lease_until = None
    if row.attempts >= policy.max_attempts:
        row.status, row.next_attempt_at, row.processed_at = InboxStatus.FAILED, None, now
    else:
        row.next_attempt_at = now + policy.backoff(row.attempts)
    return row.status


def notified(session: Session, channel: Channel, address: str) -> bool:
    """Whether the customer was already told, in this outage, that an answer is on its way:
    a row of the chat still waiting carries the notice (it is cleared by being processed)."""
    return bool(session.scalar(
        select(func.count()).select_from(InboxItem)
        .where(InboxItem.channel == channel, InboxItem.address == address,
               InboxItem.status == InboxStatus.WAITING, InboxItem.notified_at.is_not(None))))


def mark_notified(session: Session, item_id: int, now: datetime) -> None:
    session.execute(update(InboxItem).where(InboxItem.id == item_id)
                    .values(notified_at=now))


def recorded_message(session: Session, item_id: int) -> int | None:
    """The transcript row this item recorded on an earlier try, if any."""
    return session.connection().scalar(_RECORDED_MESSAGE, {"item_id": item_id})


def link_message(session: Session, item_id: int, message_id: int) -> None:
    session.connection().execute(_LINK_MESSAGE,
                                 {"item_id": item_id, "message_id": message_id})


def status_of(session: Session, item_id: int) -> InboxStatus | None:
    return session.scalar(select(InboxItem.status).where(InboxItem.id == item_id))


def counts(session: Session) -> dict[str, int]:
    """Rows per state: the inbox's metric (the internal API serves it with the outbox's)."""
    found = dict(session.execute(select(InboxItem.status, func.count())
                                 .group_by(InboxItem.status)).all())
    return {state.value: found.get(state, 0) for state in InboxStatus}
