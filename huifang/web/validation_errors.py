"""422 answers that cannot fail: FastAPI's own handler echoes the refused input back, and an input
with a lone surrogate ("\\ud800" in JSON) or an infinite number cannot be written as a JSON
response — the refusal itself became a 500. Here each error says where and why, never what was
sent (which also keeps customers' data out of error bodies)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

KEPT = ("type", "loc", "msg")


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value if isinstance(value, int) or value is None else _printable(str(value))


async def _refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{key: _printable(error[key]) for key in KEPT if key in error}
              for error in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _refused)
