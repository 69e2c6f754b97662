"""The gateway's running parts, started and stopped with the web app: database, Rasa client,
relay with its channels, and — when a token is configured — the Telegram application (polling
or webhook) with its outbox loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.ext import Application

from bot.database import Database
from bot.outlets import Outlet, WebChatOutlet
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.telegram_app import build_application
from bot.telegram_delivery import ChatPacer, TelegramOutlet, run_outbox
from huifang.db.models import Channel
from huifang.web.rate_limits import RequestRate
from huifang.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class Gateway:
    def __init__(self, settings: Settings, *, outbox_interval: float = 2.0,
                 pacer: ChatPacer | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.rasa = RasaClient(settings.rasa_url, settings.rasa_token.get_secret_value(),
                               settings.rasa_timeout_seconds)
        self.outlets: dict[Channel, Outlet] = {Channel.WEBCHAT: WebChatOutlet()}
        self.relay = Relay(self.db, self.rasa, self.outlets)
        self.chat_rate = RequestRate(settings.webchat_requests_per_minute,
                                     settings.webchat_requests_per_minute_per_client)
        self.telegram: Application | None = None
        self.telegram_outlet: TelegramOutlet | None = None
        self._outbox_interval = outbox_interval
        self._pacer = pacer
        self._outbox: asyncio.Task[None] | None = None

    @property
    def webhook_mode(self) -> bool:
        return self.settings.telegram_webhook_url is not None

    async def start(self) -> None:
        if not self.settings.telegram_enabled:
            log.info("no Telegram token: web chat only")
            return
        if self.webhook_mode and self.settings.telegram_webhook_secret is None:
            raise RuntimeError("webhook mode needs HUIFANG_TELEGRAM_WEBHOOK_SECRET")
        self.telegram = build_application(self)
        await self.telegram.initialize()
        pacer = self._pacer or ChatPacer(self.settings.telegram_chat_messages_per_second,
                                         self.settings.telegram_chat_burst)
        self.telegram_outlet = TelegramOutlet(self.telegram.bot, self.db, pacer)
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
            assert self.telegram.updater is not None
            await self.telegram.updater.start_polling(poll_interval=0.0, timeout=10,
                                                      allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram polling mode")
        self._outbox = asyncio.create_task(
            run_outbox(self.telegram_outlet, interval=self._outbox_interval), name="outbox")

    async def stop(self) -> None:
        if self._outbox is not None:
            self._outbox.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._outbox
        if self.telegram is not None:
            if self.telegram.updater is not None and self.telegram.updater.running:
                await self.telegram.updater.stop()
            await self.telegram.stop()
            await self.telegram.shutdown()
        await self.rasa.close()
        self.db.dispose()
