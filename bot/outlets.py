"""What a channel must do to deliver the transcript's outbound messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.transcript import Outgoing
from huifang.db.models import Channel


@dataclass(frozen=True)
class FlushResult:
    sent: int = 0
    pending: int = 0  # still to go: the outbox delivers them
    unreachable: bool = False
    in_doubt: int = 0  # outcome unknown: not sent again (docs/reliability.md)


class Outlet(Protocol):
    channel: Channel
    # Web chat: a stored message is delivered (the page fetches it). Telegram: it is pending
    # until the Bot API accepted it.
    delivers_on_store: bool

    def prepare(self, messages: list[Outgoing]) -> list[Outgoing]:
        """Fit messages to the channel (e.g. split what is too long)."""

    async def flush(self, address: str) -> FlushResult:
        """Deliver every pending message of one address, in order."""


class WebChatOutlet:
    channel = Channel.WEBCHAT
    delivers_on_store = True

    def prepare(self, messages: list[Outgoing]) -> list[Outgoing]:
        return messages

    async def flush(self, address: str) -> FlushResult:
        return FlushResult()
