"""NUL characters and malformed headers are answered 4xx (or, in what a customer typed, the NUL
is dropped), never 500 — on PostgreSQL too, which cannot store a NUL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from huifang.constant_time import matches_any, same_secret
from huifang.db.models import Channel, Direction, Ticket
from huifang.db.types import utcnow
from huifang.ticket_import import import_file
from scheduler.intake_api import create_app as intake_app
from tests.console.console_support import add_user, build_app, csrf_of, log_in
from tests.gateway.support import gateway_settings, running_gateway, seed_customer
from tests.support.fake_bot_api import RunningFakeBotApi
from tests.support.processes import free_port

API_KEY = "malformed-intake-key-0123456789"
NON_ASCII = "令牌-токен-ñ".encode()  # what a client can put in a header: any bytes


def test_secret_comparison_takes_any_text() -> None:
    assert same_secret("Bearer 令牌", "Bearer 令牌")
    assert not same_secret("Bearer 令牌", "Bearer token")
    assert not same_secret("\udcff", "token") and not same_secret(None, "token")
    assert not same_secret("", "") and not same_secret("token", "")
    assert matches_any("b", ["a", "b"]) and not matches_any("c", ["a", "b"])


def ticket(ticket_id: str, **fields: str) -> dict[str, str]:
    return {"ticket_id": ticket_id, "customer_id": f"C-{ticket_id}",
            "service_type": "auto_repair", "closed_at": "2025-11-22T10:30:00+08:00", **fields}


@pytest.fixture
def intake(sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = gateway_settings("sqlite://", "http://rasa", intake_api_keys=[SecretStr(API_KEY)])
    with TestClient(intake_app(settings, sessions)) as client:
        yield client


def _tickets(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_intake_refuses_nul_in_any_field_and_stores_nothing(
        intake: TestClient, sessions: sessionmaker[Session]) -> None:
    key = {"X-API-Key": API_KEY}
    for bad in (ticket("N-1", customer_name="王\x00五"), ticket("N-2\x00"),
                ticket("N-3", closed_at="2025-11-22\x00")):
        response = intake.post("/api/tickets", json=[ticket("N-OK"), bad], headers=key)
        assert response.status_code == 422, response.text
        assert "NUL" in response.text
    assert _tickets(sessions) == 0
    assert intake.post("/api/tickets/N%00/reopen", headers=key).status_code == 400
    assert intake.get("/api/campaign/status", params={"branch": "朝阳\x00"},
                      headers=key).status_code == 400


def test_intake_refuses_dates_at_the_ends_of_the_calendar(intake: TestClient) -> None:
    for closed_at in ("0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00"):
        response = intake.post("/api/tickets", json=ticket("E-1", closed_at=closed_at),
                               headers={"X-API-Key": API_KEY})
        assert response.status_code == 422 and "2000" in response.text


def test_a_non_ascii_api_key_is_a_401(intake: TestClient) -> None:
    response = intake.post("/api/tickets", json=ticket("K-1"), headers={"X-API-Key": NON_ASCII})
    assert response.status_code == 401


def test_csv_import_reports_the_row_with_a_nul_and_imports_the_others(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,customer_id,service_type,closed_at,customer_name\n"
                    "CSV-1,c1,auto_repair,2025-11-22 10:00,张三\n"
                    "CSV-2,c2,auto_repair,2025-11-22 10:00,李\x00四\n"
                    "CSV-3,c3,auto_repair,2025-11-22 10:00,王五\n", encoding="utf-8")
    report = import_file(path, sessions, utcnow(), gateway_settings("sqlite://", "http://rasa"))
    assert [(e.line, e.ticket_id) for e in report.errors] == [(3, "CSV-2")]
    assert "NUL" in report.errors[0].reason
    assert report.imported == 2 and _tickets(sessions) == 2


def test_internal_api_answers_a_non_ascii_bearer_with_401(database_url: str,
                                                          rasa_down: str) -> None:
    with running_gateway(gateway_settings(database_url, rasa_down)) as gateway:
        response = httpx.post(f"{gateway.internal_url}/internal/supervisors/digest",
                              json={"text": "日报"},
                              headers={"Authorization": b"Bearer " + NON_ASCII})
    assert response.status_code == 401


def test_webchat_drops_nul_from_what_the_customer_typed(database_url: str,
                                                        rasa_down: str) -> None:
    with running_gateway(gateway_settings(database_url, rasa_down)) as gateway:
        seed_customer(gateway.sessions, Channel.WEBCHAT, address="nul-web")
        said = gateway.webchat_say("nul-web", text="师傅\x00很好\x00")
        pressed = gateway.webchat_say("nul-web", button="\x00")
        inbound = [m.text for m in gateway.messages(Channel.WEBCHAT, "nul-web")
                   if m.direction == Direction.INBOUND]
        page = httpx.get(f"{gateway.url}/chat/%00")
    assert said.status_code == 202, said.text  # stored; Rasa is down
    assert pressed.status_code < 500 and page.status_code in (400, 404)
    assert inbound == ["师傅很好"]


def test_console_refuses_nul_and_non_ascii_csrf_without_a_500(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        add_user(session, "boss")
        session.commit()
    with TestClient(build_app(sessions)) as client:
        token = csrf_of(client.get("/login").text)
        nul_login = client.post("/login", data={"username": "bo\x00ss", "password": "x",
                                                "csrf_token": token})
        assert nul_login.status_code == 400
        assert log_in(client, "boss").status_code == 303
        odd_csrf = client.post("/logout", headers={"X-CSRF-Token": NON_ASCII})
        assert odd_csrf.status_code == 403
        assert client.get("/escalations?branch=%00").status_code == 400


def test_webhook_answers_what_is_not_an_update_with_400(
        database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi) -> None:
    port = free_port()
    secret = "malformed-webhook-secret-0123"
    hook = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = gateway_settings(database_url, rasa_down, fake_telegram,
                                telegram_webhook_url=hook,
                                telegram_webhook_secret=SecretStr(secret))
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    with running_gateway(settings, port=port):
        for body in (b"{not json", b"[1, 2]", b'"text"', b'{"update_id": "x"}', b"\xff\xfe"):
            assert httpx.post(hook, content=body, headers=headers).status_code == 400, body
        wrong = httpx.post(hook, content=b"{}", headers={
            "X-Telegram-Bot-Api-Secret-Token": NON_ASCII})
        assert wrong.status_code == 403
