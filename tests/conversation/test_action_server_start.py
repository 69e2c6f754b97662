"""The real action server loads the complaint classifier before it serves, so the first
customer's answer after a start does not wait for it; and it serves from one process."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from huifang.app.stack import action_server
from huifang.settings import Settings
from tests.support.databases import sqlite_url
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack

pytestmark = pytest.mark.rasa


def test_the_action_server_has_the_classifier_loaded_when_it_serves(rasa_stack: RasaStack) -> None:
    log = (rasa_stack.log_dir / "actions.log").read_text(errors="replace")
    loaded = log.find("complaint classifier loaded before serving")
    ready = log.find("Worker ready")
    assert 0 <= loaded < ready, log[-3000:]


def children(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_the_action_server_is_one_process_that_leaves_nothing_behind(tmp_path: Path) -> None:
    """A clean-clone run lost the 2 × 2 × 2 scale-out test: Sanic's worker manager stops the
    server when its worker has not reported ready within 30 s (a constant in Sanic), and loading
    the classifier before serving took longer than that on a busy machine. One process has no
    such deadline; and killing it frees the port (no orphaned worker keeps serving)."""
    settings = Settings(_env_file=None, dev_mode=True, database_url=sqlite_url(tmp_path),
                        action_server_token=SecretStr("action-server-test-token-0123456789"),
                        internal_token=SecretStr("internal-test-token-0123456789"))
    port = free_port()
    with running(action_server(settings, port), tmp_path / "logs",
                 extra_env={"HUIFANG_DEV_MODE": "true"}) as process:
        assert children(process.pid) == []
        process.kill()
        process.wait(timeout=30)
        with pytest.raises(ConnectionRefusedError), socket.create_connection(
                ("127.0.0.1", port), timeout=5):
            pass
