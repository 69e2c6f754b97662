"""Exactly once, for real: two dispatch workers on one PostgreSQL database hand a campaign to
the real gateway (real Rasa + action server behind it), which delivers into the fake Telegram
Bot API server. One worker is killed mid-way; its leased callbacks are taken over. Every
customer gets the opening of the survey once — read from the fake server's record."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scheduler.live_stack import (
    INTRO,
    LiveStack,
    check_first_round_delivered_once,
    live_stack,
)

pytestmark = pytest.mark.rasa

CUSTOMERS = 60
LEASE_SECONDS = 8


@pytest.fixture(scope="module")
def stack(trained_models: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    with live_stack(tmp_path_factory.mktemp("scheduler-live")) as running_stack:
        yield running_stack


def wait_for(what: str, condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_two_dispatchers_send_each_callback_exactly_once_even_when_one_dies(
        stack: LiveStack, tmp_path: Path) -> None:
    users = stack.campaign(CUSTOMERS, "E2E")
    worker_env = {"HUIFANG_LEASE_SECONDS": str(LEASE_SECONDS),
                  "HUIFANG_DISPATCH_BATCH_SIZE": "5",
                  "HUIFANG_DISPATCH_INTERVAL_SECONDS": "0.3"}
    doomed = stack.start_dispatcher("left", concurrency=4, **worker_env)
    stack.start_dispatcher("right", concurrency=4, **worker_env)
    assert stack.make_due() == CUSTOMERS

    wait_for("a third of the campaign", lambda: stack.delivered_callbacks() >= CUSTOMERS // 3,
             300)
    doomed.send_signal(signal.SIGKILL)  # a crash: its leases are left behind
    doomed.wait()
    wait_for("every callback", lambda: stack.delivered_callbacks() == CUSTOMERS, 600)
    fake = stack.fake
    wait_for("every opening message",
             lambda: len({m.chat_id for m in list(fake.sent) if INTRO in m.text}) == CUSTOMERS,
             120)
    time.sleep(LEASE_SECONDS + 3)  # anything sent twice would show up by now

    check_first_round_delivered_once(stack, users)
