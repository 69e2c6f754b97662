"""The console's FastAPI application: middleware, error handling, routers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from console import (
    api,
    routes_auth,
    routes_campaigns,
    routes_conversation,
    routes_queue,
    routes_reports,
    routes_users,
)
from console.auth import LoginRequired, csrf_protect
from console.login_throttle import LoginThrottle
from console.rendering import make_templates, render
from huifang.web import validation_errors
from huifang.web.body_limit import BodySizeLimit
from huifang.db import create_db_engine, session_factory
from huifang.nul_bytes import NulGuard
from huifang.settings import Settings, get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "huifang_console"
SESSION_MAX_AGE = 12 * 3600  # one working day; then log in again


def create_app(settings: Settings | None = None,
               factory: sessionmaker[Session] | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="回访控制台", dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.session_factory = factory or session_factory(
        create_db_engine(settings.database_url))
    app.state.templates = make_templates(settings.zone)
    app.add_middleware(SessionMiddleware,
                       secret_key=settings.console_secret_key.get_secret_value(),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                       same_site="lax", https_only=settings.console_url.startswith("https://"))
    app.state.login_throttle = LoginThrottle(settings)
    app.add_middleware(BodySizeLimit, default=settings.max_body_bytes, limits=[
        ("/campaigns/new", settings.campaign_upload_max_mb * 1024 * 1024)])
    app.add_middleware(NulGuard)
    validation_errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (routes_auth, routes_queue, routes_conversation, routes_reports,
                   routes_users, routes_campaigns, api):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(HTTPException, _http_error)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _login_required(request: Request, _exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "请先登录"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=exc.headers)
    return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                  status_code=exc.status_code)
