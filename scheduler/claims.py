"""Where a callback gets claimed: due rounds are taken in batches under a lease.

One statement does it on both databases: an `UPDATE … WHERE id IN (SELECT … LIMIT n)
RETURNING`. On PostgreSQL the inner select carries `FOR UPDATE SKIP LOCKED`, so two
dispatchers claiming at the same moment take disjoint rows instead of waiting on each other.
SQLite has no row locks (SQLAlchemy drops the clause there); our SQLite engine opens every
transaction with BEGIN IMMEDIATE, which makes the whole claim atomic against other writers.

A claimed row is `sending` until its lease expires; a worker that crashed mid-way leaves an
expired lease behind, and the row becomes claimable again — the sweeper of rounds claimed but
never sent. Sending it twice is still impossible: the gateway takes a round only once, in the
transaction that stores its messages (docs/contracts.md, "Sending a callback round"). The
statuses and values of the claim are the lifecycle's (huifang/callback_lifecycle.py).

Surveys of a paused or cancelled campaign are not claimed until it is resumed; one claimed
just before the pause is held by the send rules (docs/campaigns.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from huifang.callback_lifecycle import SendMode, claim_values
from huifang.db.models import Callback, CallbackStatus, Campaign, CampaignStatus


@dataclass(frozen=True)
class Claim:
    callback_id: int
    send_round: int
    send_mode: str
    attempts: int  # claims of this round so far, this one included


def _not_held() -> ColumnElement[bool]:
    """A paused or cancelled campaign starts no new survey (huifang/campaigns.py); rounds of
    conversations already open (resume, remind) still go."""
    held = select(Campaign.id).where(Campaign.status != CampaignStatus.ACTIVE)
    return or_(Callback.send_mode != SendMode.START.value, Callback.campaign_id.is_(None),
               Callback.campaign_id.not_in(held))


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Callback.status == CallbackStatus.SCHEDULED, Callback.due_at <= now,
             _not_held()),
        and_(Callback.status == CallbackStatus.SENDING, Callback.lease_expires_at <= now),
    )


def claim_due(session: Session, owner: str, now: datetime, limit: int,
              lease_seconds: float) -> list[Claim]:
    """Lease up to `limit` due rounds to `owner`, oldest due first. Commit to publish."""
    due = (
        select(Callback.id)
        .where(_claimable(now))
        .order_by(Callback.due_at, Callback.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Callback)
        .where(Callback.id.in_(due))
        .values(claim_values(owner, now, lease_seconds))
        .returning(Callback.id, Callback.send_round, Callback.send_mode, Callback.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((Claim(*row) for row in rows), key=lambda c: c.callback_id)

