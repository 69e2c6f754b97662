"""Telegram's shapes: messages split below the length limit, Rasa buttons as inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.transcript import Outgoing, StoredMessage, button_ref

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut at the last paragraph break, line break or sentence end that fits; hard cut if none."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max(window.rfind(mark) + 1 for mark in "。！？!?；;.")
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest)
    return [c for c in chunks if c]


def split_messages(messages: list[Outgoing]) -> list[Outgoing]:
    """Long messages become several; a keyboard stays under the last part."""
    result: list[Outgoing] = []
    for message in messages:
        parts = split_text(message.text)
        result.extend(Outgoing(part, []) for part in parts[:-1])
        result.append(Outgoing(parts[-1], message.buttons))
    return result


def _per_row(titles: list[str]) -> int:
    longest = max(len(t) for t in titles)
    if longest <= 2:
        return 6  # 0–10 scores
    if longest <= 4:
        return 3  # categories, yes / no
    return 1  # "5 非常满意" reads best as a list


def keyboard(message: StoredMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    buttons = []
    for index, button in enumerate(message.buttons):
        if "url" in button:
            buttons.append(InlineKeyboardButton(button["title"], url=button["url"]))
        else:
            data = button.get("callback_data") or button_ref(message.id, index)
            buttons.append(InlineKeyboardButton(button["title"], callback_data=data))
    width = _per_row([b["title"] for b in message.buttons])
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])

