"""The python-telegram-bot Application: Bot API base URL from settings (tests point it at the
fake server), AIORateLimiter for the global flood limit and 429 retries, concurrent updates
(each chat's turns are still serialised by the relay), and the handlers grouped per concern."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot import telegram_customers, telegram_supervisors

if TYPE_CHECKING:
    from bot.gateway import Gateway

log = logging.getLogger(__name__)

GLOBAL_MESSAGES_PER_SECOND = 28  # Telegram allows ~30/s; keep a margin for jitter
RATE_LIMIT_RETRIES = 3
CONCURRENT_UPDATES = 64


def build_application(gateway: Gateway) -> Application:
    settings = gateway.settings
    token = settings.telegram_token
    assert token is not None
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=GLOBAL_MESSAGES_PER_SECOND,
                                     overall_time_period=1, max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .connection_pool_size(CONCURRENT_UPDATES)
    )
    if gateway.webhook_mode:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["gateway"] = gateway
    # Supervisors first: their commands must never reach the customer handlers.
    application.add_handlers(telegram_supervisors.handlers(), group=0)
    application.add_handlers(telegram_customers.handlers(), group=1)
    application.add_error_handler(_log_error)
    return application


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling a Telegram update", exc_info=context.error)


async def feed_webhook_update(gateway: Gateway, data: object) -> None:
    """An update POSTed to the webhook goes the same way as a polled one; ValueError (or the
    TypeError, KeyError … of python-telegram-bot's parsing) for what is not an update."""
    assert gateway.telegram is not None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not a Telegram update")
    update = Update.de_json(data, gateway.telegram.bot)
    if update is None:
        raise ValueError("not a Telegram update")
    await gateway.telegram.update_queue.put(update)
