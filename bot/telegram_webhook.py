"""Telegram's webhook: accepted only with the secret token Telegram echoes in a header, and
answered 200 only once the update is stored in the inbox (docs/reliability.md, "Inbound"): if
the database fails, 503 makes Telegram send it again."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from telegram import Update

from bot.gateway import Gateway
from bot.inbound import store_updates
from huifang.constant_time import same_secret

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

log = logging.getLogger(__name__)
router = APIRouter()


@router.post(WEBHOOK_PATH)
async def webhook(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    secret = gateway.settings.telegram_webhook_secret
    if gateway.telegram is None or not gateway.webhook_mode or secret is None:
        raise HTTPException(404)
    sent = request.headers.get(SECRET_HEADER, "")
    if not same_secret(sent, secret.get_secret_value()):
        raise HTTPException(403, "wrong secret token")
    try:
        data = json.loads(await request.body())
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("no update_id")
        update = Update.de_json(data, gateway.telegram.bot)
        if update is None:
            raise ValueError("empty update")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # not JSON, or JSON that is no Telegram update: Telegram itself never sends one
        raise HTTPException(400, "not a Telegram update") from exc
    try:
        await store_updates(gateway, [update])
    except Exception as exc:  # the database: Telegram retries what was not acknowledged
        log.exception("storing Telegram update %s failed", update.update_id)
        raise HTTPException(503, "not stored, send it again") from exc
    return Response(status_code=200)
