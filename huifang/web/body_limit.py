"""Request bodies larger than a per-route limit are refused with 413 before anything parses
them: by their Content-Length, and — for chunked or lying requests — by counting the bytes as
they stream in. An ASGI middleware, installed on every HTTP app of Huifang."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "请求内容过大，请缩短后再试。(request body too large)"


class BodySizeLimit:
    """`limits` are (path prefix, max bytes), first match wins; other paths get `default`."""

    def __init__(self, app: ASGIApp, limits: Sequence[tuple[str, int]] = (),
                 default: int = 256 * 1024) -> None:
        self.app = app
        self.limits = list(limits)
        self.default = default

    def limit_for(self, path: str) -> int:
        return next((size for prefix, size in self.limits if path.startswith(prefix)),
                    self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, 400, "Content-Length 无效 (malformed Content-Length)")
                return
            if int(declared) > limit:
                await _refuse(send, 413, TOO_LARGE)
                return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI and Starlette answer an HTTPException raised while the body is
                    # read with its status; nothing has been parsed yet
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counting, send)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
