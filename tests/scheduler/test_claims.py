"""Claims and leases: disjoint batches, a crashed worker's lease expiring, never a double send."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang.callback_policy import PolicyBook
from huifang.db.models import CallbackStatus
from scheduler.claims import claim_due
from scheduler.dispatch import Dispatcher
from scheduler.gateway_client import GatewayClient
from tests.scheduler.conftest import (
    NOW,
    SETTINGS,
    FakeClock,
    add_tickets,
    due_now,
    load,
    make_dispatcher,
    ticket_in,
)
from tests.scheduler.gateway_standin import TOKEN, Delivery, GatewayStandIn

LEASE = timedelta(seconds=SETTINGS.lease_seconds)


def _due(sessions: sessionmaker[Session], count: int) -> list[int]:
    ids = add_tickets(sessions, *(ticket_in(f"T-{n}") for n in range(count)))
    due_now(sessions, *ids)
    return ids


def test_batches_are_disjoint_and_oldest_first(sessions: sessionmaker[Session]) -> None:
    ids = _due(sessions, 5)
    with sessions.begin() as session:
        first = claim_due(session, "a", NOW, 3, 300)
    with sessions.begin() as session:
        second = claim_due(session, "b", NOW, 3, 300)
    assert [c.callback_id for c in first] == ids[:3]
    assert [c.callback_id for c in second] == ids[3:]
    assert {(c.send_round, c.send_mode) for c in first + second} == {(1, "start")}
    claimed = load(sessions, ids[0])
    assert (claimed.status, claimed.lease_owner, claimed.lease_expires_at, claimed.attempts) == (
        CallbackStatus.SENDING, "a", NOW + timedelta(seconds=300), 1)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_claims_skip_rows_locked_by_another_claim(sessions: sessionmaker[Session]) -> None:
    ids = _due(sessions, 4)
    with sessions.begin() as holding:
        first = claim_due(holding, "a", NOW, 2, 300)  # not committed: rows stay locked
        with sessions.begin() as other:
            second = claim_due(other, "b", NOW, 10, 300)  # returns at once, without them
    assert [c.callback_id for c in first] == ids[:2]
    assert [c.callback_id for c in second] == ids[2:]


def test_a_worker_that_crashed_after_sending_is_taken_over_without_a_second_send(
        sessions: sessionmaker[Session], gateway: GatewayClient, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    [survey] = _due(sessions, 1)
    crashed = make_dispatcher(sessions, gateway, clock, book, owner="crashed")
    [claim] = crashed.claim()
    gateway.send_round(claim.callback_id, claim.send_round, claim.send_mode)  # then it dies
    crashed.close()
    assert load(sessions, survey).status == CallbackStatus.SENDING

    successor = make_dispatcher(sessions, gateway, clock, book, owner="successor")
    clock.now = NOW + LEASE - timedelta(seconds=1)
    assert successor.run_pass().claimed == 0  # the lease still holds
    clock.now = NOW + LEASE
    report = successor.run_pass()
    assert (report.claimed, report.delivered, report.already_sent) == (1, 1, 1)
    assert gateway_standin.deliveries == [Delivery(survey, 1, "start", None)]
    callback = load(sessions, survey)
    assert (callback.status, callback.attempts, callback.lease_owner) == (
        CallbackStatus.IN_PROGRESS, 2, None)
    successor.close()


def test_a_worker_that_crashed_before_sending_is_taken_over(
        sessions: sessionmaker[Session], gateway: GatewayClient, clock: FakeClock,
        book: PolicyBook, gateway_standin: GatewayStandIn) -> None:
    [survey] = _due(sessions, 1)
    crashed = make_dispatcher(sessions, gateway, clock, book, owner="crashed")
    [claim] = crashed.claim()
    clock.now = NOW + LEASE + timedelta(seconds=5)
    successor = make_dispatcher(sessions, gateway, clock, book, owner="successor")
    assert successor.run_pass().delivered == 1
    assert gateway_standin.delivered_ids() == [survey]
    late = crashed.dispatch(claim)  # the presumed-dead worker wakes up
    assert (late.lost_lease, late.delivered) == (1, 0)
    assert gateway_standin.delivered_ids() == [survey]
    crashed.close()
    successor.close()


def _concurrent_dispatchers(sessions: sessionmaker[Session], standin: GatewayStandIn,
                            clock: FakeClock, book: PolicyBook) -> list[Dispatcher]:
    workers = []
    for name in ("left", "right"):
        client = GatewayClient(standin.url, TOKEN, timeout=10, worker=name)
        workers.append(make_dispatcher(sessions, client, clock, book, owner=name))
    return workers


def test_two_dispatchers_at_once_send_each_callback_exactly_once(
        sessions: sessionmaker[Session], clock: FakeClock, book: PolicyBook,
        gateway_standin: GatewayStandIn) -> None:
    ids = _due(sessions, 120)
    gateway_standin.send_delay = 0.005
    workers = _concurrent_dispatchers(sessions, gateway_standin, clock, book)
    start = threading.Barrier(len(workers))

    def run(worker: Dispatcher) -> None:
        start.wait()
        worker.run_pass()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert gateway_standin.delivered_ids() == sorted(ids)  # every one, none twice
    assert gateway_standin.already_sent == []
    per_worker = Counter(d.worker for d in gateway_standin.deliveries)
    assert set(per_worker) == {"left", "right"}, per_worker  # both took a share
    assert {load(sessions, i).status for i in ids} == {CallbackStatus.IN_PROGRESS}
    for worker in workers:
        worker.gateway.close()
        worker.close()
