"""The database schema: SQLAlchemy 2.0 typed ORM models (migrations live in db/migrations)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from huifang.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        name=cls.__name__.lower(),
    )


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    WEBCHAT = "webchat"


class Locale(enum.StrEnum):
    """BCP 47 tags. Traditional is rendered in Taiwan's standard forms and wording, Hong Kong
    Traditional in Hong Kong's (huifang/script.py)."""

    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"
    TRADITIONAL_HK = "zh-Hant-HK"


class TicketStatus(enum.StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"


class CallbackKind(enum.StrEnum):
    SURVEY = "survey"
    RECOVERY = "recovery"


class CallbackStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NO_RESPONSE = "no_response"
    OPTED_OUT = "opted_out"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"
    FAILED = "failed"


FINAL_CALLBACK_STATUSES = frozenset(
    {
        CallbackStatus.COMPLETED,
        CallbackStatus.NO_RESPONSE,
        CallbackStatus.OPTED_OUT,
        CallbackStatus.UNREACHABLE,
        CallbackStatus.CANCELLED,
        CallbackStatus.FAILED,
    }
)


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"  # feedback without complaint or suggestion (praise, a factual remark)


class Sentiment(enum.StrEnum):
    NEGATIVE = "negative"
    MIXED = "mixed"  # praise and complaint together; the categories are the complaints
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class EscalationStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class DeliveryStatus(enum.StrEnum):
    """Inbound rows are `received`. Outbound rows (docs/reliability.md): `pending` → `in_flight`
    (an attempt is under way) → `sent`; back to `pending` for a retry after a failure that
    surely sent nothing; `failed` once given up; `in_doubt` when an attempt's outcome cannot be
    known (the process died mid-request, or the answer timed out): never sent again blindly;
    `withdrawn` when a pending staff alert was replaced by a more telling one before it went out."""

    RECEIVED = "received"
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SENT = "sent"
    IN_DOUBT = "in_doubt"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class Role(enum.StrEnum):
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"  # operations staff (回访专员): campaigns, uploads, do-not-contact
    ADMIN = "admin"


class CampaignKind(enum.StrEnum):
    UPLOAD = "upload"  # a file uploaded in the console
    API = "api"  # named by an intake API call
    STANDING = "standing"  # the intake's default campaign of one service type


class CampaignStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[Locale] = mapped_column(_enum(Locale), default=Locale.SIMPLIFIED)
    timezone: Mapped[str | None] = mapped_column(String(64))
    preferred_channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.WEBCHAT)
    bind_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    bind_token_expires_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    contact_flagged_at: Mapped[datetime | None]
    contact_flag_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    addresses: Mapped[list[ChannelAddress]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )
    tickets: Mapped[list[Ticket]] = relationship(back_populates="customer")
    consent_events: Mapped[list[ConsentEvent]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="ConsentEvent.id"
    )

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    def address_for(self, channel: Channel) -> str | None:
        return next((a.address for a in self.addresses if a.channel == channel), None)

    def add_address(self, channel: Channel, address: str) -> None:
        self.addresses.append(ChannelAddress(channel=channel, address=address))


class ChannelAddress(Base):
    """Where a customer is reached: a Telegram chat id or a web-chat address."""

    __tablename__ = "channel_address"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    address: Mapped[str] = mapped_column(String(128))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class WebChatLink(Base):
    """A customer's way into the web chat, like a Telegram deep link: a random token issued
    with each callback, stored only as its SHA-256, valid until `expires_at`."""

    __tablename__ = "webchat_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()
    callback: Mapped[Callback | None] = relationship()


class ConsentEvent(Base):
    """Audit trail of opt-out / opt-in decisions: who or what changed it, when, and why."""

    __tablename__ = "consent_event"
    __table_args__ = (CheckConstraint("action IN ('opt_out', 'opt_in')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="consent_events")


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(32), index=True)
    agent: Mapped[str | None] = mapped_column(String(100), index=True)
    branch: Mapped[str | None] = mapped_column(String(100), index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.CLOSED)
    closed_at: Mapped[datetime]
    reopened_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="tickets")
    callbacks: Mapped[list[Callback]] = relationship(back_populates="ticket", order_by="Callback.id")


