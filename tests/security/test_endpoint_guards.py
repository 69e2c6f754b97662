"""Every HTTP endpoint of every process, walked × {no credentials, wrong credentials, wrong role,
wrong branch}: each is refused. The routes are read from the apps themselves (FastAPI
`app.routes`, rasa-sdk's and Rasa's Sanic routers), so a route added without an entry in
GUARDS — its guard, or "public" on purpose — fails `test_every_route_has_a_guard`."""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from bot.app import create_app as gateway_app
from bot.app import create_internal_app
from bot.gateway import Gateway
from console.app import SESSION_COOKIE
from console.app import create_app as console_app
from huifang import escalations
from huifang.app.action_server import guarded_app
from huifang.db import session_scope
from huifang.db.models import Callback, Role, Ticket
from huifang.db.types import utcnow
from huifang.escalations import Reason
from huifang.intake import TicketIn, ingest
from huifang.app.model_build import RASA_BIN
from huifang.settings import PROJECT_ROOT, Settings, get_settings
from scheduler.intake_api import create_app as intake_app
from tests.console.console_support import PASSWORD, add_user, csrf_of
from tests.gateway.support import gateway_settings, running_gateway
from tests.support.fake_bot_api import RunningFakeBotApi, serve_asgi
from tests.support.stack import RasaStack

PUBLIC = "public"
CHAT = "chat link"
WEBHOOK = "telegram webhook secret"
INTERNAL = "internal bearer token"
API_KEY = "intake API key"
LOGIN = "console login"
ADMIN = "console admin"
BRANCH = "console login + branch"
RASA = "rasa token"
ACTIONS = "action server token"

