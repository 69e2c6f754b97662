"""Property-based fuzzing of every input from outside, on SQLite and PostgreSQL: the web-chat
JSON API, Telegram updates through the gateway's webhook, the intake API and the CSV import.
Whatever arrives: no 5xx, no unhandled exception, every bad CSV row reported by its line and
every good one imported."""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from huifang.db.models import Channel, Ticket
from huifang.db.types import utcnow
from huifang.ticket_import import import_file
from scheduler.intake_api import create_app as intake_app
from tests.gateway.support import (
    SUPERVISOR,
    SUPERVISORS_CHAT,
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
    seed_customer,
)
from tests.security.fuzz_strategies import (
    FUZZ,
    SERVICE_TYPES,
    hostile_text,
    json_values,
    telegram_updates,
    ticket_dicts,
    valid_dates,
    valid_names,
)
from tests.support.fake_bot_api import RunningFakeBotApi
from tests.support.processes import free_port

API_KEY = "fuzz-intake-key-0123456789abcdef"
WEBHOOK_SECRET = "fuzz-webhook-secret-0123456789"
UNLIMITED = {"webchat_requests_per_minute": 10**6,
             "webchat_requests_per_minute_per_client": 10**6}


JSON_TYPE = {"Content-Type": "application/json"}


def as_json(value: Any) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity allowed, lone surrogates escaped."""
    return json.dumps(value).encode()


def url_part(text: str) -> str:
    """Any text as a path segment or query value (a lone surrogate as the bytes it would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def no_error_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if anything logged an error (an exception a handler did not expect)."""
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}"
                                 for r in errors[:3])


# -- the web chat ----------------------------------------------------------------------------

@pytest.fixture
def webchat(database_url: str, rasa_down: str) -> Iterator[tuple[GatewayUnderTest, str]]:
    """A running gateway and a customer's web-chat token, issued the way the gateway tests
    obtain one from the code of the moment (GatewayUnderTest.chat_token)."""
    with running_gateway(gateway_settings(database_url, rasa_down, **UNLIMITED)) as gateway:
        seed_customer(gateway.sessions, Channel.WEBCHAT, address="fuzz-web")
        yield gateway, gateway.chat_token("fuzz-web")


webchat_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"text": st.one_of(hostile_text, json_values),
                                        "button": st.one_of(hostile_text, json_values),
                                        "payload": st.one_of(hostile_text, json_values)}),
    json_values)


@FUZZ
@given(body=webchat_bodies, raw=st.none() | st.binary(max_size=200),
       other_token=st.none() | hostile_text, after=st.none() | hostile_text | st.integers())
def test_webchat_never_fails(webchat: tuple[GatewayUnderTest, str], no_error_logs: None,
                             body: Any, raw: bytes | None, other_token: str | None,
                             after: Any) -> None:
    gateway, token = webchat
    token = token if other_token is None else url_part(other_token)
    url = f"{gateway.url}/webchat/{token}/messages"
    with httpx.Client(timeout=60) as client:
        posted = client.post(url, content=as_json(body) if raw is None else raw,
                             headers=JSON_TYPE)
        history = client.get(url if after is None else f"{url}?after={url_part(str(after))}")
        page = client.get(f"{gateway.url}/chat/{token}")
    for response in (posted, history, page):
        assert response.status_code < 500, (response.status_code, response.text[:300])


# -- Telegram updates through the webhook ----------------------------------------------------

@pytest.fixture
def webhook_gateway(database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi
                    ) -> Iterator[GatewayUnderTest]:
    fake_telegram.api.add_group(SUPERVISORS_CHAT, "回访主管群")
    port = free_port()
    settings = gateway_settings(
        database_url, rasa_down, fake_telegram,
        telegram_webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        telegram_webhook_secret=SecretStr(WEBHOOK_SECRET))
    with running_gateway(settings, port=port) as gateway:
        yield gateway


def _drained(gateway: GatewayUnderTest, timeout: float = 120.0) -> None:
    """Wait until the Telegram application handled every update it was given."""
    application = gateway.gateway.telegram
    assert application is not None
    deadline = time.monotonic() + timeout
    while (not application.update_queue.empty()
           or application.update_processor.current_concurrent_updates):
        assert time.monotonic() < deadline, "updates still being handled"
        time.sleep(0.05)


_update_ids = itertools.count(10**9)


@FUZZ
@given(updates=st.lists(telegram_updates(
    known_ids=[SUPERVISOR.id], chats=[SUPERVISORS_CHAT, SUPERVISOR.id],
    commands=["/start", "/queue", "/claim", "/resolve", "/help", "/stop"]), min_size=1,
    max_size=3), raw=st.none() | st.binary(max_size=100) | json_values)
def test_telegram_updates_never_fail(webhook_gateway: GatewayUnderTest, no_error_logs: None,
                                     updates: list[dict[str, Any]], raw: Any) -> None:
    hook = f"{webhook_gateway.url}{WEBHOOK_PATH}"
    secret = {SECRET_HEADER: WEBHOOK_SECRET, **JSON_TYPE}
    with httpx.Client(timeout=60) as client:
        for update in updates:
            update = {**update, "update_id": next(_update_ids)}  # Telegram never repeats one
            response = client.post(hook, content=as_json(update), headers=secret)
            assert response.status_code < 500, (response.status_code, update)
        garbage = client.post(hook, content=raw if isinstance(raw, bytes) else as_json(raw),
                              headers=secret)
        assert garbage.status_code < 500, (garbage.status_code, raw)
    _drained(webhook_gateway)


# -- the intake API --------------------------------------------------------------------------

@pytest.fixture
def intake(sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = gateway_settings("sqlite://", "http://rasa",
                                intake_api_keys=[SecretStr(API_KEY)])
    # raise_server_exceptions (the default): an unhandled exception fails the example
    with TestClient(intake_app(settings, sessions)) as client:
        yield client


ticket_ids = st.text("ABCDEFGHJK0123456789-", min_size=1, max_size=12).map(lambda t: f"FZ-{t}")
key_headers = st.one_of(st.just(API_KEY.encode()), st.binary(max_size=40).filter(
    lambda b: b"\r" not in b and b"\n" not in b and b"\x00" not in b))


@FUZZ
@given(body=st.one_of(ticket_dicts(ticket_ids), st.lists(ticket_dicts(ticket_ids), max_size=4),
                      json_values),
       key=key_headers, ticket=hostile_text, branch=st.none() | hostile_text)
def test_intake_api_never_fails(intake: TestClient, body: Any, key: bytes, ticket: str,
                                branch: str | None) -> None:
    headers = {"X-API-Key": key, **JSON_TYPE}
    query = "" if branch is None else f"?branch={url_part(branch)}"
    responses = [
        intake.post("/api/tickets", content=as_json(body), headers=headers),
        intake.post(f"/api/tickets/{url_part(ticket)}/reopen", headers=headers),
        intake.get(f"/api/campaign/status{query}", headers=headers),
    ]
    for response in responses:
        assert response.status_code < 500, (response.status_code, response.text[:300])
    if key != API_KEY.encode():  # refused, whatever else is wrong with the request
        assert not any(200 <= r.status_code < 300 for r in responses)


# -- the CSV import --------------------------------------------------------------------------

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # ends a line of the file, also inside a field
HEADER = ["ticket_id", "customer_id", "service_type", "closed_at", "customer_name", "phone",
          "channel", "branch", "agent", "summary"]
utf8_text = hostile_text.filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))
good_rows = st.fixed_dictionaries({
    "customer_id": valid_names, "service_type": st.sampled_from(SERVICE_TYPES),
    "closed_at": valid_dates, "customer_name": valid_names | st.just(""),
    "phone": st.sampled_from(["", "13812345678", "+852 9123 4567", "0912-345-678"]),
    "channel": st.sampled_from(["", "webchat", "telegram"]),
    "branch": valid_names | st.just(""), "agent": valid_names | st.just(""),
    "summary": utf8_text.filter(lambda t: len(t) <= 2000 and "\x00" not in t)})
BREAKAGES = {
    "service_type": ["Auto Repair", "汽车维修", "=1+1", "a\x00"],
    "closed_at": ["yesterday", "2025-13-40", "\x00", "0001-01-01T00:00", "9999-12-31T23:59"],
    "customer_name": ["名" * 101, "王\x00五"],
    "phone": ["abc", "12", "1" * 16],
    "channel": ["sms", "\x00"],
    "customer_id": ["", "x" * 65],
}
bad_rows = st.tuples(good_rows, st.sampled_from(sorted(BREAKAGES))).flatmap(
    lambda pair: st.sampled_from(BREAKAGES[pair[1]]).map(
        lambda value: {**pair[0], pair[1]: value}))


@FUZZ
@given(rows=st.lists(st.tuples(st.booleans(), good_rows, bad_rows), min_size=1, max_size=8))
def test_csv_import_reports_every_bad_row_and_imports_the_rest(
        sessions: sessionmaker[Session], tmp_path: Path,
        rows: list[tuple[bool, dict[str, str], dict[str, str]]]) -> None:
    prefix = uuid.uuid4().hex[:8]
    path = tmp_path / f"{prefix}.csv"
    good, bad = [], []
    written = io.StringIO()
    writer = csv.writer(written)
    writer.writerow(HEADER)
    for number, (is_good, good_row, bad_row) in enumerate(rows):
        line = len(LINE_BREAK.findall(written.getvalue())) + 1  # where the row starts
        ticket_id = f"{prefix}-{number}"
        row = good_row if is_good else bad_row
        writer.writerow([ticket_id] + [row[column] for column in HEADER[1:]])
        (good if is_good else bad).append((line, ticket_id))
    path.write_text(written.getvalue(), encoding="utf-8-sig", newline="")
    report = import_file(path, sessions, utcnow(), gateway_settings("sqlite://", "http://rasa"))
    assert sorted(e.line for e in report.errors) == [line for line, _ in bad], report.errors
    assert all(e.reason for e in report.errors)
    assert report.imported == len(good)
    with sessions() as session:
        stored = set(session.scalars(select(Ticket.external_id)
                                     .where(Ticket.external_id.like(f"{prefix}-%"))))
    assert stored == {ticket_id for _, ticket_id in good}
