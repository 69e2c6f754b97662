"""Gateway fixtures: the fake Telegram Bot API server and the real gateway in a thread.

Tests without Rasa point the gateway at a closed port (Rasa is "down"); the end-to-end tests
use `gateway_stack`, a Rasa server + action server of their own whose actions call this
gateway back (HUIFANG_GATEWAY_INTERNAL_URL), so supervisors' alerts travel the real way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from huifang.settings import get_settings
from tests.gateway.support import RASA_TOKEN
from tests.support.fake_bot_api import FakeBotApi, RunningFakeBotApi, serving
from tests.support.processes import free_port
from tests.support.stack import RasaStack, rasa_stack_running


@pytest.fixture
def fake_telegram() -> Iterator[RunningFakeBotApi]:
    with serving(FakeBotApi()) as running:
        yield running


@pytest.fixture
def rasa_down() -> str:
    """A Rasa URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def gateway_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def gateway_stack(trained_models: None, gateway_port: int,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    """Rasa + actions on their own SQLite database, calling the gateway's internal API on
    `gateway_port`."""
    # The action server is given these settings' internal token (get_settings()'s), which is
    # also what the gateway under test checks.
    settings = get_settings().model_copy(update={
        "gateway_internal_url": f"http://127.0.0.1:{gateway_port}",
        "rasa_token": SecretStr(RASA_TOKEN),
    })
    workdir: Path = tmp_path_factory.mktemp("gateway-stack")
    with rasa_stack_running(workdir, settings) as stack:
        yield stack
