"""Closing a conversation's outcome: escalate per the rules, finish the callback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from huifang import escalations, survey_answers
from huifang.callback_policy import customer_zone
from huifang.db.models import CallbackStatus
from huifang.local_time import describe
from huifang.settings import get_settings


@dataclass(frozen=True)
class Outcome:
    escalation_id: int | None
    deadline: str | None


def close_outcome(session: Session, callback_id: int, now: datetime, *,
                  requested_human: bool = False,
                  status: CallbackStatus = CallbackStatus.COMPLETED,
                  reason: str | None = None) -> Outcome:
    callback = survey_answers.load_callback(session, callback_id)
    if callback is None:
        return Outcome(None, None)
    reasons = escalations.reasons_for(survey_answers.signals(callback, requested_human))
    escalation = escalations.escalate(session, callback, reasons, now)
    survey_answers.finish(session, callback, now, status, reason)
    if escalation is None:
        return Outcome(None, None)
    session.flush()
    zone = customer_zone(callback.ticket, get_settings())
    return Outcome(escalation.id, describe(escalation.due_at, zone, now))
