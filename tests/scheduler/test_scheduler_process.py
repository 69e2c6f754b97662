"""The real processes: `python -m scheduler` (API + persistent jobs) and two
`--dispatch-only` workers sharing one PostgreSQL database without overlap."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from huifang.db.types import utcnow
from huifang.settings import get_settings
from huifang.app.stack import python_module
from tests.scheduler.conftest import add_tickets, due_now, load, ticket_in
from tests.scheduler.gateway_standin import TOKEN, GatewayStandIn, serving
from tests.support.processes import free_port, running

API_KEY = "process-test-intake-key-0123456789"


@pytest.fixture
def live_gateway(database_url: str) -> Iterator[GatewayStandIn]:
    standin = GatewayStandIn(database_url, utcnow)
    with serving(standin.app()) as url:
        standin.url = url
        yield standin
    standin.close()


def environment(standin: GatewayStandIn, port: int | None = None) -> dict[str, str]:
    env = {
        "HUIFANG_GATEWAY_INTERNAL_URL": standin.url,
        "HUIFANG_INTERNAL_TOKEN": TOKEN,
        "HUIFANG_INTAKE_API_KEYS": f'["{API_KEY}"]',
        "HUIFANG_DISPATCH_INTERVAL_SECONDS": "0.2",
        "HUIFANG_DISPATCH_BATCH_SIZE": "10",
        # the real clock decides here: keep the window open whatever the time of day
        "HUIFANG_CONTACT_WINDOW_START": "00:00",
        "HUIFANG_CONTACT_WINDOW_END": "23:59:59.999999",
    }
    if port is not None:
        env["HUIFANG_SCHEDULER_PORT"] = str(port)
    return env


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.1)


def _spec(database_url: str, name: str, *args: str, health_url: str | None = None):  # type: ignore[no-untyped-def]
    settings = get_settings().model_copy(update={"database_url": database_url})
    spec = python_module(name, "scheduler", settings, health_url=health_url)
    spec.argv.extend(args)
    return spec


def test_the_scheduler_process_serves_intake_and_dispatches(
        database_url: str, sessions: sessionmaker[Session], live_gateway: GatewayStandIn,
        tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    spec = _spec(database_url, "scheduler", health_url=f"{base}/health")
    with running(spec, tmp_path / "logs", environment(live_gateway, port)):
        closed = (utcnow() - timedelta(days=2)).isoformat()
        ticket = {"ticket_id": "T-1", "customer_id": "C-1", "service_type": "generic",
                  "address": "wc-1", "closed_at": closed}
        answer = httpx.post(f"{base}/api/tickets", json=ticket, headers={"X-API-Key": API_KEY})
        assert answer.json()["created"] == ["T-1"]
        wait_for(lambda: len(live_gateway.deliveries) == 1)
        status = httpx.get(f"{base}/api/campaign/status", headers={"X-API-Key": API_KEY}).json()
        assert status["sent"] == 1
    with sessions() as session:
        jobs = set(session.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
    assert jobs == {"dispatch", "follow_up", "escalation_watch", "daily_digest"}
    assert live_gateway.deliveries[0].mode == "start"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_dispatch_workers_share_the_work_and_send_each_callback_once(
        database_url: str, sessions: sessionmaker[Session], live_gateway: GatewayStandIn,
        tmp_path: Path) -> None:
    ids = add_tickets(sessions, *(ticket_in(f"T-{n}") for n in range(300)))
    live_gateway.send_delay = 0.01
    env = environment(live_gateway)
    left = _spec(database_url, "left", "--dispatch-only", "--concurrency", "4")
    right = _spec(database_url, "right", "--dispatch-only", "--concurrency", "4")
    with running(left, tmp_path / "logs", env), running(right, tmp_path / "logs", env):
        time.sleep(2)  # both are up and polling before the work arrives
        due_now(sessions, *ids, now=utcnow() - timedelta(seconds=1))
        wait_for(lambda: len(live_gateway.deliveries) >= len(ids))
        time.sleep(1)  # anything sent twice would show up now
    assert live_gateway.delivered_ids() == sorted(ids)
    assert live_gateway.already_sent == []
    workers = Counter(d.worker for d in live_gateway.deliveries)
    assert len(workers) == 2, workers
    assert min(workers.values()) > len(ids) // 10, workers
    assert all(load(sessions, i).status.value == "in_progress" for i in ids[:: 37])
