"""Delivering one numbered send round of a callback exactly once (docs/contracts.md, "Sending a
callback round"): Rasa first, then one transaction that takes the round (the compare-and-set on
`delivered_round`) and stores its messages in the outbox, then delivery.

A crash before that transaction leaves the round untaken: the dispatcher's retry (or, if the
dispatcher died too, its expired lease) sends it again. A crash after it leaves the messages in
the outbox, which delivers them; the retry finds the round taken (already_sent). So a round is
never marked delivered without its messages, and its messages are never stored twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.rasa_client import RasaUnavailable
from bot.relay import Relay
from bot.transcript import Outgoing, StoredMessage, record_outbound
from huifang.callback_lifecycle import take_round
from huifang.db.models import Callback, Channel, Customer, Ticket
from huifang.db.types import utcnow
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


def round_key(callback_id: int, round_: int) -> str:
    """The outbox key of a round's messages ("round:<callback>:<round>", then ":<n>")."""
    return f"round:{callback_id}:{round_}"


def plan_round(session: Session, callback_id: int, round_: int, channels: set[Channel]
               ) -> RoundPlan | RoundOutcome:
    callback = session.scalar(
        select(Callback).where(Callback.id == callback_id).options(
            selectinload(Callback.ticket).selectinload(Ticket.customer)
            .selectinload(Customer.addresses))
    )
    if callback is None:
        return RoundOutcome(RoundStatus.NOT_FOUND)
    if callback.delivered_round >= round_:  # a re-dispatch: Rasa must not run the round again
        return RoundOutcome(RoundStatus.ALREADY_SENT)
    customer = callback.ticket.customer
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
                     callback.conversation_id)


def store_round(session: Session, plan: RoundPlan, round_: int, messages: list[Outgoing],
                delivered: bool) -> list[StoredMessage] | None:
    """One transaction: take the round and put its messages in the outbox; None if another
    caller took the round first (its messages are the ones that go out)."""
    if not take_round(session, plan.callback_id, round_, utcnow()):
        return None
    return record_outbound(session, plan.channel, plan.address, messages,
                           customer_id=plan.customer_id, callback_id=plan.callback_id,
                           delivered=delivered, key=round_key(plan.callback_id, round_))


async def send_round(relay: Relay, callback_id: int, round_: int,
                     mode: str) -> RoundOutcome:
    channels = set(relay.outlets)
    plan = await relay.db.run(lambda s: plan_round(s, callback_id, round_, channels))
    if isinstance(plan, RoundOutcome):
        return plan
    outlet = relay.outlets[plan.channel]
    async with relay.locks.hold((plan.channel, plan.address)):
        try:
            answer = await relay.rasa.trigger(plan.sender, MODE_INTENTS[mode])
        except RasaUnavailable as exc:
            log.warning("round %s of callback %s not sent: %s", round_, callback_id, exc)
            return RoundOutcome(RoundStatus.UNAVAILABLE, detail=str(exc))
        messages = outlet.prepare([Outgoing(m.text, m.buttons) for m in answer])
        stored = await relay.db.run(lambda s: store_round(s, plan, round_, messages,
                                                          outlet.delivers_on_store))
        if stored is None:
            log.info("round %s of callback %s was taken meanwhile; its replies are dropped",
                     round_, callback_id)
            return RoundOutcome(RoundStatus.ALREADY_SENT)
        delivery = await outlet.flush(plan.address)
    if delivery.unreachable:
        return RoundOutcome(RoundStatus.UNREACHABLE)
    # Messages still pending are the outbox's to deliver: the round is handed over, not lost.
    return RoundOutcome(RoundStatus.SENT, messages=len(stored))
