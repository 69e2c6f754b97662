"""May we send this callback round now? The one place that answers, rule by rule.

Checked by the dispatcher right before it hands a claimed round to the gateway, because a
lot can change between scheduling and sending: the ticket reopened, the customer opted out,
another survey reached the customer first, the clock left the contact window.
A rule either lets the round pass, stops the callback for good (with a recorded reason), or
moves it to a later time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from huifang import campaigns
from huifang.callback_policy import Policy, PolicyBook, customer_zone, is_sampled
from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    CampaignStatus,
    Ticket,
    TicketStatus,
)
from huifang.callback_lifecycle import SendMode
from huifang.settings import Settings


class Verdict(enum.StrEnum):
    SEND = "send"
    LATER = "later"
    STOP = "stop"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str | None = None
    status: CallbackStatus | None = None  # the final status when the verdict is STOP
    due_at: datetime | None = None  # the new time when the verdict is LATER


SEND = Decision(Verdict.SEND)


def _stop(status: CallbackStatus, reason: str) -> Decision:
    return Decision(Verdict.STOP, reason, status=status)


Rule = Callable[[Session, Callback, Policy, datetime], Decision | None]


class SendRules:
    def __init__(self, settings: Settings, book: PolicyBook | None = None) -> None:
        self.settings = settings
        self.book = book or PolicyBook.load(settings)
        self.rules: tuple[Rule, ...] = (
            self.campaign_running,
            self.ticket_still_closed,
            self.customer_reachable,
            self.contact_data_trusted,
            self.sampled,
            self.cooled_down,
            self.attempts_left,
            self.inside_contact_window,
        )

    def decide(self, session: Session, callback: Callback, now: datetime) -> Decision:
        policy = self.book.for_service(callback.ticket.service_type)
        for rule in self.rules:
            decision = rule(session, callback, policy, now)
            if decision is not None:
                return decision
        return SEND

    @staticmethod
    def _opens_survey(callback: Callback) -> bool:
        """Sampling and cool-down decide whether a customer is surveyed at all; they do not
        interrupt a conversation already under way, nor a recovery survey after a complaint."""
        return callback.kind == CallbackKind.SURVEY and callback.send_mode == SendMode.START

    def campaign_running(self, session: Session, callback: Callback, policy: Policy,
                         now: datetime) -> Decision | None:
        """A survey claimed just before its campaign was paused waits (the claim skips it
        until the campaign is resumed); one of a cancelled campaign stops."""
        campaign = callback.campaign
        if not self._opens_survey(callback) or not campaigns.holds_new_surveys(campaign):
            return None
        assert campaign is not None
        if campaign.status == CampaignStatus.CANCELLED:
            return _stop(CallbackStatus.CANCELLED, campaigns.CANCELLED_REASON)
        return Decision(Verdict.LATER, "campaign paused", due_at=callback.due_at)

    def ticket_still_closed(self, session: Session, callback: Callback, policy: Policy,
                            now: datetime) -> Decision | None:
        if callback.ticket.status != TicketStatus.CLOSED:
            return _stop(CallbackStatus.CANCELLED, "ticket reopened")
        return None

    def customer_reachable(self, session: Session, callback: Callback, policy: Policy,
                           now: datetime) -> Decision | None:
        customer = callback.ticket.customer
        if customer.unreachable_at is not None:
            return _stop(CallbackStatus.UNREACHABLE, "customer unreachable (blocked the bot)")
        if customer.opted_out_at is not None:
            return _stop(CallbackStatus.OPTED_OUT, "customer opted out")
        return None

    def contact_data_trusted(self, session: Session, callback: Callback, policy: Policy,
                             now: datetime) -> Decision | None:
        customer = callback.ticket.customer
        if customer.contact_flagged_at is not None and self._opens_survey(callback):
            return _stop(CallbackStatus.CANCELLED,
                         f"contact data flagged: {customer.contact_flag_reason or 'unknown'}")
        return None

    def sampled(self, session: Session, callback: Callback, policy: Policy,
                now: datetime) -> Decision | None:
        rate = campaigns.sampling_rate(callback.campaign, policy.sampling_rate)
        if self._opens_survey(callback) and not is_sampled(callback.ticket.external_id, rate):
            return _stop(CallbackStatus.CANCELLED, f"not sampled (sampling rate {rate:g})")
        return None

    def cooled_down(self, session: Session, callback: Callback, policy: Policy,
                    now: datetime) -> Decision | None:
        """One survey per customer per cool-down. Of two surveys due together, the one with
        the lower id goes and the other stops, even when two dispatchers hold them at once."""
        if not self._opens_survey(callback) or policy.cooldown_days <= 0:
            return None
        other, other_ticket = aliased(Callback), aliased(Ticket)
        recent = session.scalar(
            select(exists().where(
                other.ticket_id == other_ticket.id,
                other_ticket.customer_id == callback.ticket.customer_id,
                other.id != callback.id,
                other.kind == CallbackKind.SURVEY,
                or_(
                    other.sent_at >= now - timedelta(days=policy.cooldown_days),
                    (other.status == CallbackStatus.SENDING) & (other.id < callback.id),
                ),
            ))
        )
        if recent:
            return _stop(CallbackStatus.CANCELLED,
                         f"cool-down: customer surveyed within {policy.cooldown_days} days")
        return None

    def attempts_left(self, session: Session, callback: Callback, policy: Policy,
                      now: datetime) -> Decision | None:
        if callback.attempts > self.settings.max_send_attempts:
            return _stop(CallbackStatus.FAILED,
                         f"gave up after {self.settings.max_send_attempts} attempts: "
                         f"{callback.last_error or 'no answer from the gateway'}")
        return None

    def inside_contact_window(self, session: Session, callback: Callback, policy: Policy,
                              now: datetime) -> Decision | None:
        zone = customer_zone(callback.ticket, self.settings)
        if not policy.window.contains(now, zone):
            return Decision(Verdict.LATER, "outside the contact window",
                            due_at=policy.window.next_opening(now, zone))
        return None
