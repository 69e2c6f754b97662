"""Posting to the supervisors' Telegram chat (alerts, digests) through the outbox: every post is
stored before it is sent and delivered at least once, never blindly twice (docs/reliability.md).

Alerts are owed in the database (huifang.escalation_alerts); `queue_alerts` turns the waiting
ones into messages of the chat — the outbox loop does it on every pass, the internal API at once
for the escalation an action just created or raised."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.supervisor_alerts import alert_message
from bot.transcript import Outgoing, record_outbound
from huifang import escalation_alerts
from huifang.db.models import (
    AlertKind,
    Channel,
    DeliveryStatus,
    Escalation,
    EscalationAlert,
    Message,
)
from huifang.db.types import utcnow
from huifang.settings import Settings

if TYPE_CHECKING:
    from bot.gateway import Gateway

RESOLVED_FIRST = "resolved before it was sent"


class PostStatus(enum.StrEnum):
    SENT = "sent"
    QUEUED = "queued"  # stored; the outbox delivers it once Telegram accepts it
    SKIPPED = "skipped"  # no Telegram or no supervisors' chat configured, or nothing to say
    UNDELIVERABLE = "undeliverable"  # given up, or in doubt: the console lists it
    NOT_FOUND = "not_found"


def _chat(gateway: Gateway) -> str | None:
    chat = gateway.settings.telegram_supervisors_chat_id
    if chat is None or Channel.TELEGRAM not in gateway.outlets:
        return None
    return str(chat)


async def post(gateway: Gateway, messages: list[Outgoing], key: str | None = None
               ) -> PostStatus:
    """Store and send; with a `key` ("digest:2026-11-23") a second post of it changes nothing."""
    chat = _chat(gateway)
    if chat is None:
        return PostStatus.SKIPPED
    async with gateway.relay.locks.hold((Channel.TELEGRAM, chat)):
        stored, _ = await gateway.relay.send(Channel.TELEGRAM, chat, messages,
                                                    customer_id=None, callback_id=None, key=key)
    return _status(await gateway.db.run(lambda s: _states(s, [m.id for m in stored])))


# Of several alerts waiting for one escalation only the most telling goes out: an overdue
# alert says everything, a first alert shows the priority as it is now. An alert already a
# message but held back by Telegram still waits: a more telling one withdraws it.
PRECEDENCE = (AlertKind.OVERDUE, AlertKind.NEW, AlertKind.RAISED, AlertKind.NEWS)


def _superseded(kind: AlertKind) -> str:
    return f"superseded by the {kind.value} alert"


def _withdraw_held_back(session: Session, alert: EscalationAlert) -> None:
    less_telling = PRECEDENCE[PRECEDENCE.index(alert.kind) + 1:]
    held = escalation_alerts.held_back(session, alert.escalation_id, less_telling)
    withdrawn = set(outbox.withdraw(session, [a.message_id for a in held if a.message_id],
                                    _superseded(alert.kind)))
    for other in held:
        if other.message_id in withdrawn:
            other.dropped_reason = _superseded(alert.kind)


def render_alerts(session: Session, settings: Settings,
                  prepare: Callable[[list[Outgoing]], list[Outgoing]], chat: str, now: datetime,
                  escalation_id: int | None) -> int:
    """Turn waiting alerts into outbound messages of the chat, in one transaction."""
    by_escalation: dict[int, list[EscalationAlert]] = {}
    for waiting in escalation_alerts.waiting(session, escalation_id):
        by_escalation.setdefault(waiting.escalation_id, []).append(waiting)
    rendered = 0
    for alerts in by_escalation.values():
        alert = min(alerts, key=lambda a: PRECEDENCE.index(a.kind))
        for other in alerts:
            if other is not alert:
                other.dropped_reason = _superseded(alert.kind)
        message = alert_message(session, settings, alert.escalation_id, now, alert.kind)
        if message is None:
            alert.dropped_reason = RESOLVED_FIRST
            continue
        stored = record_outbound(session, Channel.TELEGRAM, chat, prepare([message]),
                                 customer_id=None, callback_id=None, delivered=False,
                                 key=alert.key)
        alert.message_id = stored[0].id
        _withdraw_held_back(session, alert)
        rendered += 1
    return rendered


async def queue_alerts(gateway: Gateway, escalation_id: int | None = None) -> int:
    """Turn the waiting alerts (of one escalation, or all) into messages of the chat."""
    chat = _chat(gateway)
    if chat is None:
        return 0
    outlet = gateway.outlets[Channel.TELEGRAM]
    now = utcnow()
    return await gateway.db.run(lambda s: render_alerts(s, gateway.settings, outlet.prepare,
                                                        chat, now, escalation_id))


def _states(session: Session, message_ids: list[int]) -> list[DeliveryStatus]:
    return list(session.scalars(select(Message.delivery).where(Message.id.in_(message_ids))))


def _alert_states(session: Session, escalation_id: int) -> list[DeliveryStatus] | None:
    if session.get(Escalation, escalation_id) is None:
        return None
    return list(session.scalars(
        select(Message.delivery).join(EscalationAlert, EscalationAlert.message_id == Message.id)
        .where(EscalationAlert.escalation_id == escalation_id)))


def _status(states: list[DeliveryStatus]) -> PostStatus:
    if not states:
        return PostStatus.SKIPPED
    if any(s in (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT) for s in states):
        return PostStatus.QUEUED
    if any(s in escalation_alerts.UNDELIVERABLE for s in states):
        return PostStatus.UNDELIVERABLE
    return PostStatus.SENT


async def alert(gateway: Gateway, escalation_id: int) -> PostStatus:
    """Deliver what is owed about this escalation now (the outbox would, a moment later)."""
    chat = _chat(gateway)
    if chat is not None:
        await queue_alerts(gateway, escalation_id)
        await gateway.outlets[Channel.TELEGRAM].flush(chat)
    states = await gateway.db.run(lambda s: _alert_states(s, escalation_id))
    if states is None:
        return PostStatus.NOT_FOUND
    return _status(states) if chat is not None else PostStatus.SKIPPED
