"""The intake HTTP API: API key, single and batch tickets, idempotency, 422s, reopen, status."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from huifang.db.models import Callback, CallbackStatus, Ticket
from scheduler.intake_api import create_app
from tests.scheduler.conftest import NOW, SETTINGS, FakeClock

KEY = {"X-API-Key": "ticketing-system-key"}
API_SETTINGS = SETTINGS.model_copy(update={
    "intake_api_keys": [SecretStr("old-key"), SecretStr("ticketing-system-key")]})


def ticket(ticket_id: str, **fields: Any) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "customer_id": f"C-{ticket_id}", "service_type": "auto_repair",
            "agent": "李师傅", "branch": "朝阳店", "channel": "webchat",
            "address": f"wc-{ticket_id}", "closed_at": "2026-11-22T10:30:00+08:00", **fields}


@pytest.fixture
def api(sessions: sessionmaker[Session], clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(create_app(API_SETTINGS, sessions, clock=clock)) as client:
        yield client


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "guess"}])
def test_every_api_route_needs_a_valid_key(api: TestClient, headers: dict[str, str]) -> None:
    assert api.post("/api/tickets", json=ticket("T-1"), headers=headers).status_code == 401
    assert api.post("/api/tickets/T-1/reopen", headers=headers).status_code == 401
    assert api.get("/api/campaign/status", headers=headers).status_code == 401
    assert api.get("/health").status_code == 200


def test_one_ticket_or_a_batch_is_accepted_and_idempotent(api: TestClient,
                                                          sessions: sessionmaker[Session]) -> None:
    single = api.post("/api/tickets", json=ticket("T-1"), headers=KEY)
    assert single.status_code == 200
    assert single.json()["created"] == ["T-1"]
    batch = [ticket("T-1"), ticket("T-2"), ticket("T-3", channel="telegram", address=None)]
    first = api.post("/api/tickets", json=batch, headers=KEY).json()
    assert (first["created"], first["already_present"]) == (["T-2", "T-3"], ["T-1"])
    assert first["bind_links"]["T-3"].startswith("https://t.me/")
    again = api.post("/api/tickets", json=batch, headers={"X-API-Key": "old-key"}).json()
    assert (again["created"], again["already_present"]) == ([], ["T-1", "T-2", "T-3"])
    assert (count(sessions, Ticket), count(sessions, Callback)) == (3, 3)
    with sessions() as session:
        due = session.scalar(select(Callback.due_at).join(Ticket).where(Ticket.external_id == "T-1"))
    assert due == NOW + timedelta(minutes=30)  # closed 10:30 local yesterday, +24 h


def test_an_invalid_body_gets_a_422_with_field_errors(api: TestClient,
                                                      sessions: sessionmaker[Session]) -> None:
    batch = [ticket("T-1"), ticket("T-2", phone="12ab", service_type="Auto Repair"),
             {"ticket_id": "T-3"}]
    response = api.post("/api/tickets", json=batch, headers=KEY)
    assert response.status_code == 422
    errors = {(tuple(e["loc"]), e["type"]) for e in response.json()["detail"]}
    assert (("body", 1, "phone"), "value_error") in errors
    assert (("body", 1, "service_type"), "value_error") in errors
    assert (("body", 2, "customer_id"), "missing") in errors
    assert (("body", 2, "closed_at"), "missing") in errors
    assert count(sessions, Ticket) == 0  # nothing of a bad batch is stored
    single = api.post("/api/tickets", json=ticket("T-4", timezone="Mars/Olympus"), headers=KEY)
    assert single.status_code == 422
    assert [e["loc"] for e in single.json()["detail"]] == [["body", 0, "timezone"]]
    assert api.post("/api/tickets", json=[], headers=KEY).status_code == 422


def test_the_same_new_ticket_posted_concurrently_is_stored_once(
        api: TestClient, sessions: sessionmaker[Session]) -> None:
    batch = [ticket(f"T-{n}") for n in range(50)]
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(3)

    def post() -> None:
        start.wait()
        answers.append(api.post("/api/tickets", json=batch, headers=KEY).json())

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(len(a["created"]) for a in answers) == [0, 0, 50]
    assert count(sessions, Ticket) == 50 and count(sessions, Callback) == 50


def test_reopen_cancels_and_posting_the_ticket_again_restarts(
        api: TestClient, sessions: sessionmaker[Session], clock: FakeClock) -> None:
    api.post("/api/tickets", json=ticket("T-1"), headers=KEY)
    reopened = api.post("/api/tickets/T-1/reopen", headers=KEY)
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "reopened"
    assert [(c["status"], c["status_reason"]) for c in body["callbacks"]] == [
        ("cancelled", "ticket reopened")]
    clock.advance(days=2)
    again = api.post("/api/tickets", json=ticket("T-1", closed_at="2026-11-25T08:00:00+08:00"),
                     headers=KEY).json()
    assert again["rescheduled"] == ["T-1"]
    with sessions() as session:
        callback = session.scalar(select(Callback))
        assert callback is not None
        assert (callback.status, callback.send_round) == (CallbackStatus.SCHEDULED, 2)
    assert api.post("/api/tickets/T-404/reopen", headers=KEY).status_code == 404


def test_campaign_status_endpoint(api: TestClient) -> None:
    api.post("/api/tickets", json=[ticket("T-1"), ticket("T-2", service_type="power_outage")],
             headers=KEY)
    status = api.get("/api/campaign/status", headers=KEY).json()
    assert (status["total"], status["by_status"]["scheduled"], status["sent"]) == (2, 2, 0)
    assert status["response_rate"] is None
    only = api.get("/api/campaign/status", params={"service_type": "power_outage"},
                   headers=KEY).json()
    assert only["total"] == 1


def test_the_openapi_schema_is_served(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    body = schema["paths"]["/api/tickets"]["post"]["requestBody"]["content"]["application/json"]
    assert {"$ref": "#/components/schemas/TicketIn"} in body["schema"]["anyOf"]
    assert schema["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert {"/api/tickets/{ticket_id}/reopen", "/api/campaign/status"} <= set(schema["paths"])
    assert api.get("/docs").status_code == 200