# (process, method, path) → guard. GET on a path also covers HEAD.
GUARDS: dict[tuple[str, str, str], str] = {
    ("gateway", "GET", "/health"): PUBLIC,
    ("gateway", "GET", "/static"): PUBLIC,
    ("gateway", "GET", "/chat/{token}"): CHAT,
    ("gateway", "GET", "/webchat/{token}/messages"): CHAT,
    ("gateway", "POST", "/webchat/{token}/messages"): CHAT,
    ("gateway", "POST", "/telegram/webhook"): WEBHOOK,
    ("gateway-internal", "GET", "/health"): PUBLIC,
    ("gateway-internal", "POST", "/internal/callbacks/{callback_id}/send"): INTERNAL,
    ("gateway-internal", "POST", "/internal/escalations/{escalation_id}/alert"): INTERNAL,
    ("gateway-internal", "POST", "/internal/supervisors/digest"): INTERNAL,
    ("gateway-internal", "GET", "/internal/outbox"): INTERNAL,
    ("gateway-internal", "GET", "/internal/inbox"): INTERNAL,
    ("intake", "GET", "/health"): PUBLIC,
    ("intake", "GET", "/openapi.json"): PUBLIC,  # the schema, no data
    ("intake", "GET", "/docs"): PUBLIC,
    ("intake", "GET", "/docs/oauth2-redirect"): PUBLIC,
    ("intake", "GET", "/redoc"): PUBLIC,
    ("intake", "POST", "/api/tickets"): API_KEY,
    ("intake", "POST", "/api/tickets/{ticket_id}/reopen"): API_KEY,
    ("intake", "GET", "/api/campaign/status"): API_KEY,
    ("console", "GET", "/static"): PUBLIC,
    ("console", "GET", "/login"): PUBLIC,
    ("console", "POST", "/login"): PUBLIC,  # CSRF-checked, throttled
    ("console", "GET", "/api/openapi.json"): PUBLIC,
    ("console", "POST", "/logout"): LOGIN,
    ("console", "GET", "/"): LOGIN,
    ("console", "GET", "/reports"): LOGIN,
    ("console", "GET", "/reports/export.{fmt}"): LOGIN,
    ("console", "GET", "/users"): ADMIN,
    ("console", "GET", "/callbacks/{callback_id}"): BRANCH,
    ("console", "GET", "/escalations/{escalation_id}"): BRANCH,
    ("console", "POST", "/escalations/{escalation_id}/claim"): BRANCH,
    ("console", "POST", "/escalations/{escalation_id}/note"): BRANCH,
    ("console", "POST", "/escalations/{escalation_id}/resolve"): BRANCH,
    ("console", "POST", "/escalations/{escalation_id}/reopen"): BRANCH,
    ("console", "GET", "/api/callbacks"): LOGIN,
    ("console", "GET", "/api/callbacks/{ticket_id}"): BRANCH,
    ("console", "GET", "/api/escalations"): LOGIN,
    ("console", "GET", "/api/reports"): LOGIN,
    # campaigns, surveys, do-not-contact (issue #16): login at least here; the operator role
    # (require_operations) and branch checks are proven route by route in
    # tests/console/test_campaign_console.py
    **{("console", method, path): LOGIN for method, path in [
        ("GET", "/campaigns"), ("GET", "/campaigns/new"), ("POST", "/campaigns/new"),
        ("GET", "/campaigns/new/{job_id}"), ("GET", "/api/campaigns/uploads/{job_id}"),
        ("POST", "/campaigns/new/{job_id}/confirm"), ("POST", "/campaigns/new/{job_id}/discard"),
        ("GET", "/campaigns/{campaign_id}"), ("GET", "/api/campaigns/{campaign_id}"),
        ("GET", "/campaigns/{campaign_id}/chart"), ("POST", "/campaigns/{campaign_id}/{action}"),
        ("POST", "/campaigns/{campaign_id}/cancel"),
        ("GET", "/surveys"), ("GET", "/do-not-contact"), ("GET", "/do-not-contact/export.csv"),
        ("POST", "/do-not-contact/{customer_id}/re-enable")]},
    ("actions", "GET", "/health"): PUBLIC,
    ("actions", "POST", "/webhook"): ACTIONS,
    ("actions", "GET", "/actions"): ACTIONS,
    ("rasa", "GET", "/"): PUBLIC,  # "Hello from Rasa" and the version: no data
    ("rasa", "GET", "/version"): PUBLIC,
    ("rasa", "POST", "/webhooks/huifang/webhook"): RASA,
}
RASA_API_PREFIXES = ("/status", "/conversations", "/model", "/domain")  # all RASA, listed live
WEST, EAST = "西城店", "东城店"


def fastapi_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, included routers' too, as the app serves them."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.add(("GET", route.path))
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, str(context.path)))
    return found


def sanic_routes(app: Any) -> set[tuple[str, str]]:
    return {(method, "/" + route.path.lstrip("/")) for route in app.router.routes
            for method in route.methods if method not in ("HEAD", "OPTIONS")}


# the app `rasa run --enable-api --credentials credentials.yml` serves, built the way it does
_RASA_ROUTES = """
import json
from rasa.core import run
app = run.configure_app(run.create_http_input_channels(None, "credentials.yml"),
                        auth_token="x", enable_api=True)
print(json.dumps(sorted({(m, "/" + r.path.lstrip("/")) for r in app.router.routes
                         for m in r.methods if m not in ("HEAD", "OPTIONS")})))
"""


def rasa_routes() -> set[tuple[str, str]]:
    """Rasa's routes as its own app registers them (run in the Rasa virtualenv)."""
    out = subprocess.run([str(RASA_BIN.parent / "python"), "-c", _RASA_ROUTES],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
                         env={"HUIFANG_RASA_TOKEN": secrets.token_urlsafe(32),
                              "PATH": "/usr/bin:/bin"}, timeout=300)
    return {(m, re.sub(r"<(\w+)(:[^>]*)?>", r"{\1}", p))
            for m, p in json.loads(out.stdout.strip().splitlines()[-1])}


# -- the apps under test ----------------------------------------------------------------------

