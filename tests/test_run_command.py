"""The first README command: `huifang run` (in dev mode, as `make run` starts it, with no
secret configured) brings every process up on SQLite + web chat, prints the demo customers'
chat links, and the demo campaign's callback actually reaches its web-chat customer; no
secret shows in the processes' log lines."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from huifang.db import create_db_engine, session_factory
from huifang.db.models import Callback, CallbackStatus, Direction, Message
from huifang.app.demo import DEMO_TICKETS
from huifang.settings import PROJECT_ROOT
from tests.support.processes import free_port

pytestmark = pytest.mark.rasa


def test_run_starts_everything_and_the_demo_callback_happens(trained_models: None,
                                                             tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("rasa", "actions", "gateway", "scheduler", "console")}
    database = f"sqlite:///{tmp_path / 'run.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")},
        "HUIFANG_DEV_MODE": "true",
        "HUIFANG_DATABASE_URL": database,
        "HUIFANG_RASA_TRACKER_DB": str(tmp_path / "tracker.db"),
        "HUIFANG_RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "HUIFANG_ACTION_SERVER_PORT": str(ports["actions"]),
        "HUIFANG_GATEWAY_PORT": str(ports["gateway"]),
        "HUIFANG_GATEWAY_INTERNAL_URL": f"http://127.0.0.1:{free_port()}",
        "HUIFANG_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['gateway']}",
        "HUIFANG_SCHEDULER_PORT": str(ports["scheduler"]),
        "HUIFANG_CONSOLE_PORT": str(ports["console"]),
        "HUIFANG_DISPATCH_INTERVAL_SECONDS": "1",
        # the dispatcher honours the contact window; make it open whenever the test runs
        "HUIFANG_CONTACT_WINDOW_START": "00:00",
        "HUIFANG_CONTACT_WINDOW_END": "23:59",
    }
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "huifang.app.cli.main", "run", "--no-train"],
                               cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    sessions = session_factory(create_db_engine(database))
    link = re.compile(rf"web chat of demo customer {DEMO_TICKETS[0][2]}: "
                      rf"http://127\.0\.0\.1:{ports['gateway']}/chat/([\w-]{{32,}})")
    try:
        deadline = time.monotonic() + 600  # Rasa alone can take minutes on a busy machine
        delivered: list[dict] = []
        token = None
        while time.monotonic() < deadline and process.poll() is None:
            found = link.search((tmp_path / "run.log").read_text(errors="replace"))
            token = token or (found.group(1) if found else None)
            if token is None:
                time.sleep(1)
                continue
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{ports['gateway']}/webchat/{token}/messages", timeout=5)
                if response.status_code == 200:
                    delivered = response.json()
                    if any("总体满意度" in (m.get("text") or "") for m in delivered):
                        break
            except httpx.HTTPError:
                pass
            time.sleep(2)
        assert process.poll() is None, (tmp_path / "run.log").read_text()[-5000:]
        assert any("总体满意度" in (m.get("text") or "") for m in delivered), \
            (tmp_path / "run.log").read_text()[-5000:]
        with sessions() as session:
            callbacks = session.scalars(select(Callback)).all()
            assert len(callbacks) == len(DEMO_TICKETS)
            assert CallbackStatus.IN_PROGRESS in {c.status for c in callbacks}
            assert session.scalars(select(Message).where(
                Message.direction == Direction.OUTBOUND,
                Message.callback_id == callbacks[0].id)).first()
        for name in ("console", "scheduler"):
            assert httpx.get(f"http://127.0.0.1:{ports[name]}/", timeout=5).status_code < 500
        # no process logs a secret in a URL unmasked (httpx, for one, logs every call it
        # makes; the gateway's calls to Rasa go through aiohttp, which logs none)
        output = (tmp_path / "run.log").read_text(errors="replace")
        assert not re.search(r"token=(?!\*\*\*)", output), output[-5000:]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
