"""Polling mode: updates are fetched with getUpdates and stored in the inbox before the offset
moves past them (the next getUpdates is what acknowledges them to Telegram): a gateway that
dies, or a database that fails, before they are stored gets them again."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram.error import TelegramError

from bot.inbound import store_updates

if TYPE_CHECKING:
    from bot.gateway import Gateway

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10
PAUSE_AFTER_ERROR_SECONDS = 1.0


async def poll(gateway: Gateway, allowed_updates: list[str]) -> None:
    assert gateway.telegram is not None
    bot = gateway.telegram.bot
    await bot.delete_webhook()
    offset: int | None = None
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=LONG_POLL_SECONDS,
                                            allowed_updates=allowed_updates)
            if updates:
                await store_updates(gateway, list(updates))
                offset = updates[-1].update_id + 1
        except asyncio.CancelledError:
            raise
        except TelegramError as exc:
            log.warning("getUpdates failed: %s", exc)
            await asyncio.sleep(PAUSE_AFTER_ERROR_SECONDS)
        except Exception:  # the database: the updates come again, the offset did not move
            log.exception("storing Telegram updates failed")
            await asyncio.sleep(PAUSE_AFTER_ERROR_SECONDS)
