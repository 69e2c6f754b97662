"""The gateway's ASGI app: web chat, Telegram webhook, internal API, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import internal_api, telegram_webhook, webchat
from bot.gateway import Gateway
from huifang.db.models import Channel
from huifang.settings import Settings, get_settings


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> FastAPI:
    gateway = gateway or Gateway(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(title="Huifang gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.gateway = gateway
    app.include_router(webchat.router)
    app.include_router(internal_api.router)
    app.include_router(telegram_webhook.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/health")
    async def health() -> dict[str, object]:
        telegram = ("off" if gateway.telegram is None
                    else "webhook" if gateway.webhook_mode else "polling")
        return {"status": "ok", "channels": sorted(c.value for c in gateway.outlets),
                "telegram": telegram, "webchat": Channel.WEBCHAT in gateway.outlets}

    return app
