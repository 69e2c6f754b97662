"""Telegram's webhook: accepted only with the secret token Telegram echoes in a header."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from bot.gateway import Gateway
from bot.telegram_app import feed_webhook_update

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

router = APIRouter()


@router.post(WEBHOOK_PATH)
async def webhook(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    secret = gateway.settings.telegram_webhook_secret
    if gateway.telegram is None or not gateway.webhook_mode or secret is None:
        raise HTTPException(404)
    sent = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(sent.encode(), secret.get_secret_value().encode()):
        raise HTTPException(403, "wrong secret token")
    await feed_webhook_update(gateway, await request.json())
    return Response(status_code=200)