class Callback(Base):
    """One survey per ticket (plus at most one recovery survey after an escalation)."""

    __tablename__ = "callback"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_callback_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    kind: Mapped[CallbackKind] = mapped_column(_enum(CallbackKind), default=CallbackKind.SURVEY)
    status: Mapped[CallbackStatus] = mapped_column(
        _enum(CallbackStatus), default=CallbackStatus.SCHEDULED
    )
    template: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Exactly-once delivery: every planned send (start, resume after busy_later, reminder)
    # gets the next round number; the gateway delivers a round only if delivered_round < it.
    send_round: Mapped[int] = mapped_column(Integer, default=1)
    send_mode: Mapped[str] = mapped_column(String(16), default="start")
    delivered_round: Mapped[int] = mapped_column(Integer, default=0)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    agent_at_send: Mapped[str | None] = mapped_column(String(100))
    # Every survey belongs to a campaign (huifang/campaigns.py); recovery surveys follow an
    # escalation and belong to none.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="callbacks")
    campaign: Mapped[Campaign | None] = relationship()
    response: Mapped[SurveyResponse | None] = relationship(
        back_populates="callback", uselist=False, cascade="all, delete-orphan"
    )
    complaints: Mapped[list[Complaint]] = relationship(
        back_populates="callback", cascade="all, delete-orphan", order_by="Complaint.id"
    )
    escalations: Mapped[list[Escalation]] = relationship(
        back_populates="callback", foreign_keys="Escalation.callback_id", order_by="Escalation.id"
    )

    @property
    def conversation_id(self) -> str:
        """The Rasa sender id of this callback's conversation."""
        return f"callback-{self.id}"


class SurveyResponse(Base):
    """Answers, written as they arrive; every question is optional (skippable)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        CheckConstraint("overall IS NULL OR (overall BETWEEN 1 AND 5)", name="overall_range"),
        CheckConstraint("nps IS NULL OR (nps BETWEEN 0 AND 10)", name="nps_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback.id", ondelete="CASCADE"), unique=True)
    overall: Mapped[int | None]
    solved: Mapped[bool | None] = mapped_column(Boolean)
    nps: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    late_comment: Mapped[str | None] = mapped_column(Text)
    first_answer_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    callback: Mapped[Callback] = relationship(back_populates="response")
    dimensions: Mapped[list[DimensionScore]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="DimensionScore.id"
    )


class DimensionScore(Base):
    __tablename__ = "dimension_score"
    __table_args__ = (
        UniqueConstraint("response_id", "dimension"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(32))
    score: Mapped[int]

    response: Mapped[SurveyResponse] = relationship(back_populates="dimensions")


class Complaint(Base):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(24))
    sentiment: Mapped[Sentiment | None] = mapped_column(_enum(Sentiment))
    severity: Mapped[Severity] = mapped_column(_enum(Severity), default=Severity.MEDIUM)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    callback: Mapped[Callback] = relationship(back_populates="complaints")
    categories: Mapped[list[ComplaintCategory]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="ComplaintCategory.id"
    )


class ComplaintCategory(Base):
    """One row per category of a (multi-label) complaint, so Pareto reports are plain SQL."""

    __tablename__ = "complaint_category"
    __table_args__ = (UniqueConstraint("complaint_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(24), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    chosen_by_customer: Mapped[bool] = mapped_column(Boolean, default=False)

    complaint: Mapped[Complaint] = relationship(back_populates="categories")


class SupervisorUser(Base):
    __tablename__ = "supervisor_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.SUPERVISOR)
    branches: Mapped[list[Any]] = mapped_column(default=list)
    telegram_user_id: Mapped[int | None] = mapped_column(unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    """A named set of survey callbacks that operations run, watch, pause and cancel."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[CampaignKind] = mapped_column(_enum(CampaignKind))
    status: Mapped[CampaignStatus] = mapped_column(
        _enum(CampaignStatus), default=CampaignStatus.ACTIVE)
    service_type: Mapped[str | None] = mapped_column(String(32))  # standing campaigns only
    template: Mapped[str | None] = mapped_column(String(32))  # None: by service type
    sampling_rate: Mapped[float | None] = mapped_column(Float)  # None: the policy's
    starts_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[SupervisorUser | None] = relationship()
    events: Mapped[list[CampaignEvent]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignEvent.id")


class CampaignEvent(Base):
    """Audit of everything done to a campaign: created, tickets added, paused, resumed,
    cancelled."""

    __tablename__ = "campaign_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_user.id"))
    action: Mapped[str] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="events")
    actor: Mapped[SupervisorUser | None] = relationship()


