"""Customer messages in: stored in the inbox before the channel is answered, then processed by
the inbox worker (docs/reliability.md, "Inbound"). A web-chat message is a turn of the relay; a
Telegram update goes through python-telegram-bot's handlers, which call the relay."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from telegram import Update

from bot import inbox
from bot.inbox import Inbound
from bot.inbox_worker import current_attempt
from huifang.db.models import Channel
from huifang.db.types import utcnow

if TYPE_CHECKING:
    from bot.gateway import Gateway


def update_key(update_id: int, body: dict[str, object]) -> str:
    """Telegram sends an update again with the same id and content; ids alone are reused (after
    a week without updates they restart at random), so the content is part of the key."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True,
                                       default=str).encode()).hexdigest()[:20]
    return f"update:{update_id}:{digest}"


def update_address(update: Update) -> str:
    """The chat an update belongs to (its messages are processed in order)."""
    if update.effective_chat is not None:
        return str(update.effective_chat.id)
    user = update.effective_user
    return f"user:{user.id}" if user is not None else "none"


async def store_updates(gateway: Gateway, updates: list[Update]) -> None:
    """Store Telegram updates (a replayed one is stored once); raises if the database failed —
    then the update must not be acknowledged."""
    bodies = [u.to_dict() for u in updates]
    rows = [(update_key(u.update_id, body), update_address(u), body)
            for u, body in zip(updates, bodies, strict=True)]

    def store(session: Session) -> None:
        now = utcnow()
        for key, address, body in rows:
            inbox.store(session, Channel.TELEGRAM, key, address, body, now)

    await gateway.db.run(store)
    for address in dict.fromkeys(address for _, address, _ in rows):
        gateway.inbox.kick((Channel.TELEGRAM, address))


async def process(gateway: Gateway, item: Inbound) -> None:
    """The inbox worker's work for one message; it is tried again if the relay says so
    (Rasa did not answer) or something here raised."""
    if item.channel == Channel.WEBCHAT:
        await gateway.relay.customer_turn(Channel.WEBCHAT, item.address,
                                          text=item.body.get("text"),
                                          button=item.body.get("button"))
        return
    application = gateway.telegram
    if application is None:
        current_attempt().retry = "Telegram is not running"
        return
    update = Update.de_json(item.body, application.bot)
    if update is not None:
        await application.process_update(update)
