"""Gateway fixtures: the fake Telegram Bot API server and the real gateway in a thread.

Tests without Rasa point the gateway at a closed port (Rasa is "down"); the end-to-end tests
use `gateway_stack` (tests/conftest.py: the session's shared Rasa + action server), whose
actions call back the gateway they run on `gateway_port`, so supervisors' alerts travel the
real way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_bot_api import FakeBotApi, RunningFakeBotApi, serving
from tests.support.processes import free_port


@pytest.fixture
def fake_telegram() -> Iterator[RunningFakeBotApi]:
    with serving(FakeBotApi()) as running:
        yield running


@pytest.fixture
def rasa_down() -> str:
    """A Rasa URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
