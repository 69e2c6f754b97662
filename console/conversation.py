"""What the conversation view shows: the transcript with button presses, the outcome, and the
customer's earlier callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huifang.branch_scope import Scope, in_scope
from huifang.db.models import (
    Callback,
    Complaint,
    DeliveryStatus,
    Direction,
    Escalation,
    Message,
    Ticket,
)
from huifang.surveys import template_named

PROBLEMS = frozenset({DeliveryStatus.FAILED, DeliveryStatus.IN_DOUBT})


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    from_customer: bool
    text: str
    buttons: list[str]
    pressed: str | None  # the title of the button the customer pressed, if it was a press
    # an outbound message that was given up (failed) or may not have arrived (in doubt: not
    # sent again; the reminder round re-asks the open question — docs/reliability.md)
    problem: DeliveryStatus | None


def load_callback(session: Session, callback_id: int) -> Callback | None:
    return session.scalar(
        select(Callback).where(Callback.id == callback_id).options(
            selectinload(Callback.ticket).selectinload(Ticket.customer),
            selectinload(Callback.response),
            selectinload(Callback.complaints).selectinload(Complaint.categories),
            selectinload(Callback.escalations).selectinload(Escalation.events),
        )
    )


def transcript(session: Session, callback: Callback) -> list[TranscriptLine]:
    messages = session.scalars(
        select(Message).where(Message.callback_id == callback.id)
        .order_by(Message.created_at, Message.id)
    )
    lines: list[TranscriptLine] = []
    offered: dict[str, str] = {}  # payload -> title of the buttons last shown
    for message in messages:
        if message.direction == Direction.OUTBOUND:
            buttons = [b for b in message.buttons or [] if isinstance(b, dict)]
            offered = {str(b.get("payload")): str(b.get("title", "")) for b in buttons}
            lines.append(TranscriptLine(message.created_at, False, message.text or "",
                                        [str(b.get("title", "")) for b in buttons], None,
                                        message.delivery if message.delivery in PROBLEMS
                                        else None))
            continue
        payload = message.payload or (message.text if (message.text or "").startswith("/")
                                      else None)
        pressed = offered.get(payload) if payload else None
        if payload and pressed is None:
            pressed = message.text if message.text and message.text != payload else payload
        lines.append(TranscriptLine(message.created_at, True,
                                    "" if pressed else (message.text or ""), [], pressed, None))
    return lines


def dimension_labels(callback: Callback) -> dict[str, str]:
    return {d.code: d.label for d in template_named(callback.template).dimensions}


def other_callbacks(session: Session, callback: Callback, scope: Scope) -> list[Callback]:
    """The customer's other callbacks (any ticket, survey or recovery) in the viewer's branch
    scope, newest first: a customer served by two branches shows each branch only its own."""
    return list(session.scalars(
        select(Callback).join(Ticket, Callback.ticket_id == Ticket.id)
        .where(Ticket.customer_id == callback.ticket.customer_id, Callback.id != callback.id,
               in_scope(scope))
        .options(selectinload(Callback.ticket), selectinload(Callback.response),
                 selectinload(Callback.escalations))
        .order_by(Callback.created_at.desc(), Callback.id.desc())
    ))
