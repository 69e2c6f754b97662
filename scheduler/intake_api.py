"""The intake HTTP API: closed tickets in, reopen events, campaign status out.

Thin routes over huifang.intake and scheduler.campaign_status. Every /api route needs the
`X-API-Key` header to match one of settings.intake_api_keys; the OpenAPI schema is served at
/openapi.json and browsable at /docs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from huifang import campaigns
from huifang.web import validation_errors
from huifang.web.body_limit import BodySizeLimit
from huifang.constant_time import matches_any
from huifang.db import session_scope
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest, reopen_ticket
from huifang.nul_bytes import NulGuard
from huifang.settings import Settings
from scheduler.campaign_status import CampaignFilter, campaign_status

MAX_BATCH = 5000
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False)

Clock = Callable[[], datetime]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


TicketBatch = Annotated[
    list[TicketIn],
    Field(min_length=1, max_length=MAX_BATCH),
    BeforeValidator(_one_or_many, json_schema_input_type=TicketIn | list[TicketIn]),
]


class IntakeResponse(BaseModel):
    created: list[str]
    already_present: list[str]
    rescheduled: list[str] = Field(description="reopened tickets closed again: survey restarts")
    bind_links: dict[str, str] = Field(
        description="Telegram deep link per new Telegram ticket, to print on the receipt/SMS")
    chat_links: dict[str, str] = Field(
        default_factory=dict,
        description="Web-chat link per new web-chat ticket, to send to the customer; it is "
                    "the customer's credential, returned only in this answer")


class CallbackState(BaseModel):
    id: int
    status: str
    status_reason: str | None


class ReopenResponse(BaseModel):
    ticket_id: str
    status: str
    callbacks: list[CallbackState]


class DueSlotOut(BaseModel):
    due_at: datetime
    count: int


class CampaignStatusOut(BaseModel):
    total: int
    by_status: dict[str, int]
    due_now: int
    sent: int
    answered: int
    reminders_sent: int
    response_rate: float | None = Field(description="answered / sent, in %")
    next_due: list[DueSlotOut]


def create_app(settings: Settings, sessions: sessionmaker[Session], clock: Clock = utcnow,
               lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
               ) -> FastAPI:
    app = FastAPI(title="Huifang intake API", version="1",
                  description="Closed tickets in (idempotent on ticket_id), reopen events, "
                              "campaign status.", lifespan=lifespan)
    app.add_middleware(BodySizeLimit, limits=[("/api/tickets", settings.intake_max_body_bytes)],
                       default=settings.max_body_bytes)
    app.add_middleware(NulGuard)
    validation_errors.install(app)
    keys = [k.get_secret_value() for k in settings.intake_api_keys]

    def require_key(given: Annotated[str | None, Security(API_KEY_HEADER)]) -> None:
        if not matches_any(given, keys):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong X-API-Key")

    guarded = [Depends(require_key)]

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/tickets", response_model=IntakeResponse, dependencies=guarded,
              summary="Report closed tickets (one object or a list)")
    def post_tickets(tickets: Annotated[TicketBatch, Body()],
                     campaign: Annotated[str | None, Query(
                         max_length=campaigns.MAX_NAME,
                         description="campaign of the new surveys (created on first use); "
                                     "default: the standing campaign of each service type")
                     ] = None) -> IntakeResponse:
        """Store the tickets and schedule their callbacks. A ticket id seen before changes
        nothing, unless the ticket had been reopened: then its survey starts anew."""
        for attempt in (1, 2):
            try:
                with session_scope(sessions) as session:
                    named = (campaigns.named_campaign(session, campaign, clock())
                             if campaign is not None else None)
                    result = ingest(session, tickets, clock(), settings, campaign=named)
                break
            except campaigns.CampaignError as exc:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
            except IntegrityError:
                # The same new ticket arrived concurrently; the retry finds it present.
                if attempt == 2:
                    raise
        return IntakeResponse(created=result.created, already_present=result.already_present,
                              rescheduled=result.rescheduled, bind_links=result.bind_tokens,
                              chat_links=result.chat_links)

    @app.post("/api/tickets/{ticket_id}/reopen", response_model=ReopenResponse,
              dependencies=guarded, responses={404: {"description": "unknown ticket"}},
              summary="Report that a ticket was reopened")
    def reopen(ticket_id: str) -> ReopenResponse:
        """A reopened ticket cancels its callback if not sent yet; closing it again (POST
        /api/tickets with the same ticket_id) starts the survey anew."""
        with session_scope(sessions) as session:
            ticket = reopen_ticket(session, ticket_id, clock())
            if ticket is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown ticket {ticket_id}")
            return ReopenResponse(
                ticket_id=ticket.external_id, status=ticket.status.value,
                callbacks=[CallbackState(id=c.id, status=c.status.value,
                                         status_reason=c.status_reason)
                           for c in ticket.callbacks])

    @app.get("/api/campaign/status", response_model=CampaignStatusOut, dependencies=guarded,
             summary="Callbacks per state, response rate, next due times")
    def get_campaign_status(service_type: Annotated[str | None, Query()] = None,
                            branch: Annotated[str | None, Query()] = None) -> dict[str, Any]:
        with session_scope(sessions) as session:
            return campaign_status(session, clock(),
                                   CampaignFilter(service_type, branch)).as_json()

    return app
