"""The gateway's running parts, started and stopped with the web app: database, Rasa client,
relay with its channels, the inbox worker that relays customers' stored messages, and — when a
token is configured — the Telegram application (polling or webhook, both storing updates in the
inbox) with its outbox loop, which also turns alerts owed to supervisors into messages.
At start-up, attempts a previous process left in flight are settled as in doubt before
anything is sent (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.ext import Application

from bot import inbound, supervisor_chat, telegram_polling
from bot.database import Database
from bot.inbox import InboxPolicy
from bot.inbox_worker import InboxWorker
from bot.outbox import RetryPolicy
from bot.outlets import Outlet, WebChatOutlet
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.telegram_app import build_application
from bot.telegram_delivery import ChatPacer, TelegramOutlet, run_outbox, sweep_in_flight
from huifang.db.models import Channel
from huifang.settings import Settings
from huifang.web.rate_limits import RequestRate

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
STOP_GRACE_SECONDS = 15.0  # for the message in flight to get its answer


class Gateway:
    def __init__(self, settings: Settings, *, outbox_interval: float = 2.0,
                 pacer: ChatPacer | None = None, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.rasa = RasaClient(settings.rasa_servers, settings.rasa_token.get_secret_value(),
                               settings.rasa_timeout_seconds)
        self.outlets: dict[Channel, Outlet] = {Channel.WEBCHAT: WebChatOutlet()}
        self.relay = Relay(self.db, self.rasa, self.outlets)
        self.inbox = InboxWorker(self.db, lambda item: inbound.process(self, item),
                                 InboxPolicy.of(settings), settings.inbox_poll_seconds)
        self.chat_rate = RequestRate(settings.webchat_requests_per_minute,
                                     settings.webchat_requests_per_minute_per_client)
        self.telegram: Application | None = None
        self.telegram_outlet: TelegramOutlet | None = None
        self._outbox_interval = outbox_interval
        self._pacer = pacer
        self._retry = retry
        self._outbox: asyncio.Task[None] | None = None
        self._inbox: asyncio.Task[None] | None = None
        self._polling: asyncio.Task[None] | None = None

    @property
    def webhook_mode(self) -> bool:
        return self.settings.telegram_webhook_url is not None

    async def start(self) -> None:
        if not self.settings.telegram_enabled:
            log.info("no Telegram token: web chat only")
            self._start_inbox()
            return
        if self.webhook_mode and self.settings.telegram_webhook_secret is None:
            raise RuntimeError("webhook mode needs HUIFANG_TELEGRAM_WEBHOOK_SECRET")
        await sweep_in_flight(self.db)
        self.telegram = build_application(self)
        await self.telegram.initialize()
        pacer = self._pacer or ChatPacer(self.settings.telegram_chat_messages_per_second,
                                         self.settings.telegram_chat_burst)
        chat = self.settings.telegram_supervisors_chat_id
        self.telegram_outlet = TelegramOutlet(
            self.telegram.bot, self.db, pacer, self._retry,
            staff_chats=frozenset({str(chat)}) if chat is not None else frozenset())
        self.outlets[Channel.TELEGRAM] = self.telegram_outlet
        await self.telegram.start()
        if self.webhook_mode:
            secret = self.settings.telegram_webhook_secret
            assert secret is not None
            await self.telegram.bot.set_webhook(
                str(self.settings.telegram_webhook_url), secret_token=secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram webhook mode")
        else:
            self._polling = asyncio.create_task(telegram_polling.poll(self, ALLOWED_UPDATES),
                                                name="polling")
            log.info("Telegram polling mode")
        self._start_inbox()
        self._outbox = asyncio.create_task(
            run_outbox(self.telegram_outlet, interval=self._outbox_interval,
                       chores=[lambda: supervisor_chat.queue_alerts(self)]), name="outbox")

    def _start_inbox(self) -> None:
        self._inbox = asyncio.create_task(self.inbox.run(), name="inbox")

    async def stop(self) -> None:
        """Gracefully (and at most once): no update is fetched any more, the inbox stops (a
        message being relayed is taken again after its lease), the outbox ends between two
        messages; a message still in flight after the grace period is cut off and will count
        as in doubt."""
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        await self.inbox.stop()
        if self._inbox is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._inbox
        if self.telegram_outlet is not None:
            self.telegram_outlet.stop()
        if self._outbox is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._outbox, STOP_GRACE_SECONDS)
        if self.telegram is not None and self.telegram.running:
            await self.telegram.stop()
            await self.telegram.shutdown()
        await self.rasa.close()
        self.db.dispose()