@dataclass
class World:
    settings: Settings
    urls: dict[str, str]
    values: dict[str, str]  # path parameter → a real value (a west-branch record)
    console: httpx.Client  # logged in as the east-branch supervisor (wrong branch, not admin)


def _west_escalation(sessions: sessionmaker[Session]) -> dict[str, str]:
    now = utcnow()
    with session_scope(sessions) as session:
        ingest(session, [TicketIn(ticket_id="GUARD-W1", customer_id="guard-c1",
                                  service_type="auto_repair", branch=WEST,
                                  closed_at=now - timedelta(days=1))], now)
        callback = session.scalar(select(Callback).join(Ticket)
                                  .where(Ticket.external_id == "GUARD-W1"))
        assert callback is not None
        escalation = escalations.escalate(session, callback, [Reason.LOW_OVERALL], now,
                                          get_settings())
        assert escalation is not None
        add_user(session, "east", Role.SUPERVISOR, branches=[EAST])
        return {"callback_id": str(callback.id), "escalation_id": str(escalation.id),
                "ticket_id": "GUARD-W1", "fmt": "csv"}


@pytest.fixture
def world(database_url: str, sessions: sessionmaker[Session], rasa_down: str,
          fake_telegram: RunningFakeBotApi) -> Iterator[World]:
    settings = gateway_settings(
        database_url, rasa_down, fake_telegram,
        telegram_webhook_url="https://gateway.example.com/telegram/webhook",
        telegram_webhook_secret=SecretStr(secrets.token_urlsafe(32)),
        intake_api_keys=[SecretStr(secrets.token_urlsafe(32))],
        console_secret_key=SecretStr(secrets.token_urlsafe(32)))
    values = _west_escalation(sessions)
    with running_gateway(settings) as gateway, \
            serve_asgi(intake_app(settings, sessions), name="intake") as intake, \
            serve_asgi(console_app(settings, sessions), name="console") as console, \
            httpx.Client(base_url=console) as east:
        token = csrf_of(east.get("/login").text)
        assert east.post("/login", data={"username": "east", "password": PASSWORD,
                                         "csrf_token": token, "next": "/"}).status_code < 400
        yield World(settings, {"gateway": gateway.url, "gateway-internal": gateway.internal_url,
                               "intake": intake, "console": console}, values, east)


