"""NUL characters: PostgreSQL refuses to store them (a 500 where it reached the database), no
legitimate request carries one, and they mean nothing to a reader.

- `without_nul`: what a customer typed keeps everything but its NUL characters.
- `reject_nul`: a validator for data from the ticketing system (intake API, CSV import): the
  field is refused with a clear reason.
- `NulGuard`: an ASGI middleware that answers 400 to a URL (path or query) or a form body with
  one, before any route looks them up.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL = "\x00"
REFUSED = "请求中含有空字符 (NUL)，无法处理 (request contains a NUL character)"
_FORM = b"application/x-www-form-urlencoded"
_ENCODED = b"%00"  # a NUL in a URL or a form body; a literal "%" is sent as "%25"


def without_nul(text: str | None) -> str | None:
    return text.replace(NUL, "") if text else text


def reject_nul(value: object) -> object:
    if isinstance(value, str) and NUL in value:
        raise ValueError("不能包含空字符 NUL (must not contain a NUL character)")
    return value


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if NUL in scope["path"] or _ENCODED in query or NUL.encode() in query:
            await JSONResponse({"detail": REFUSED}, status_code=400)(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not content_type.lower().startswith(_FORM):
            await self.app(scope, receive, send)
            return
        tail = b""

        async def scanning() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = tail + message.get("body", b"")
                if _ENCODED in chunk or NUL.encode() in chunk:
                    raise HTTPException(400, REFUSED)  # answered with this status (body_limit)
                tail = chunk[-2:]
            return message

        await self.app(scope, scanning, send)

