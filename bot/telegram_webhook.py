"""Telegram's webhook: accepted only with the secret token Telegram echoes in a header."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from bot.gateway import Gateway
from bot.telegram_app import feed_webhook_update
from huifang.constant_time import same_secret

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
    if not same_secret(sent, secret.get_secret_value()):
        raise HTTPException(403, "wrong secret token")
    try:
        update = json.loads(await request.body())
        await feed_webhook_update(gateway, update)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # not JSON, or JSON that is no Telegram update: Telegram itself never sends one
        raise HTTPException(400, "not a Telegram update") from exc
    return Response(status_code=200)
