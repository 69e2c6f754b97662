"""Where survey answers get written: one at a time, as they arrive, idempotently.

Writing each answer immediately means nothing is lost when a customer drops out half-way;
writing it as an upsert means a repeated button press records one answer, not two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from huifang import callback_lifecycle as lifecycle
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Complaint,
    ComplaintCategory,
    Customer,
    DimensionScore,
    Sentiment,
    Severity,
    SurveyResponse,
    Ticket,
)
from huifang.db.types import utcnow


@dataclass(frozen=True)
class Classification:
    """What the complaint classifier said about a text (complaints.Result, flattened);
    `signals` are the high-severity rules that matched (threats, safety, refunds, repeats)."""

    categories: list[str]
    scores: dict[str, float]
    sentiment: str
    severity: str
    signals: list[str] = field(default_factory=list)


def _response(session: Session, callback: Callback, now: datetime) -> SurveyResponse:
    response = callback.response
    if response is None:
        response = SurveyResponse(callback=callback, first_answer_at=now)
        session.add(response)
        session.flush()
    lifecycle.resume(callback, now)
    return response


def record_overall(session: Session, callback: Callback, score: int, now: datetime) -> None:
    _response(session, callback, now).overall = score


def record_solved(session: Session, callback: Callback, solved: bool, now: datetime) -> None:
    _response(session, callback, now).solved = solved


def record_nps(session: Session, callback: Callback, score: int, now: datetime) -> None:
    _response(session, callback, now).nps = score


def record_dimension(session: Session, callback: Callback, dimension: str, score: int,
                     now: datetime) -> None:
    response = _response(session, callback, now)
    existing = next((d for d in response.dimensions if d.dimension == dimension), None)
    if existing is None:
        response.dimensions.append(DimensionScore(dimension=dimension, score=score))
    else:
        existing.score = score


def record_comment(session: Session, callback: Callback, text: str, now: datetime) -> None:
    _response(session, callback, now).comment = text


def record_late_comment(session: Session, callback: Callback, text: str, now: datetime) -> None:
    """Messages after the end are kept, appended to what came late before."""
    response = callback.response or SurveyResponse(callback=callback, first_answer_at=now)
    session.add(response)
    response.late_comment = f"{response.late_comment}\n{text}" if response.late_comment else text


def record_complaint(
    session: Session,
    callback: Callback,
    text: str,
    source: str,
    classification: Classification | None,
    now: datetime,
    chosen_categories: Iterable[str] = (),
) -> Complaint:
    """Store a complaint or free feedback; the same text from the same question is kept once."""
    lifecycle.resume(callback, now)
    existing = session.scalar(
        select(Complaint).where(Complaint.callback_id == callback.id, Complaint.source == source,
                                Complaint.text == text)
    )
    complaint = existing or Complaint(callback=callback, text=text, source=source, created_at=now)
    if existing is None:
        session.add(complaint)
    chosen = list(dict.fromkeys(chosen_categories))
    if classification is not None:
        complaint.sentiment = _sentiment(classification.sentiment)
        complaint.severity = Severity(classification.severity)
    elif chosen:
        complaint.sentiment = Sentiment.NEGATIVE
    have = {c.category for c in complaint.categories}
    for code in chosen:
        if code not in have:
            complaint.categories.append(ComplaintCategory(category=code, chosen_by_customer=True))
            have.add(code)
    if classification is not None:
        for code in classification.categories:
            if code not in have:
                complaint.categories.append(
                    ComplaintCategory(category=code, score=classification.scores.get(code))
                )
                have.add(code)
    session.flush()
    return complaint


def _sentiment(value: str) -> Sentiment:
    """The classifier's sentiment; a "mixed" text (praise and complaint) is kept as negative,
    because its complaint part is why it is stored."""
    known = {s.value: s for s in Sentiment}
    return known.get(value, Sentiment.NEGATIVE)


def finish(session: Session, callback: Callback, now: datetime,
           status: CallbackStatus = CallbackStatus.COMPLETED, reason: str | None = None) -> None:
    """Close the conversation's outcome (huifang.callback_lifecycle.finish); a callback already
    in a final state keeps it."""
    lifecycle.finish(callback, now, status, reason)


def flag_wrong_person(session: Session, callback: Callback, now: datetime) -> None:
    customer: Customer = callback.ticket.customer
    customer.contact_flagged_at = now
    customer.contact_flag_reason = "customer says they are not the person on the ticket"
    finish(session, callback, now, CallbackStatus.CANCELLED, "wrong person")


# built once, loading with the callback what every answer reads next (its response, and its
# complaints for the escalation rules): docs/performance.md, "Statements built once"
_CALLBACK = (select(Callback).join(Ticket).where(Callback.id == bindparam("callback_id"))
             .options(joinedload(Callback.response), selectinload(Callback.complaints)))


def load_callback(session: Session, callback_id: int) -> Callback | None:
    return session.scalar(_CALLBACK, {"callback_id": callback_id})


def mark_resumed(session: Session, callback_id: int, now: datetime | None = None) -> None:
    """The customer came back before the planned resume round: that round is consumed and
    never sent (huifang.callback_lifecycle.resume). Not for the scheduler's own resume round,
    which the gateway is delivering."""
    callback = load_callback(session, callback_id)
    if callback is not None:
        lifecycle.resume(callback, now or utcnow())
