"""What every Telegram handler needs: the gateway, and who wrote from which chat."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.supervisor_alerts import TelegramUser

if TYPE_CHECKING:
    from bot.gateway import Gateway

log = logging.getLogger(__name__)


def gateway_of(context: ContextTypes.DEFAULT_TYPE) -> Gateway:
    return context.application.bot_data["gateway"]


def chat_address(update: Update) -> str:
    assert update.effective_chat is not None
    return str(update.effective_chat.id)


def sender_of(update: Update) -> TelegramUser | None:
    user = update.effective_user
    return TelegramUser(user.id, user.full_name) if user is not None else None


def message_key(update: Update) -> str:
    """Idempotency key of an incoming message (Telegram may deliver an update twice)."""
    assert update.effective_message is not None
    return f"msg:{update.effective_message.message_id}"


async def answer_query(query: CallbackQuery, text: str | None = None, *,
                       alert: bool = False) -> None:
    """Every callback query is answered (it stops the spinner); failures only get logged."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:  # too old or already answered: nothing left to do
        log.info("callback query %s not answered: %s", query.id, exc)
