"""Escalations nobody may forget: overdue ones, and old ones never alerted.

The watch only owes alerts (huifang.escalation_alerts), in one transaction per run:
- overdue: an unresolved escalation past its deadline owes one overdue alert (one never
  alerted gets this alert only);
- unalerted: one that owes nothing and was never alerted — made before alerts were owed with
  the escalation — owes its first alert after a grace period.
The gateway's outbox delivers what is owed at least once, with bounded retries; `alerted_at` and
`overdue_alerted_at` are set only when Telegram accepted the alert. Nothing here calls the
gateway: a scheduler dying at any point loses no alert, and a supervisors' chat that refuses
the bot causes no retry here at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from huifang.db import session_scope
from huifang.escalation_alerts import owe_overdue, owe_unalerted


@dataclass
class WatchReport:
    overdue: list[int] = field(default_factory=list)  # escalations that now owe an overdue alert
    unalerted: list[int] = field(default_factory=list)  # …that now owe their first alert


def watch_escalations(sessions: sessionmaker[Session], now: datetime) -> WatchReport:
    with session_scope(sessions) as session:
        return WatchReport(owe_overdue(session, now), owe_unalerted(session, now))
