"""A stand-in for the gateway's internal API, used by the claim/lease and dispatch tests.

It does what docs/contracts.md asks of the gateway on a send — the compare-and-set on
`delivered_round` in the same database, by calling the lifecycle's own `take_round` (what the
gateway's bot.callback_rounds calls), so it follows whatever that becomes — but asks no Rasa
and stores or delivers nothing; it records every round it delivered and every digest. Tests
can force an answer (409, 503, …) per callback. The exactly-once
test through the real gateway and the fake Bot API server is test_gateway_end_to_end.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from huifang.callback_lifecycle import take_round
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.gateway_contract import ROUND_HTTP_STATUS, RoundStatus
from tests.support.processes import free_port

TOKEN = "standin-internal-token-0123456789"


@dataclass(frozen=True)
class Delivery:
    callback_id: int
    round: int
    mode: str
    worker: str | None


@dataclass
class GatewayStandIn:
    database_url: str
    clock: Callable[[], datetime]
    deliveries: list[Delivery] = field(default_factory=list)
    already_sent: list[Delivery] = field(default_factory=list)
    digests: list[tuple[str, str]] = field(default_factory=list)  # (text, day)
    digest_tries: int = 0
    forced: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    digests_fail: bool = False
    send_delay: float = 0.0
    url: str = ""

    def __post_init__(self) -> None:
        self._engine = create_db_engine(self.database_url)
        self._sessions = session_factory(self._engine)
        self._lock = threading.Lock()

    def delivered_ids(self) -> list[int]:
        return sorted(d.callback_id for d in self.deliveries)

    def app(self) -> FastAPI:
        app = FastAPI()

        def authorised(authorization: str | None) -> None:
            if authorization != f"Bearer {TOKEN}":
                raise HTTPException(401)

        @app.post("/internal/callbacks/{callback_id}/send")
        def send(callback_id: int, body: dict[str, Any],
                 authorization: str | None = Header(None),
                 x_dispatch_worker: str | None = Header(None)) -> JSONResponse:
            authorised(authorization)
            if callback_id in self.forced:
                code, answer = self.forced[callback_id]
                return JSONResponse(answer, status_code=code)
            time.sleep(self.send_delay)
            delivery = Delivery(callback_id, int(body["round"]), body["mode"], x_dispatch_worker)
            with session_scope(self._sessions) as session:
                claimed = take_round(session, callback_id, delivery.round, self.clock())
            with self._lock:
                (self.deliveries if claimed else self.already_sent).append(delivery)
            status = RoundStatus.SENT if claimed else RoundStatus.ALREADY_SENT
            answer: dict[str, Any] = {"status": status.value}
            if claimed:
                answer["messages"] = 2
            return JSONResponse(answer, status_code=ROUND_HTTP_STATUS[status])

        @app.post("/internal/supervisors/digest")
        def digest(body: dict[str, str], authorization: str | None = Header(None)
                   ) -> JSONResponse:
            authorised(authorization)
            with self._lock:
                self.digest_tries += 1
                if self.digests_fail:
                    return JSONResponse({"detail": "database down"}, status_code=500)
                if all(day != body["day"] for _, day in self.digests):  # keyed by its day
                    self.digests.append((body["text"], body["day"]))
            return JSONResponse({"status": "sent"})

        return app

    def close(self) -> None:
        self._engine.dispose()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway stand-in did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
