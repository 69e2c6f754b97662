"""What a callback's conversation starts from — its survey template, the customer's script,
the ticket — read from the database by the callback's id, which the actions take from the Rasa
sender id only, never from anything that arrives with a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from huifang.callback_policy import customer_zone
from huifang.settings import Settings
from huifang.survey_answers import load_callback


@dataclass(frozen=True)
class CallbackFacts:
    template: str
    script: str  # the customer's Locale value
    ticket_id: str
    closed_on: date  # in the customer's time zone


def facts_of(session: Session, callback_id: int, settings: Settings) -> CallbackFacts | None:
    callback = load_callback(session, callback_id)
    if callback is None:
        return None
    ticket = callback.ticket
    return CallbackFacts(callback.template, ticket.customer.locale.value, ticket.external_id,
                         ticket.closed_at.astimezone(customer_zone(ticket, settings)).date())
