"""The gateway's two ASGI apps: the public one (web chat, Telegram webhook, static files,
health) and the internal API for the scheduler and the actions, which `python -m bot` serves
on its own listener bound to 127.0.0.1 (docs/security.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import internal_api, telegram_webhook, webchat
from bot.gateway import Gateway
from huifang.web import validation_errors
from huifang.web.body_limit import BodySizeLimit
from huifang.db.models import Channel
from huifang.nul_bytes import NulGuard
from huifang.settings import Settings, get_settings


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> FastAPI:
    """The public app; its lifespan starts and stops `gateway` (shared with the internal app)."""
    gateway = gateway or Gateway(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(title="Huifang gateway", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.gateway = gateway
    app.add_middleware(BodySizeLimit, default=gateway.settings.max_body_bytes,
                       limits=[(prefix, gateway.settings.webchat_max_body_bytes)
                               for prefix in webchat.PREFIXES])
    app.add_middleware(NulGuard)
    validation_errors.install(app)
    app.include_router(webchat.router)
    app.include_router(telegram_webhook.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/health")
    async def health() -> dict[str, object]:
        telegram = ("off" if gateway.telegram is None
                    else "webhook" if gateway.webhook_mode else "polling")
        return {"status": "ok", "channels": sorted(c.value for c in gateway.outlets),
                "telegram": telegram, "webchat": Channel.WEBCHAT in gateway.outlets}

    return app


def create_internal_app(gateway: Gateway) -> FastAPI:
    """The internal API; serve it only after the public app's lifespan started `gateway`."""
    app = FastAPI(title="Huifang gateway internal API", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.gateway = gateway
    app.add_middleware(BodySizeLimit, default=gateway.settings.max_body_bytes)
    app.add_middleware(NulGuard)
    validation_errors.install(app)
    app.include_router(internal_api.router)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
