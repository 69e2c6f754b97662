"""Telegram handlers for supervisors: /queue, /claim N, /resolve N <note>, and the Claim /
Resolve buttons under alerts. Allow-listed users only; everyone else is refused; each sees and
acts only within the branch scope of their account (bot.supervisor_alerts)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot import supervisor_alerts as alerts
from bot.telegram_context import (
    answer_query,
    chat_address,
    gateway_of,
    message_key,
    sender_of,
)
from bot.transcript import Outgoing
from huifang.db.models import Channel, SupervisorUser
from huifang.db.types import utcnow
from huifang.settings import Settings

Action = Callable[[Session, SupervisorUser], str]


def _as_supervisor(settings: Settings, update: Update, action: Action
                   ) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        user = sender_of(update)
        supervisor = alerts.supervisor_for(session, settings, user) if user else None
        return action(session, supervisor) if supervisor else alerts.NOT_ALLOWED

    return work


async def _command(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    gateway = gateway_of(context)
    reply = await gateway.db.run(_as_supervisor(gateway.settings, update, action))
    message = update.effective_message
    await gateway.relay.gateway_reply(Channel.TELEGRAM, chat_address(update),
                                      inbound=message.text if message else None, reply=reply,
                                      external_id=message_key(update))
    raise ApplicationHandlerStop


def _escalation_id(context: ContextTypes.DEFAULT_TYPE) -> int | None:
    args = context.args or []
    return int(args[0].lstrip("#")) if args and args[0].lstrip("#").isdigit() else None


async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    settings = gateway_of(context).settings
    await _command(update, context, lambda s, u: alerts.queue_text(s, settings, u, utcnow()))


async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    escalation_id = _escalation_id(context)
    await _command(update, context, lambda s, u: "用法：/claim 编号" if escalation_id is None
                   else alerts.claim(s, escalation_id, u, utcnow()))


async def resolve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    escalation_id = _escalation_id(context)
    note = " ".join((context.args or [])[1:])
    await _command(update, context, lambda s, u: "用法：/resolve 编号 处理结果"
                   if escalation_id is None or not note.strip()
                   else alerts.resolve(s, escalation_id, u, note, utcnow()))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim claims at once; Resolve explains the command (a resolution needs a written note)."""
    query = update.callback_query
    assert query is not None
    parsed = alerts.parse_callback_data(query.data or "")
    gateway = gateway_of(context)
    if parsed is None:
        await answer_query(query)
        return
    action, escalation_id = parsed

    def act(session: Session, user: SupervisorUser) -> str:
        if action == alerts.CLAIM:
            return alerts.claim(session, escalation_id, user, utcnow())
        return alerts.RESOLVE_HOW.format(id=escalation_id)

    reply = await gateway.db.run(_as_supervisor(gateway.settings, update, act))
    claimed = action == alerts.CLAIM and reply.startswith(alerts.DONE_MARK)
    await answer_query(query, reply, alert=not claimed)
    if claimed and query.message is not None:
        chat = str(query.message.chat.id)
        async with gateway.relay.locks.hold((Channel.TELEGRAM, chat)):
            await gateway.relay.send(Channel.TELEGRAM, chat, [Outgoing(reply, [])],
                                     customer_id=None, callback_id=None)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("queue", queue),
        CommandHandler("claim", claim),
        CommandHandler("resolve", resolve),
        CallbackQueryHandler(button, pattern=rf"^{alerts.CALLBACK_PREFIX}:"),
    ]
