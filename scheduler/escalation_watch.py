"""Escalations nobody may forget: alerts the gateway has not confirmed, and overdue ones.

Each alert is claimed in the database (the timestamp is set first, in its own transaction)
before the gateway is asked to send it, so two scheduler processes never alert the same thing
twice; if the gateway fails, the claim is undone and the next run tries again.
- unconfirmed: an open escalation whose `alerted_at` is still empty some minutes after it was
  created (the action's own immediate alert did not get through) → alert it;
- overdue: past `due_at`, not resolved, `overdue_alerted_at` empty → alert it once. An
  escalation that is both gets a single (overdue) alert.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from huifang.db import session_scope
from huifang.db.models import Escalation, EscalationStatus
from scheduler.gateway_client import GatewayClient

log = logging.getLogger(__name__)

ALERT_GRACE = timedelta(minutes=5)


@dataclass
class WatchReport:
    alerted: list[int] = field(default_factory=list)
    overdue_alerted: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _claim(session: Session, marker: InstrumentedAttribute[datetime | None],
           condition: ColumnElement[bool], now: datetime, limit: int) -> list[int]:
    ids = (
        select(Escalation.id)
        .where(Escalation.status != EscalationStatus.RESOLVED, marker.is_(None), condition)
        .order_by(Escalation.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.scalars(
        update(Escalation).where(Escalation.id.in_(ids)).values({marker: now})
        .returning(Escalation.id).execution_options(synchronize_session=False)
    ).all()
    return sorted(claimed)


def claim_overdue(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return _claim(session, Escalation.overdue_alerted_at, Escalation.due_at < now, now, limit)


def claim_unconfirmed(session: Session, now: datetime, only: Iterable[int] | None = None,
                      limit: int = 100) -> list[int]:
    """Open, not yet overdue escalations whose first alert was never confirmed: after the grace
    period, or at once for the `only` ids (escalations the scheduler itself just created)."""
    condition = Escalation.due_at >= now
    if only is None:
        condition = condition & (Escalation.created_at <= now - ALERT_GRACE)
    else:
        condition = condition & Escalation.id.in_(list(only))
    return _claim(session, Escalation.alerted_at, condition, now, limit)


def _release(session: Session, marker: InstrumentedAttribute[datetime | None],
             escalation_id: int, now: datetime) -> None:
    session.execute(update(Escalation)
                    .where(Escalation.id == escalation_id, marker == now)
                    .values({marker: None}))


def _send(sessions: sessionmaker[Session], gateway: GatewayClient, ids: list[int],
          marker: InstrumentedAttribute[datetime | None], now: datetime,
          report: WatchReport, sent: list[int]) -> None:
    for escalation_id in ids:
        if gateway.alert_escalation(escalation_id):
            sent.append(escalation_id)
            continue
        report.failed.append(escalation_id)
        with session_scope(sessions) as session:
            _release(session, marker, escalation_id, now)


def watch_escalations(sessions: sessionmaker[Session], gateway: GatewayClient, now: datetime,
                      only: Iterable[int] | None = None) -> WatchReport:
    with session_scope(sessions) as session:
        overdue = [] if only is not None else claim_overdue(session, now)
        if overdue:  # an overdue alert also counts as the first alert
            session.execute(update(Escalation)
                            .where(Escalation.id.in_(overdue), Escalation.alerted_at.is_(None))
                            .values(alerted_at=now))
        unconfirmed = claim_unconfirmed(session, now, only)
    report = WatchReport()
    _send(sessions, gateway, overdue, Escalation.overdue_alerted_at, now, report,
          report.overdue_alerted)
    _send(sessions, gateway, unconfirmed, Escalation.alerted_at, now, report, report.alerted)
    if report.failed:
        log.warning("escalation alerts not delivered, will retry: %s", report.failed)
    return report
