"""The outbox: the transcript's outbound rows and the state of their delivery, at least once and
never blindly twice (docs/reliability.md).

    pending ──start_attempt (committed)──▶ in_flight ──▶ sent
       ▲                                      ├──▶ pending, later: surely nothing was sent
       └──────────────────────────────────────┤──▶ failed: given up (operations alerted)
                                              └──▶ in_doubt: the outcome cannot be known
    pending ──▶ withdrawn: a staff alert replaced by a more telling one before it went out
An attempt is committed as `in_flight` before the request goes out, so a process that dies
mid-request leaves a trace: `sweep_in_flight` turns such rows into `in_doubt`, never back into
`pending` — Telegram has no idempotency key, and sending again is how a customer gets a message
twice. A result that arrives after a sweep still wins (the truth is better than a doubt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.transcript import StoredMessage
from huifang import escalation_alerts
from huifang.db.fit import fit
from huifang.db.models import Channel, DeliveryStatus, Direction, Message

ATTEMPTED = (DeliveryStatus.IN_FLIGHT, DeliveryStatus.IN_DOUBT)


@dataclass(frozen=True)
class RetryPolicy:
    """Counted failures (nothing sent: network, 5xx, a staff chat's 403) back off exponentially
    up to `max_backoff` and end in `failed` after `max_failures`; 429s wait what Telegram says
    and are counted apart, so a rate-limit storm alone never uses up the failure budget (but
    still ends after `max_throttles`). An attempt in flight longer than `stale_after` belongs to
    a process that is gone."""

    max_failures: int = 8
    max_throttles: int = 30
    first_backoff: timedelta = timedelta(seconds=2)
    max_backoff: timedelta = timedelta(minutes=5)
    stale_after: timedelta = timedelta(minutes=10)

    def backoff(self, failures: int) -> timedelta:
        return min(self.max_backoff, self.first_backoff * 2 ** max(failures - 1, 0))


def queue(session: Session, channel: Channel, address: str) -> list[StoredMessage]:
    """The address's pending rows, oldest first (they go out in this order)."""
    rows = session.scalars(
        select(Message)
        .where(Message.channel == channel, Message.address == address,
               Message.direction == Direction.OUTBOUND,
               Message.delivery == DeliveryStatus.PENDING)
        .order_by(Message.id)
    )
    return [StoredMessage.of(row) for row in rows]


def addresses_due(session: Session, channel: Channel, now: datetime,
                  created_before: datetime) -> list[str]:
    """Addresses whose oldest pending row may be tried now (its backoff is over)."""
    oldest = (select(Message.address, func.min(Message.id).label("first"))
              .where(Message.channel == channel, Message.direction == Direction.OUTBOUND,
                     Message.delivery == DeliveryStatus.PENDING,
                     Message.created_at < created_before)
              .group_by(Message.address).subquery())
    return list(session.scalars(
        select(oldest.c.address).join(Message, Message.id == oldest.c.first)
        .where(or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
        .order_by(oldest.c.first)
    ))


def start_attempt(session: Session, message_id: int, now: datetime) -> bool:
    """pending → in_flight, if the row is still pending and due; commit before the request."""
    return bool(session.execute(
        update(Message)
        .where(Message.id == message_id, Message.delivery == DeliveryStatus.PENDING,
               or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
        .values(delivery=DeliveryStatus.IN_FLIGHT, last_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount)


def _attempted(session: Session, message_id: int) -> Message | None:
    return session.scalar(select(Message).where(Message.id == message_id,
                                                Message.delivery.in_(ATTEMPTED))
                          .with_for_update().execution_options(populate_existing=True))


def record_sent(session: Session, message_id: int, external_id: str, now: datetime) -> None:
    row = _attempted(session, message_id)
    if row is None:
        return
    row.delivery, row.external_id, row.sent_at, row.error = (DeliveryStatus.SENT, external_id,
                                                             now, None)
    row.attempts += 1
    escalation_alerts.confirm(session, row.id, now)


def record_not_sent(session: Session, message_id: int, error: str, now: datetime,
                    policy: RetryPolicy, *, throttled_for: timedelta | None = None
                    ) -> DeliveryStatus | None:
    """Surely nothing was sent: pending again after the backoff (or what a 429 asked for), or
    failed once the budget is used up. Returns the row's new state (None: settled meanwhile)."""
    row = _attempted(session, message_id)
    if row is None:
        return None
    row.error = fit(Message.error, error)
    if throttled_for is not None:
        row.throttled += 1
        wait, exhausted = throttled_for, row.throttled >= policy.max_throttles
    else:
        row.attempts += 1
        wait, exhausted = policy.backoff(row.attempts), row.attempts >= policy.max_failures
    row.delivery = DeliveryStatus.FAILED if exhausted else DeliveryStatus.PENDING
    row.next_attempt_at = None if exhausted else now + wait
    return row.delivery


def record_in_doubt(session: Session, message_id: int, error: str) -> None:
    row = _attempted(session, message_id)
    if row is not None:
        row.delivery, row.error = DeliveryStatus.IN_DOUBT, fit(Message.error, error)
        row.attempts += 1


def record_failed(session: Session, message_ids: list[int], error: str) -> None:
    """Refused for good (a permanent 400, a chat that blocked the bot): never tried again."""
    if message_ids:
        session.execute(update(Message).where(
            Message.id.in_(message_ids),
            Message.delivery.in_((DeliveryStatus.PENDING, *ATTEMPTED))).values(
            delivery=DeliveryStatus.FAILED, error=fit(Message.error, error),
            next_attempt_at=None, attempts=Message.attempts + 1))


def withdraw(session: Session, message_ids: list[int], reason: str) -> list[int]:
    """pending → withdrawn, for rows still pending (one in flight may be on its way and is left
    alone); returns the rows withdrawn."""
    if not message_ids:
        return []
    return list(session.scalars(
        update(Message)
        .where(Message.id.in_(message_ids), Message.delivery == DeliveryStatus.PENDING)
        .values(delivery=DeliveryStatus.WITHDRAWN, error=fit(Message.error, reason),
                next_attempt_at=None)
        .returning(Message.id).execution_options(synchronize_session=False)))


def sweep_in_flight(session: Session, started_before: datetime) -> list[int]:
    """Attempts in flight since before `started_before` belong to a process that is gone (or
    to this one before a restart): their outcome is unknown — in doubt, not sent again."""
    stale = list(session.scalars(
        select(Message.id).where(Message.delivery == DeliveryStatus.IN_FLIGHT,
                                 Message.last_attempt_at < started_before)
        .order_by(Message.id).with_for_update(skip_locked=True)))
    if stale:
        session.execute(update(Message).where(Message.id.in_(stale)).values(
            delivery=DeliveryStatus.IN_DOUBT,
            error="the process sending it stopped before Telegram's answer arrived"))
    return stale


def counts(session: Session) -> dict[str, int]:
    """Outbound rows per delivery state: the outbox's metric (the internal API serves it)."""
    rows = session.execute(select(Message.delivery, func.count())
                           .where(Message.direction == Direction.OUTBOUND)
                           .group_by(Message.delivery)).all()
    found = {DeliveryStatus(state).value: number for state, number in rows}
    return {state.value: found.get(state.value, 0) for state in DeliveryStatus
            if state != DeliveryStatus.RECEIVED}
