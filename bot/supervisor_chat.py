"""Posting to the supervisors' Telegram chat (alerts, digests) through the transcript/outbox, so
a post that fails now is retried rather than lost."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from bot.supervisor_alerts import alert_message, mark_alerted
from bot.transcript import Outgoing
from huifang.db.models import Channel
from huifang.db.types import utcnow

if TYPE_CHECKING:
    from bot.gateway import Gateway


class PostStatus(enum.StrEnum):
    SENT = "sent"
    QUEUED = "queued"  # stored; the outbox delivers it once Telegram accepts it
    SKIPPED = "skipped"  # no Telegram or no supervisors' chat configured, or nothing to say
    NOT_FOUND = "not_found"
    UNREACHABLE = "unreachable"  # the bot was removed from the supervisors' chat


async def post(gateway: Gateway, messages: list[Outgoing]) -> PostStatus:
    chat = gateway.settings.telegram_supervisors_chat_id
    if chat is None or Channel.TELEGRAM not in gateway.outlets:
        return PostStatus.SKIPPED
    address = str(chat)
    async with gateway.relay.locks.hold((Channel.TELEGRAM, address)):
        _, delivery = await gateway.relay.send(Channel.TELEGRAM, address, messages,
                                               customer_id=None, callback_id=None)
    if delivery.unreachable:
        return PostStatus.UNREACHABLE
    return PostStatus.QUEUED if delivery.pending else PostStatus.SENT


async def alert(gateway: Gateway, escalation_id: int) -> PostStatus:
    now = utcnow()
    try:
        message = await gateway.db.run(
            lambda s: alert_message(s, gateway.settings, escalation_id, now))
    except LookupError:
        return PostStatus.NOT_FOUND
    if message is None:  # resolved meanwhile
        return PostStatus.SKIPPED
    status = await post(gateway, [message])
    if status in (PostStatus.SENT, PostStatus.QUEUED):
        await gateway.db.run(lambda s: mark_alerted(s, escalation_id, now))
    return status
