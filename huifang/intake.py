"""Ticket intake: one validated shape for a closed ticket, and idempotent ingestion.

Used by the CSV/Excel import, the HTTP intake API and the demo loader alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from huifang import binding_tokens, campaigns, rescheduling, webchat_links
from huifang.callback_lifecycle import planned, stop
from huifang.callback_policy import zone_of
from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    Campaign,
    Channel,
    ChannelAddress,
    Customer,
    Locale,
    Ticket,
    TicketStatus,
    WebChatLink,
)
from huifang.intake_rows import NewCustomer, insert_customers, insert_rows
from huifang.local_time import known_zone
from huifang.nul_bytes import reject_nul
from huifang.settings import Settings, get_settings

_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_PHONE = re.compile(r"^\+?\d{7,15}$")
EARLIEST_CLOSE, LATEST_CLOSE = datetime(2000, 1, 1), datetime(2100, 1, 1)
# values per IN (...) lookup: well under SQLite's and PostgreSQL's parameter limits
LOOKUP_CHUNK = 500


class TicketIn(BaseModel):
    """One closed service ticket as the ticketing system reports it."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    ticket_id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    customer_name: str | None = Field(default=None, max_length=100)
    phone: str | None = None
    channel: Channel = Channel.WEBCHAT
    address: str | None = Field(default=None, max_length=128)
    locale: Locale = Locale.SIMPLIFIED
    timezone: str | None = None
    service_type: str
    agent: str | None = Field(default=None, max_length=100)
    branch: str | None = Field(default=None, max_length=100)
    summary: str | None = Field(default=None, max_length=2000)
    closed_at: datetime

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return reject_nul(value)  # PostgreSQL cannot store it; the ticket is refused, not a 500

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        compact = re.sub(r"[\s-]", "", value)
        if not _PHONE.match(compact):
            raise ValueError("电话号码格式不正确 (phone must be 7–15 digits)")
        return compact

    @field_validator("service_type")
    @classmethod
    def _service_type(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("service_type must be a lower-case code such as auto_repair")
        return value

    @field_validator("closed_at")
    @classmethod
    def _plausible_close(cls, value: datetime) -> datetime:
        # also keeps the scheduling arithmetic away from the ends of the calendar
        if not EARLIEST_CLOSE <= value.replace(tzinfo=None) < LATEST_CLOSE:
            raise ValueError("完成时间应在 2000–2099 年之间 (closed_at must be in 2000–2099)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return known_zone(value) if value else None

    @field_validator("customer_name", "agent", "branch", "summary", "address")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    def closed_at_utc(self, settings: Settings) -> datetime:
        if self.closed_at.tzinfo is None:
            zone = ZoneInfo(self.timezone or settings.timezone)
            return self.closed_at.replace(tzinfo=zone)
        return self.closed_at


@dataclass
class IntakeResult:
    created: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    bind_tokens: dict[str, str] = field(default_factory=dict)
    # web-chat link per ticket whose customer is reached by web chat; shown only this once
    chat_links: dict[str, str] = field(default_factory=dict)


@dataclass
class _Known:
    """What the database already holds for one batch, looked up once per batch (a few
    statements, not a few per ticket)."""

    tickets: dict[str, Ticket]
    customers: dict[str, Customer]
    taken: set[tuple[Channel, str]]

    @classmethod
    def load(cls, session: Session, tickets: list[TicketIn]) -> _Known:
        ticket_ids = {t.ticket_id for t in tickets}
        customer_ids = {t.customer_id for t in tickets}
        addresses = {t.address for t in tickets if t.address}
        found_tickets = _in_chunks(session, select(Ticket).options(
            selectinload(Ticket.customer), selectinload(Ticket.callbacks)),
            Ticket.external_id, ticket_ids)
        found_customers = _in_chunks(session, select(Customer).options(
            selectinload(Customer.addresses)), Customer.external_id, customer_ids)
        found_addresses = _in_chunks(session, select(ChannelAddress), ChannelAddress.address,
                                     addresses)
        return cls({t.external_id: t for t in found_tickets},
                   {c.external_id: c for c in found_customers},
                   {(a.channel, a.address) for a in found_addresses})


def _in_chunks(session: Session, query: Select[Any], column: Any, values: set[str]
               ) -> list[Any]:
    ordered = sorted(values)
    return [row for i in range(0, len(ordered), LOOKUP_CHUNK)
            for row in session.scalars(query.where(column.in_(ordered[i:i + LOOKUP_CHUNK])))]


@dataclass
class _NewSurvey:
    """A ticket new to the database and its survey, written once its customer has an id."""

    ticket: dict[str, Any]  # columns but customer_id
    customer: Customer | NewCustomer
    callback: dict[str, Any]  # columns but ticket_id and campaign_id
    campaign: Campaign
    link: dict[str, Any] | None  # the web-chat link's columns but customer_id and callback_id


def ingest(session: Session, tickets: list[TicketIn], now: datetime,
           settings: Settings | None = None, campaign: Campaign | None = None) -> IntakeResult:
    """Store closed tickets and schedule their callbacks; a known ticket id changes nothing
    unless the ticket had been reopened, in which case closing it again starts anew.
    New surveys join `campaign`, else the standing campaign of their service type."""
    settings = settings or get_settings()
    result = IntakeResult()
    standing: dict[str, Campaign] = {}
    new_customers: dict[str, NewCustomer] = {}
    surveys: dict[str, _NewSurvey] = {}
    with session.no_autoflush:
        known = _Known.load(session, tickets)
    for item in tickets:
        existing = known.tickets.get(item.ticket_id)
        if existing is not None:
            if existing.status == TicketStatus.REOPENED:
                survey = _reclose(session, existing, item, now, settings)
                result.rescheduled.append(item.ticket_id)
                if item.channel == Channel.WEBCHAT:
                    token = webchat_links.issue(session, existing.customer, survey, now, settings)
                    result.chat_links[item.ticket_id] = webchat_links.chat_url(token, settings)
            else:
                result.already_present.append(item.ticket_id)
            continue
        if item.ticket_id in surveys:
            result.already_present.append(item.ticket_id)
            continue
        customer = _upsert_customer(known, new_customers, item, now, settings, result)
        chosen = campaign or standing.get(item.service_type)
        if chosen is None:
            chosen = standing[item.service_type] = campaigns.standing_campaign(
                session, item.service_type, now)
        surveys[item.ticket_id] = _new_survey(item, customer, chosen, now, settings, result)
        result.created.append(item.ticket_id)
    session.flush()  # known customers' changes and new campaigns first: new rows point at them
    _write(session, list(new_customers.values()), list(surveys.values()))
    return result


def _new_survey(item: TicketIn, customer: Customer | NewCustomer, campaign: Campaign,
                now: datetime, settings: Settings, result: IntakeResult) -> _NewSurvey:
    closed_at = item.closed_at_utc(settings)
    due_at = campaigns.first_send_at(campaign, item.service_type, closed_at,
                                     zone_of(customer.timezone, settings), now, settings)
    link = None
    if item.channel == Channel.WEBCHAT:
        webchat_links.ensure_address(customer)
        token, link = webchat_links.new_link(now, settings)
        result.chat_links[item.ticket_id] = webchat_links.chat_url(token, settings)
    return _NewSurvey(
        ticket={"external_id": item.ticket_id, "service_type": item.service_type,
                "agent": item.agent, "branch": item.branch, "summary": item.summary,
                "closed_at": closed_at, "status": TicketStatus.CLOSED, "created_at": now},
        customer=customer,
        callback=planned(template=campaigns.template_for(campaign, item.service_type),
                         due_at=due_at, now=now),
        campaign=campaign, link=link)


def _write(session: Session, customers: list[NewCustomer], surveys: list[_NewSurvey]) -> None:
    insert_customers(session, customers)
    ticket_ids = insert_rows(session, Ticket.__table__, [
        {**s.ticket, "customer_id": s.customer.id} for s in surveys])
    callback_ids = insert_rows(session, Callback.__table__, [
        {**s.callback, "ticket_id": ticket_id, "campaign_id": s.campaign.id}
        for s, ticket_id in zip(surveys, ticket_ids, strict=True)])
    insert_rows(session, WebChatLink.__table__, [
        {**s.link, "customer_id": s.customer.id, "callback_id": callback_id}
        for s, callback_id in zip(surveys, callback_ids, strict=True) if s.link is not None])


def _upsert_customer(known: _Known, new_customers: dict[str, NewCustomer], item: TicketIn,
                     now: datetime, settings: Settings,
                     result: IntakeResult) -> Customer | NewCustomer:
    customer = known.customers.get(item.customer_id) or new_customers.get(item.customer_id)
    if customer is None:
        customer = new_customers[item.customer_id] = NewCustomer(item.customer_id, now)
    customer.name = item.customer_name or customer.name
    customer.phone = item.phone or customer.phone
    customer.locale = item.locale
    customer.timezone = item.timezone or customer.timezone
    customer.preferred_channel = item.channel
    if (item.address and customer.address_for(item.channel) is None
            and (item.channel, item.address) not in known.taken):
        customer.add_address(item.channel, item.address)
        known.taken.add((item.channel, item.address))
    if item.channel == Channel.TELEGRAM and customer.address_for(Channel.TELEGRAM) is None:
        if customer.bind_token is None:
            customer.bind_token, customer.bind_token_expires_at = binding_tokens.new_token(
                now, settings)
        result.bind_tokens[item.ticket_id] = binding_tokens.deep_link(customer.bind_token or "",
                                                                      settings)
    return customer


def reopen_ticket(session: Session, external_id: str, now: datetime) -> Ticket | None:
    """A reopened ticket cancels its callback if it has not been sent yet (a survey under
    way is left to finish; the send rules stop any further round of it)."""
    ticket = session.scalar(select(Ticket).where(Ticket.external_id == external_id))
    if ticket is None or ticket.status == TicketStatus.REOPENED:
        return ticket
    ticket.status = TicketStatus.REOPENED
    ticket.reopened_at = now
    for callback in ticket.callbacks:
        if callback.status == CallbackStatus.SCHEDULED and callback.delivered_round == 0:
            stop(callback, CallbackStatus.CANCELLED, "ticket reopened", now)
    return ticket


def _reclose(session: Session, ticket: Ticket, item: TicketIn, now: datetime,
             settings: Settings) -> Callback | None:
    """Closed again after a reopen: a survey the reopen cancelled starts anew."""
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = item.closed_at_utc(settings)
    ticket.agent = item.agent or ticket.agent
    survey = next((c for c in ticket.callbacks if c.kind == CallbackKind.SURVEY), None)
    if survey is not None and survey.status == CallbackStatus.CANCELLED:
        rescheduling.restart(survey, ticket, now, settings)
    return survey
