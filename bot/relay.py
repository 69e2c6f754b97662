"""A customer's message → the right Rasa conversation → the replies, stored and delivered.

The inbox worker (a web-chat message) and the Telegram handlers (an update from the inbox) call
`customer_turn`; everything the channels say themselves goes through `gateway_reply`, so the
transcript holds every message."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot import inbox
from bot.chat_locks import ChatLocks
from bot.conversation_routing import (
    ConversationTarget,
    conversation_for,
    conversation_of,
    customer_at,
)
from bot.database import Database
from bot.inbox_worker import current_attempt
from bot.outlets import FlushResult, Outlet
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.texts import PROCESSING, localized
from bot.transcript import (
    NOTICE_KEY,
    Outgoing,
    StoredMessage,
    already_received,
    open_button,
    record_inbound,
    record_outbound,
)
from huifang.db.models import Channel, Message
from huifang.db.types import utcnow
from huifang.nul_bytes import without_nul
from huifang.script import script_of

log = logging.getLogger(__name__)


class TurnStatus(enum.StrEnum):
    ANSWERED = "answered"
    UNKNOWN_ADDRESS = "unknown_address"
    DUPLICATE = "duplicate"
    STALE_BUTTON = "stale_button"  # not a button of the question now open: nothing was done
    RASA_UNAVAILABLE = "rasa_unavailable"


@dataclass(frozen=True)
class TurnResult:
    status: TurnStatus
    replies: list[StoredMessage] = field(default_factory=list)
    delivery: FlushResult = FlushResult()


class Relay:
    def __init__(self, db: Database, rasa: RasaClient, outlets: dict[Channel, Outlet]) -> None:
        self.db = db
        self.rasa = rasa
        self.outlets = outlets
        self.locks = ChatLocks()

    async def customer_turn(self, channel: Channel, address: str, *, text: str | None = None,
                            button: str | None = None, external_id: str | None = None,
                            on_accepted: Callable[[], Awaitable[None]] | None = None
                            ) -> TurnResult:
        """Relay typed `text` to Rasa as text, or a pressed `button` (its opaque id) as the
        payload we offered — only if it belongs to the question now open. Runs for the inbox
        message being processed (bot/inbox_worker.py), whose key goes to Rasa with it and keys
        the stored replies, so a message processed again neither records nor sends anything
        twice. If Rasa does not answer, the message is to be tried again and the customer is
        told once (per outage) that the answer is on its way (docs/reliability.md)."""
        attempt = current_attempt()
        item = attempt.item
        text, button = without_nul(text), without_nul(button)  # PostgreSQL stores no NUL
        async with self.locks.hold((channel, address)):
            start = await self.db.run(
                lambda s: _begin_turn(s, channel, address, text, button, external_id, item.id))
            if isinstance(start, TurnStatus):
                return TurnResult(start)
            target, said, payload = start
            if on_accepted is not None:
                await on_accepted()
            try:
                answer = await (
                    self.rasa.press(target.sender, payload, item.rasa_key, item.first_try)
                    if payload else
                    self.rasa.say(target.sender, said, item.rasa_key, item.first_try))
            except RasaUnavailable as exc:
                log.warning("Rasa unavailable for %s: %s", target.sender, exc)
                attempt.retry = f"Rasa: {exc}"
                stored, delivery = await self._tell_processing(channel, address, target, said,
                                                               item.id)
                return TurnResult(TurnStatus.RASA_UNAVAILABLE, stored, delivery)
            stored, delivery = await self.send(
                channel, address, [Outgoing(m.text, m.buttons) for m in answer],
                customer_id=target.customer_id, callback_id=target.callback_id,
                key=f"reply:{item.id}")
            attempt.replies = stored
            return TurnResult(TurnStatus.ANSWERED, stored, delivery)

    async def _tell_processing(self, channel: Channel, address: str,
                               target: ConversationTarget, said: str, item_id: int
                               ) -> tuple[list[StoredMessage], FlushResult]:
        """Once per outage per chat: the message is kept and will be answered."""
        def first_time(session: Session) -> bool:
            if inbox.notified(session, channel, address):
                return False
            inbox.mark_notified(session, item_id, utcnow())
            return True

        if not await self.db.run(first_time):
            return [], FlushResult()
        notice = localized(PROCESSING, script_of(said, target.locale))
        return await self.send(channel, address, [Outgoing(notice, [])],
                               customer_id=target.customer_id, callback_id=target.callback_id,
                               key=f"{NOTICE_KEY}:{item_id}")

    async def gateway_reply(self, channel: Channel, address: str, *, inbound: str | None,
                            reply: str, customer_id: int | None = None,
                            external_id: str | None = None) -> TurnResult:
        """Record what the customer sent and answer it without Rasa (binding, stickers …)."""
        inbound = without_nul(inbound)
        async with self.locks.hold((channel, address)):
            def record(session: Session) -> bool:
                if external_id and already_received(session, channel, address, external_id):
                    return False
                record_inbound(session, channel, address, customer_id=customer_id,
                               callback_id=None, text=inbound, external_id=external_id)
                return True

            if not await self.db.run(record):
                return TurnResult(TurnStatus.DUPLICATE)
            stored, delivery = await self.send(channel, address, [Outgoing(reply, [])],
                                               customer_id=customer_id, callback_id=None)
            return TurnResult(TurnStatus.ANSWERED, stored, delivery)

    async def send(self, channel: Channel, address: str, messages: list[Outgoing], *,
                   customer_id: int | None, callback_id: int | None, key: str | None = None
                   ) -> tuple[list[StoredMessage], FlushResult]:
        """Store outgoing messages and deliver them (the outbox: at least once, never blindly
        twice). With a `key` storing them again returns the rows stored before (bot/transcript
        .record_outbound). Callers hold the chat's lock."""
        outlet = self.outlets[channel]
        prepared = outlet.prepare(messages)
        stored = await self.db.run(lambda s: record_outbound(
            s, channel, address, prepared, customer_id=customer_id, callback_id=callback_id,
            delivered=outlet.delivers_on_store, key=key))
        return stored, await outlet.flush(address)


def _begin_turn(session: Session, channel: Channel, address: str, text: str | None,
                button: str | None, external_id: str | None, item_id: int
                ) -> tuple[ConversationTarget, str, str | None] | TurnStatus:
    """Record the customer's message once (a pressed button as its title and payload) and
    link it to its inbox row; a retry finds it recorded and relays what was recorded."""
    customer = customer_at(session, channel, address)
    if customer is None:
        return TurnStatus.UNKNOWN_ADDRESS
    recorded_id = inbox.recorded_message(session, item_id)
    if recorded_id is not None:
        recorded = session.get_one(Message, recorded_id)
        return (conversation_of(session, customer, recorded.callback_id), recorded.text or "",
                recorded.payload)
    if external_id and already_received(session, channel, address, external_id):
        return TurnStatus.DUPLICATE
    payload = None
    if button is not None:
        pressed = open_button(session, channel, address, button)
        if pressed is None:
            return TurnStatus.STALE_BUTTON
        text, payload = pressed["title"], pressed["payload"]
    target = conversation_for(session, customer)
    stored = record_inbound(session, channel, address, customer_id=customer.id,
                            callback_id=target.callback_id, text=text, payload=payload,
                            external_id=external_id)
    inbox.link_message(session, item_id, stored.id)
    return target, text or "", payload
