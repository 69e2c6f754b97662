"""The python-telegram-bot Application: Bot API base URL from settings (tests point it at the
fake server), AIORateLimiter for the global flood limit and 429 retries, and the handlers
grouped per concern. Updates reach it from the inbox worker (bot/inbound.py), one chat's in
order, several chats at once; it fetches none itself."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot import telegram_customers, telegram_supervisors
from bot.inbox_worker import attempt_or_none

if TYPE_CHECKING:
    from bot.gateway import Gateway

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
CONNECTIONS = 64


def build_application(gateway: Gateway) -> Application:
    settings = gateway.settings
    token = settings.telegram_token
    assert token is not None
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_messages_per_second,
                                     overall_time_period=1, max_retries=RATE_LIMIT_RETRIES))
        .connection_pool_size(CONNECTIONS)
    )
    # updates are fetched (polling) or received (webhook) by the gateway and stored in the inbox
    # first (bot/inbound.py); its worker hands them to the application
    application = builder.updater(None).build()
    application.bot_data["gateway"] = gateway
    # Supervisors first: their commands must never reach the customer handlers.
    application.add_handlers(telegram_supervisors.handlers(), group=0)
    application.add_handlers(telegram_customers.handlers(), group=1)
    application.add_error_handler(_log_error)
    return application


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logged, and the update is processed again later (its inbox row stays waiting)."""
    log.error("error while handling a Telegram update", exc_info=context.error)
    attempt = attempt_or_none()
    if attempt is not None:
        attempt.retry = attempt.retry or f"handler failed: {context.error!r}"
