"""A fake of Rasa's customer channel (rasa_channels/customer_input.py) for the gateway's
inbound tests: it answers "收到：<text>", takes a message key in at most once as the real channel
does (a key seen before gets the first answer again, nothing is recorded twice; a message
marked as a first try is not looked up, and one whose key it knew is counted as a broken
promise), and can be down (503) or slow (it takes the message in, then answers only after
`release()`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse


@dataclass
class FakeRasa:
    down: bool = False
    slow: bool = False
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)  # sender, text, key
    first_tries: list[bool] = field(default_factory=list)  # each call's `first_try` mark
    broken_promises: list[str] = field(default_factory=list)  # first tries of known keys
    taken_in: list[tuple[str, str]] = field(default_factory=list)  # what Rasa "recorded"
    _answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _gate: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.slow = False
        self._gate.set()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/huifang/webhook")
        async def channel(request: Request) -> Any:
            body = await request.json()
            sender = body["sender"]
            text = body.get("text") or body.get("button")
            metadata = body.get("metadata") or {}
            key, first_try = metadata.get("message_key"), metadata.get("first_try") is True
            self.calls.append((sender, text, key))
            self.first_tries.append(first_try)
            if self.down:
                return JSONResponse({"error": "down"}, status_code=503)
            if key is not None and key in self._answers:
                if first_try:
                    self.broken_promises.append(key)
                else:
                    return self._answers[key]
            self.taken_in.append((sender, text))
            answer = [{"recipient_id": sender, "text": f"收到：{text}"}]
            if key is not None:
                self._answers[key] = answer
            if self.slow:
                await run_in_threadpool(self._gate.wait, 60)
            return answer

        return app
