"""Delivering one numbered send round of a callback, exactly once (docs/contracts.md, "Sending a
callback round"): compare-and-set `delivered_round`, `trigger_intent`, deliver, and on a
temporary failure before anything was delivered give the round back for a retry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session, selectinload

from bot.rasa_client import RasaUnavailable
from bot.relay import Relay
from bot.transcript import Outgoing
from huifang.db.models import Callback, Channel, Customer, Ticket
from huifang.db.types import UTCDateTime, utcnow
from huifang.gateway_contract import RoundOutcome, RoundStatus

log = logging.getLogger(__name__)

MODE_INTENTS = {
    "start": "EXTERNAL_start_callback",
    "resume": "EXTERNAL_resume_callback",
    "remind": "EXTERNAL_reminder",
}


@dataclass(frozen=True)
class RoundPlan:
    callback_id: int
    customer_id: int
    channel: Channel
    address: str
    sender: str
    previous_sent_at: datetime | None


def plan_round(session: Session, callback_id: int, channels: set[Channel]
               ) -> RoundPlan | RoundOutcome:
    callback = session.scalar(
        select(Callback).where(Callback.id == callback_id).options(
            selectinload(Callback.ticket).selectinload(Ticket.customer)
            .selectinload(Customer.addresses))
    )
    if callback is None:
        return RoundOutcome(RoundStatus.NOT_FOUND)
    ticket, customer = callback.ticket, callback.ticket.customer
    if customer.unreachable_at is not None:
        return RoundOutcome(RoundStatus.UNREACHABLE)
    if customer.opted_out:
        return RoundOutcome(RoundStatus.OPTED_OUT)
    preferred = sorted(customer.addresses, key=lambda a: a.channel != customer.preferred_channel)
    if not preferred:
        return RoundOutcome(RoundStatus.NO_ADDRESS)
    usable = next((a for a in preferred if a.channel in channels), None)
    if usable is None:
        return RoundOutcome(RoundStatus.UNAVAILABLE,
                            detail=f"channel {preferred[0].channel.value} is not configured")
    # No entities: the actions read the callback's facts from the database by the sender id.
    return RoundPlan(callback.id, customer.id, usable.channel, usable.address,
                     callback.conversation_id, callback.sent_at)


def claim_round(session: Session, callback_id: int, round_: int, now: datetime) -> bool:
    """The compare-and-set: only one caller ever gets a given round."""
    changed = session.execute(
        update(Callback)
        .where(Callback.id == callback_id, Callback.delivered_round < round_)
        .values(delivered_round=round_,
                sent_at=func.coalesce(Callback.sent_at, literal(now, UTCDateTime())))
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


def release_round(session: Session, callback_id: int, round_: int,
                  previous_sent_at: datetime | None) -> None:
    """Nothing was delivered: give the round back so the scheduler can retry it."""
    session.execute(
        update(Callback)
        .where(Callback.id == callback_id, Callback.delivered_round == round_)
        .values(delivered_round=round_ - 1, sent_at=previous_sent_at)
        .execution_options(synchronize_session=False)
    )


async def send_round(relay: Relay, callback_id: int, round_: int,
                     mode: str) -> RoundOutcome:
    channels = set(relay.outlets)
    plan = await relay.db.run(lambda s: plan_round(s, callback_id, channels))
    if isinstance(plan, RoundOutcome):
        return plan
    async with relay.locks.hold((plan.channel, plan.address)):
        if not await relay.db.run(lambda s: claim_round(s, callback_id, round_, utcnow())):
            return RoundOutcome(RoundStatus.ALREADY_SENT)
        try:
            answer = await relay.rasa.trigger(plan.sender, MODE_INTENTS[mode])
        except RasaUnavailable as exc:
            await relay.db.run(
                lambda s: release_round(s, callback_id, round_, plan.previous_sent_at))
            log.warning("round %s of callback %s not sent: %s", round_, callback_id, exc)
            return RoundOutcome(RoundStatus.UNAVAILABLE, detail=str(exc))
        stored, delivery = await relay.send(
            plan.channel, plan.address, [Outgoing(m.text, m.buttons) for m in answer],
            customer_id=plan.customer_id, callback_id=callback_id)
    if delivery.unreachable:
        return RoundOutcome(RoundStatus.UNREACHABLE)
    # Messages still pending are the outbox's to deliver: the round is handed over, not lost.
    return RoundOutcome(RoundStatus.SENT, messages=len(stored))