def _path(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


def _forged_session() -> dict[str, str]:
    """A session cookie for user 1 signed with a key that is not the console's."""
    data = base64.b64encode(json.dumps({"user_id": 1}).encode())
    signer = TimestampSigner("not-the-console-secret-key-00000")
    return {SESSION_COOKIE: signer.sign(data).decode()}


# -- the tests --------------------------------------------------------------------------------

def test_every_route_has_a_guard(database_url: str, rasa_down: str) -> None:
    settings = gateway_settings(database_url, rasa_down)
    gateway = Gateway(settings)
    live = {("gateway", m, p) for m, p in fastapi_routes(gateway_app(gateway=gateway))}
    live |= {("gateway-internal", m, p) for m, p in fastapi_routes(create_internal_app(gateway))}
    intake = intake_app(settings, None)  # type: ignore[arg-type]  # routes only, no requests
    live |= {("intake", m, p) for m, p in fastapi_routes(intake)}
    live |= {("console", m, p) for m, p in fastapi_routes(console_app(settings))}
    from rasa_sdk.executor import ActionExecutor
    from sanic import Sanic

    Sanic.test_mode = True  # allows building rasa-sdk's app (always named "rasa_sdk") again
    live |= {("actions", m, p) for m, p in sanic_routes(guarded_app(ActionExecutor(), "t"))}
    listed = {key for key in GUARDS if key[0] != "rasa"}
    assert live == listed, f"unguarded: {sorted(live - listed)}; gone: {sorted(listed - live)}"


def _refused(response: httpx.Response, guard: str) -> bool:
    if guard in (LOGIN, ADMIN, BRANCH) and response.status_code == 303:
        return response.headers["location"].startswith("/login")
    return response.status_code in (401, 403, 404)


@pytest.mark.parametrize("guard", [CHAT, WEBHOOK, INTERNAL, API_KEY, LOGIN, ADMIN, BRANCH])
def test_every_guarded_route_refuses_missing_and_wrong_credentials(world: World,
                                                                    guard: str) -> None:
    wrong = "wrong-" + secrets.token_urlsafe(24)
    headers = {
        CHAT: {}, WEBHOOK: {"X-Telegram-Bot-Api-Secret-Token": wrong},
        INTERNAL: {"Authorization": f"Bearer {wrong}"}, API_KEY: {"X-API-Key": wrong},
    }
    routes = [(process, method, path) for (process, method, path), g in GUARDS.items()
              if g == guard]
    assert routes
    for process, method, path in routes:
        values = {**world.values, "token": secrets.token_urlsafe(24)}  # nobody's chat link
        url = world.urls[process] + _path(path, values)
        body = {"json": {}} if method == "POST" else {}
        attempts = {
            "no credentials": httpx.request(method, url, follow_redirects=False, **body),
            "wrong credentials": httpx.request(
                method, url, headers=headers.get(guard, {}), follow_redirects=False,
                cookies=_forged_session() if process == "console" else None,
                **body),
        }
        for what, response in attempts.items():
            assert _refused(response, guard), (what, method, path, response.status_code,
                                               response.text[:300])


def test_console_refuses_the_wrong_role_and_the_wrong_branch(world: World) -> None:
    east = world.console
    assert east.get("/").status_code == 200  # logged in, so what follows is about scope
    assert east.get("/users").status_code == 403
    csrf = csrf_of(east.get("/").text)
    for (process, method, path), guard in GUARDS.items():
        if guard != BRANCH:
            continue
        url = _path(path, world.values)
        response = (east.get(url) if method == "GET"
                    else east.post(url, data={"csrf_token": csrf, "text": "x",
                                              "root_cause": "other"}))
        assert response.status_code in (403, 404), (method, path, response.status_code)


def test_console_posts_need_the_csrf_token(world: World) -> None:
    for (process, method, path), guard in GUARDS.items():
        if process == "console" and method == "POST" and guard != PUBLIC:
            assert world.console.post(_path(path, world.values)).status_code == 403, path


@pytest.mark.rasa
def test_rasa_and_the_action_server_refuse_without_their_tokens(rasa_stack: RasaStack) -> None:
    routes = rasa_routes()
    listed = {(m, p) for (process, m, p) in GUARDS if process == "rasa"}
    unlisted = {r for r in routes - listed if not r[1].startswith(RASA_API_PREFIXES)}
    assert not unlisted, f"Rasa routes without an entry in GUARDS: {sorted(unlisted)}"
    wrong = secrets.token_urlsafe(24)
    for method, path in sorted(routes):
        guard = GUARDS.get(("rasa", method, path), RASA)
        if guard == PUBLIC:
            continue
        url = rasa_stack.rasa_url + _path(path, {"conversation_id": "callback-1"})
        for params, headers in (({}, {}), ({"token": wrong}, {"Authorization": f"Bearer {wrong}"})):
            response = httpx.request(method, url, params=params, headers=headers, json={},
                                     timeout=60)
            assert response.status_code in (401, 403), (method, path, response.status_code)
    for (process, method, path), guard in GUARDS.items():
        if process != "actions" or guard == PUBLIC:
            continue
        for headers in ({}, {"Authorization": f"Bearer {wrong}"}):
            response = httpx.request(method, rasa_stack.action_url + path, headers=headers,
                                     json={"next_action": "action_start_callback"}, timeout=30)
            assert response.status_code == 401, (method, path, response.status_code)
    # and with the right token Rasa reaches the action server (the stack's health says so)
    status = httpx.get(f"{rasa_stack.rasa_url}/status", params={"token": rasa_stack.token})
    assert status.status_code == 200
