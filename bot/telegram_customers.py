"""Telegram handlers for customers (private chats): deep-link binding, text, button presses,
and a polite answer to anything that is not text."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.conversation_routing import customer_at
from bot.inbox_worker import current_attempt
from bot.relay import TurnStatus
from bot.supervisor_alerts import CALLBACK_PREFIX
from bot.telegram_context import answer_query, chat_address, gateway_of, message_key
from bot.texts import (
    ALREADY_CHOSEN,
    BIND_FAILED,
    BOUND,
    CHOSEN_MARK,
    NON_TEXT,
    NOT_BOUND,
    STALE_BUTTON,
    UNKNOWN_COMMAND,
    WELCOME,
    localized,
)
from bot.transcript import BUTTON_REF_PREFIX, open_button
from huifang import binding_tokens
from huifang.db.models import Channel, Locale
from huifang.db.types import utcnow
from huifang.script import script_of

TELEGRAM = Channel.TELEGRAM
CHOSEN_DATA = f"{BUTTON_REF_PREFIX}:chosen"
PRIVATE = filters.ChatType.PRIVATE

NON_TEXT_LABELS = (
    (filters.Sticker.ALL, "[贴纸]"),
    (filters.PHOTO, "[图片]"),
    (filters.VOICE, "[语音]"),
    (filters.AUDIO, "[音频]"),
    (filters.VIDEO | filters.VIDEO_NOTE, "[视频]"),
    (filters.LOCATION | filters.VENUE, "[位置]"),
    (filters.CONTACT, "[名片]"),
    (filters.Document.ALL, "[文件]"),
)


def _known(session: Session, address: str) -> tuple[int, Locale] | None:
    customer = customer_at(session, TELEGRAM, address)
    return (customer.id, customer.locale) if customer else None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start <token>` from a deep link binds this chat to the customer the token names."""
    gateway, address = gateway_of(context), chat_address(update)
    token = context.args[0] if context.args else None

    def bind(session: Session) -> tuple[int, Locale] | None:
        customer = binding_tokens.redeem(session, token, TELEGRAM, address, utcnow())
        return (customer.id, customer.locale) if customer else None

    if token:
        bound = await gateway.db.run(bind)
        reply = BOUND if bound else BIND_FAILED
    else:
        bound = await gateway.db.run(lambda s: _known(s, address))
        reply = WELCOME if bound else NOT_BOUND
    customer_id, locale = bound or (None, Locale.SIMPLIFIED)
    # The token is a secret: the transcript keeps the command only.
    await gateway.relay.gateway_reply(TELEGRAM, address, inbound="/start", reply=localized(
        reply, locale), customer_id=customer_id, external_id=message_key(update))


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    gateway, address = gateway_of(context), chat_address(update)
    words = update.effective_message.text if update.effective_message else None
    result = await gateway.relay.customer_turn(TELEGRAM, address, text=words,
                                               external_id=message_key(update))
    if result.status == TurnStatus.UNKNOWN_ADDRESS:
        await gateway.relay.gateway_reply(TELEGRAM, address, inbound=words, reply=localized(
            NOT_BOUND, script_of(words)), external_id=message_key(update))


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under one of our messages, by its opaque id: relayed once (double taps are
    dropped by the relay) if it belongs to the question now open, and the keyboard is replaced
    by a mark of the choice. Every query is answered, a stale or unknown one with a notice."""
    query = update.callback_query
    assert query is not None
    if query.data == CHOSEN_DATA:
        await answer_query(query, ALREADY_CHOSEN)
        return
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await answer_query(query)
        return
    gateway, chat_id, ref = gateway_of(context), query.message.chat.id, query.data or ""
    address = str(chat_id)
    if current_attempt().item.attempts:  # tried before (Rasa down): relay what was recorded
        await gateway.relay.customer_turn(TELEGRAM, address, button=ref,
                                          external_id=f"press:{ref}")
        return
    button = await gateway.db.run(lambda s: open_button(s, TELEGRAM, address, ref))
    if button is None:
        known = await gateway.db.run(lambda s: _known(s, address))
        await answer_query(query, localized(STALE_BUTTON, known[1] if known else None))
        return
    await answer_query(query)
    mark = InlineKeyboardMarkup([[InlineKeyboardButton(
        localized(CHOSEN_MARK, script_of(button["title"])).format(title=button["title"]),
        callback_data=CHOSEN_DATA)]])
    outlet = gateway.telegram_outlet
    assert outlet is not None

    async def mark_choice() -> None:
        await outlet.edit_keyboard(chat_id, query.message.message_id, mark)

    result = await gateway.relay.customer_turn(TELEGRAM, address, button=ref,
                                               external_id=f"press:{ref}",
                                               on_accepted=mark_choice)
    if result.status == TurnStatus.STALE_BUTTON:  # the question closed while we looked
        await outlet.edit_keyboard(chat_id, query.message.message_id, None)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_without_rasa(update, context, NON_TEXT, _label(update))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    words = update.effective_message.text if update.effective_message else None
    await _reply_without_rasa(update, context, UNKNOWN_COMMAND, words)


async def _reply_without_rasa(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: str,
                              inbound: str | None) -> None:
    gateway, address = gateway_of(context), chat_address(update)
    known = await gateway.db.run(lambda s: _known(s, address))
    customer_id, locale = known or (None, Locale.SIMPLIFIED)
    await gateway.relay.gateway_reply(TELEGRAM, address, inbound=inbound,
                                      reply=localized(reply, locale), customer_id=customer_id,
                                      external_id=message_key(update))


def _label(update: Update) -> str:
    return next((label for kind, label in NON_TEXT_LABELS if kind.check_update(update)),
                "[非文字消息]")


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        # everything but the supervisors' buttons (group 0), so no customer query goes unanswered
        CallbackQueryHandler(press, pattern=rf"^(?!{CALLBACK_PREFIX}:)"),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, text),
        MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
        MessageHandler(PRIVATE & ~filters.TEXT, not_text),
    ]