class Escalation(Base):
    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback.id"), index=True)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    priority: Mapped[Priority] = mapped_column(_enum(Priority))
    status: Mapped[EscalationStatus] = mapped_column(
        _enum(EscalationStatus), default=EscalationStatus.OPEN
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_user.id"))
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]
    overdue_alerted_at: Mapped[datetime | None]
    recovery_callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback.id"))
    root_cause: Mapped[str | None] = mapped_column(String(24))
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    callback: Mapped[Callback] = relationship(back_populates="escalations", foreign_keys=[callback_id])
    recovery_callback: Mapped[Callback | None] = relationship(foreign_keys=[recovery_callback_id])
    owner: Mapped[SupervisorUser | None] = relationship()
    events: Mapped[list[EscalationEvent]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationEvent.id"
    )


class EscalationEvent(Base):
    """Audit of everything done to an escalation: claim, note, contact, resolve, reopen."""

    __tablename__ = "escalation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_user.id"))
    action: Mapped[str] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    escalation: Mapped[Escalation] = relationship(back_populates="events")
    actor: Mapped[SupervisorUser | None] = relationship()


class Message(Base):
    """The transcript: every message in or out of any channel, recorded by the gateway; its
    outbound rows are also the outbox (bot/outbox.py)."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_channel_address_id", "channel", "address", "id"),
                      Index("ix_message_delivery_channel", "delivery", "channel"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    address: Mapped[str] = mapped_column(String(128))
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[list[Any] | None] = mapped_column()
    delivery: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    external_id: Mapped[str | None] = mapped_column(String(64))
    # Outbound only: what the producer calls this message ("round:<callback>:<round>:<n>",
    # "alert:<escalation>:<kind>:<version>:<n>", …), so storing it again changes nothing.
    outbound_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # counted tries
    throttled: Mapped[int] = mapped_column(Integer, default=0)  # 429 answers, counted apart
    next_attempt_at: Mapped[datetime | None]  # a pending row waits for this (backoff)
    last_attempt_at: Mapped[datetime | None]  # when the latest attempt started
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class AlertKind(enum.StrEnum):
    NEW = "new"
    RAISED = "raised"  # the escalation's priority went up
    NEWS = "news"  # a reason supervisors must hear of joined it (a request for a person)
    OVERDUE = "overdue"


class EscalationAlert(Base):
    """An alert supervisors are owed about an escalation, stored in the transaction that created
    the reason for it; the gateway renders it into an outbound message and delivers it
    (huifang/escalation_alerts.py). `key` makes owing it twice impossible."""

    __tablename__ = "escalation_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), unique=True)
    dropped_reason: Mapped[str | None] = mapped_column(String(100))  # nothing was sent: why
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    escalation: Mapped[Escalation] = relationship()
    message: Mapped[Message | None] = relationship()


class InboxStatus(enum.StrEnum):
    WAITING = "waiting"  # stored and acknowledged; processed (again) when due
    DONE = "done"  # relayed and its replies stored (or nothing to relay)
    FAILED = "failed"  # given up after the retry budget: operations were alerted


class InboxItem(Base):
    """A customer's message as the channel handed it over, stored BEFORE it is acknowledged
    (docs/reliability.md, "Inbound"): web chat — the page's own key for the message; Telegram —
    the update (key "update:<update_id>:<digest>"). Processed at least once, in order per
    (channel, address), by one gateway at a time (`lease_until`); storing the same key again
    changes nothing."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "message_key"),
                      Index("ix_inbox_status_channel_address_id", "status", "channel",
                            "address", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    message_key: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column()  # web chat {"text"|"button"}; a raw update
    status: Mapped[InboxStatus] = mapped_column(_enum(InboxStatus), default=InboxStatus.WAITING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed tries (Rasa down, …)
    next_attempt_at: Mapped[datetime | None]  # backoff after a failed try
    lease_until: Mapped[datetime | None]  # a gateway is processing it until then
    notified_at: Mapped[datetime | None]  # the customer was told the answer is on its way
    # the transcript's inbound row this item recorded (set once: a retry records nothing again)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class AppliedTurn(Base):
    """A customer message whose answers the actions have written (actions/conversation_state
    .py): `message_key` is the gateway's key Rasa passed on ("inbox:<id>"), `step` the write
    within that turn. Stored in the transaction of the write, so a replayed message — Rasa
    killed after the write, before it saved its tracker — records nothing twice."""

    __tablename__ = "applied_turn"
    __table_args__ = (UniqueConstraint("message_key", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(128))
    message_key: Mapped[str] = mapped_column(String(80))
    step: Mapped[str] = mapped_column(String(40))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
