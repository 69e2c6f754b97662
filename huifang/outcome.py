"""The outcome of one callback, as every reader shows it: the console (pages and JSON API), the
export and the supervisors' alerts. The rules are in docs/domain.md ("Outcome of a callback").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from huifang.db.models import (
    Callback,
    Complaint,
    Escalation,
    EscalationStatus,
    Sentiment,
    Severity,
)

# worst first
SENTIMENT_ORDER = (Sentiment.NEGATIVE, Sentiment.MIXED, Sentiment.NEUTRAL, Sentiment.POSITIVE)
SEVERITY_ORDER = (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.NONE)


@dataclass(frozen=True)
class Outcome:
    overall: int | None
    solved: bool | None
    nps: int | None
    dimensions: dict[str, int]
    comment: str | None
    late_comment: str | None
    categories: list[str]
    sentiment: Sentiment | None
    severity: Severity | None
    escalation: Escalation | None


def categories(complaints: Iterable[Complaint]) -> list[str]:
    """Every complaint category named, each once, in the order the customer named them."""
    return list(dict.fromkeys(c.category for complaint in complaints
                              for c in complaint.categories))


def worst_sentiment(complaints: Iterable[Complaint]) -> Sentiment | None:
    found = {c.sentiment for c in complaints if c.sentiment is not None}
    return next((s for s in SENTIMENT_ORDER if s in found), None)


def highest_severity(complaints: Iterable[Complaint]) -> Severity | None:
    found = {c.severity for c in complaints}
    return next((s for s in SEVERITY_ORDER if s in found), None)


def current_escalation(escalations: list[Escalation]) -> Escalation | None:
    """The latest unresolved escalation if there is one, else the latest: a resolved one never
    hides one still open."""
    unresolved = [e for e in escalations if e.status != EscalationStatus.RESOLVED]
    candidates = unresolved or escalations
    return max(candidates, key=lambda e: e.id) if candidates else None


def outcome_of(callback: Callback) -> Outcome:
    """Needs callback.response (with its dimensions), complaints (with their categories) and
    escalations loaded, or a session to load them lazily."""
    response = callback.response
    complaints = callback.complaints
    return Outcome(
        overall=response.overall if response else None,
        solved=response.solved if response else None,
        nps=response.nps if response else None,
        dimensions={d.dimension: d.score for d in response.dimensions} if response else {},
        comment=response.comment if response else None,
        late_comment=response.late_comment if response else None,
        categories=categories(complaints),
        sentiment=worst_sentiment(complaints),
        severity=highest_severity(complaints),
        escalation=current_escalation(callback.escalations),
    )
