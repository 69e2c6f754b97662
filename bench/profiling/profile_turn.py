"""Profile one customer turn of Huifang's Rasa + action server, measured not assumed
(docs/performance.md):

- Rasa side (bench/profiling/rasa_probe.py, in the Rasa virtualenv, agent loaded in process):
  wall time per turn in NLU, policies, tracker store load/save and action server calls;
- action server side (here, in process, under cProfile): the same rasa-sdk executor and
  `actions` package the real action server runs, behind a plain HTTP server, so the profile
  shows where an action call's time goes (database, template rendering, classifier, JSON).

    .venv/bin/python -m bench.profiling.profile_turn [--conversations 6] [--redis URL]
        [--top 25]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from huifang.app.model_build import RASA_MODEL, build_all
from huifang.app.rasa_endpoints import RedisStores, write_endpoints
from huifang.app.stack import RASA_PYTHON
from huifang.db.types import utcnow
from huifang.settings import PROJECT_ROOT
from tests.support.databases import migrated
from tests.support.processes import free_port


class ProfiledActions:
    """rasa-sdk's executor for our actions, every call run under one cProfile profile."""

    def __init__(self) -> None:
        from rasa_sdk.executor import ActionExecutor

        self.executor = ActionExecutor()
        self.executor.register_package("actions")
        self.profile = cProfile.Profile()
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()

    def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        began = time.perf_counter()
        result = self.profile.runcall(self.loop.run_until_complete,
                                      self.executor.run(payload))
        self.seconds[payload["next_action"]] += time.perf_counter() - began
        self.calls[payload["next_action"]] += 1
        return result.model_dump() if result else {}


def _serve(actions: ProfiledActions) -> tuple[ThreadingHTTPServer, str]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                body = json.dumps(actions.run(payload)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def _create_callbacks(database_url: str, count: int) -> list[str]:
    from sqlalchemy import select

    from huifang.db import create_db_engine, session_factory, session_scope
    from huifang.db.models import Callback
    from huifang.intake import TicketIn, ingest

    now = utcnow()
    tickets = [TicketIn(ticket_id=f"P-{i}", customer_id=f"pc-{i}", service_type="auto_repair",
                        closed_at=now - timedelta(days=1)) for i in range(count)]
    engine = create_db_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            ingest(session, tickets, now)
            return [f"callback-{i}" for i in session.scalars(select(Callback.id))]
    finally:
        engine.dispose()


def _print_rasa(probe: dict[str, Any]) -> None:
    turns = probe["turns"]
    count = len(turns)
    mean = statistics.fmean(turns)
    print(f"Rasa turn (in process, {count} turns): mean {mean * 1000:.1f} ms, "
          f"p50 {statistics.median(turns) * 1000:.1f} ms")
    accounted = 0.0
    for label, item in sorted(probe["components"].items(), key=lambda kv: -kv[1]["seconds"]):
        per_turn = item["seconds"] / count
        accounted += per_turn
        print(f"  {label:<32} {per_turn * 1000:6.1f} ms/turn  "
              f"({item['calls'] / count:.1f} calls/turn)")
    print(f"  {'rest (processor, events, locks)':<32} {(mean - accounted) * 1000:6.1f} ms/turn")


def _print_actions(actions: ProfiledActions, turns: int, top: int) -> None:
    total = sum(actions.seconds.values())
    print(f"Action server, in process: {total / max(turns, 1) * 1000:.1f} ms/turn of executor "
          f"time over {sum(actions.calls.values())} calls (incl. the starts)")
    for name, seconds in actions.seconds.most_common():
        print(f"  {name:<28} {actions.calls[name]:>4} calls, "
              f"{seconds / actions.calls[name] * 1000:6.1f} ms each")
    out = io.StringIO()
    pstats.Stats(actions.profile, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=6)
    parser.add_argument("--redis", default=None, help="Redis URL for the tracker store")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    build_all()
    with tempfile.TemporaryDirectory(prefix="profile-turn-") as tmp, \
            migrated("sqlite", Path(tmp)) as url:
        os.environ["HUIFANG_DATABASE_URL"] = url
        senders = _create_callbacks(url, args.conversations + 1)
        actions = ProfiledActions()
        server, action_url = _serve(actions)
        endpoints = write_endpoints(Path(tmp) / "endpoints.yml", action_url,
                                    str(Path(tmp) / "tracker.db"),
                                    RedisStores(args.redis, f"profile{os.getpid()}", 3600)
                                    if args.redis else None)
        try:
            done = subprocess.run(
                [str(RASA_PYTHON), "-m", "bench.profiling.rasa_probe", str(RASA_MODEL),
                 str(endpoints), *senders],
                cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_NUM_INTRAOP_THREADS": "1",
                     "TF_NUM_INTEROP_THREADS": "1", "PYTHONPATH": str(PROJECT_ROOT),
                     # the endpoints file names it; this in-process action server checks none
                     "HUIFANG_ACTION_SERVER_TOKEN": secrets.token_hex(16)})
        finally:
            server.shutdown()
        line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE ")), None)
        if line is None:
            raise SystemExit(f"probe failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        probe = json.loads(line.removeprefix("PROBE "))
        _print_rasa(probe)
        _print_actions(actions, len(probe["turns"]) * (args.conversations + 1)
                       // args.conversations, args.top)


if __name__ == "__main__":
    main()
