"""What a turn of the conversation leaves behind: its answer written, the callback escalated at
once if the answers so far warrant it (huifang.escalations.escalate_callback, the one entry
point), supervisors alerted, and the callback finished at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.conversation_state import answer_write, callback_id
from actions.supervisor_alert import alert_supervisors
from huifang import escalations, survey_answers
from huifang.callback_policy import customer_zone
from huifang.db.models import Callback, CallbackStatus
from huifang.db.types import utcnow
from huifang.local_time import describe
from huifang.settings import get_settings

Write = Callable[[Session, Callback, datetime], object]


@dataclass(frozen=True)
class Outcome:
    """The callback's open escalation (if any) after the turn. `announce`: it is new or its
    priority was raised in this turn — supervisors are alerted and the customer is told by
    when (`deadline`, in the customer's own time zone) someone will contact them."""

    escalation_id: int | None = None
    deadline: str | None = None
    announce: bool = False


NOTHING = Outcome()


def _outcome(session: Session, callback: Callback, now: datetime,
             update: escalations.EscalationUpdate | None) -> Outcome:
    if update is None:
        return NOTHING
    zone = customer_zone(callback.ticket, get_settings())
    return Outcome(update.escalation.id, describe(update.escalation.due_at, zone, now),
                   update.needs_alert)


def escalate_now(session: Session, callback: Callback, now: datetime, *,
                 requested_human: bool = False) -> Outcome:
    update = escalations.escalate_callback(session, callback, now, get_settings(),
                                           requested_human=requested_human)
    return _outcome(session, callback, now, update)


def close_outcome(session: Session, callback_id: int, now: datetime, *writes: Write,
                  requested_human: bool = False,
                  status: CallbackStatus = CallbackStatus.COMPLETED,
                  reason: str | None = None) -> Outcome:
    callback = survey_answers.load_callback(session, callback_id)
    if callback is None:
        return NOTHING
    for write in writes:
        write(session, callback, now)
    outcome = escalate_now(session, callback, now, requested_human=requested_human)
    survey_answers.finish(session, callback, now, status, reason)
    return outcome


async def alert_if_new(outcome: Outcome) -> None:
    if outcome.announce and outcome.escalation_id is not None:
        await alert_supervisors(outcome.escalation_id)


async def record_turn(tracker: Tracker, *writes: Write,
                      requested_human: bool = False) -> Outcome:
    """Write this turn's answers in one transaction, escalate if warranted, alert at once."""
    cid = callback_id(tracker)
    if cid is None:
        return NOTHING

    def work(session: Session) -> Outcome:
        callback = survey_answers.load_callback(session, cid)
        if callback is None:
            return NOTHING
        now = utcnow()
        for write in writes:
            write(session, callback, now)
        return escalate_now(session, callback, now, requested_human=requested_human)

    outcome = await answer_write(tracker, work, NOTHING)
    await alert_if_new(outcome)
    return outcome


async def finish_callback(tracker: Tracker, *writes: Write, requested_human: bool = False,
                          reason: str | None = None) -> Outcome:
    cid = callback_id(tracker)
    if cid is None:
        return NOTHING
    outcome = await answer_write(tracker, lambda s: close_outcome(
        s, cid, utcnow(), *writes, requested_human=requested_human, reason=reason), NOTHING)
    await alert_if_new(outcome)
    return outcome
