"""Export one row per callback with every outcome field (CSV or JSON lines)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huifang.db.models import Callback, Complaint, SurveyResponse, Ticket
from huifang.outcome import outcome_of
from huifang.spreadsheet_cells import formula_safe

COLUMNS = [
    "ticket_id", "customer_id", "service_type", "agent", "branch", "closed_at", "kind",
    "template", "campaign", "status", "status_reason", "due_at", "sent_at", "finished_at",
    "overall", "solved", "nps", "dimensions", "comment", "late_comment", "categories",
    "sentiment", "severity", "escalation_id", "escalation_priority", "escalation_status",
]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _row(callback: Callback) -> dict[str, Any]:
    ticket: Ticket = callback.ticket
    outcome = outcome_of(callback)
    escalation = outcome.escalation
    return {
        "ticket_id": ticket.external_id,
        "customer_id": ticket.customer.external_id,
        "service_type": ticket.service_type,
        "agent": callback.agent_at_send or ticket.agent,
        "branch": ticket.branch,
        "closed_at": _iso(ticket.closed_at),
        "kind": callback.kind.value,
        "template": callback.template,
        "campaign": callback.campaign.name if callback.campaign else None,
        "status": callback.status.value,
        "status_reason": callback.status_reason,
        "due_at": _iso(callback.due_at),
        "sent_at": _iso(callback.sent_at),
        "finished_at": _iso(callback.finished_at),
        "overall": outcome.overall,
        "solved": outcome.solved,
        "nps": outcome.nps,
        "dimensions": outcome.dimensions,
        "comment": outcome.comment,
        "late_comment": outcome.late_comment,
        "categories": outcome.categories,
        "sentiment": outcome.sentiment.value if outcome.sentiment else None,
        "severity": outcome.severity.value if outcome.severity else None,
        "escalation_id": escalation.id if escalation else None,
        "escalation_priority": escalation.priority.value if escalation else None,
        "escalation_status": escalation.status.value if escalation else None,
    }


def outcome_rows(session: Session, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    query = (
        select(Callback)
        .order_by(Callback.id)
        .options(
            selectinload(Callback.ticket).selectinload(Ticket.customer),
            selectinload(Callback.response).selectinload(SurveyResponse.dimensions),
            selectinload(Callback.complaints).selectinload(Complaint.categories),
            selectinload(Callback.escalations),
            selectinload(Callback.campaign),
        )
    )
    last_id = 0
    while True:
        page = list(session.scalars(query.where(Callback.id > last_id).limit(batch_size)))
        if not page:
            return
        for callback in page:
            yield _row(callback)
        last_id = page[-1].id


def write_csv(rows: Iterator[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        flat = dict(row)
        flat["dimensions"] = json.dumps(row["dimensions"], ensure_ascii=False)
        flat["categories"] = "|".join(row["categories"])
        writer.writerow({k: formula_safe(v) for k, v in flat.items()})
        count += 1
    return count


def write_jsonl(rows: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Values as stored: JSON lines are read by programs, not opened as a spreadsheet."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
