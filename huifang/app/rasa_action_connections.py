"""Rasa opens a new aiohttp session, and with it a new TCP connection, for every call to the
action server: `EndpointConfig.request` enters `self.session()` and closes it after its one
request. Connecting was about 4 % of the Rasa server's CPU a turn (docs/performance.md), and
the action server accepted a new connection for every call as well.

`keep_action_server_connections_open()` (called by the launcher) makes `session()` hand out
one session per endpoint and event loop, made by Rasa's own `session()` (the same headers, auth
and timeout), that the `async with` in `request` leaves open: its connections are kept alive
between calls. aiohttp drops an idle one after 15 s, before the action server (Sanic, 120 s)
would, and never reuses one the server has closed. Everything else in `request` (the URL,
parameters, error statuses, the JSON answer) stays Rasa's. Runs in the Rasa virtualenv."""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Any

# EndpointConfig defines __eq__, so it cannot key a WeakKeyDictionary: kept by id, and dropped
# when its endpoint is collected
_kept: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}


class _LeftOpen:
    """`async with` over a kept session: entering gives the session, leaving closes nothing."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        return None


def keep_action_server_connections_open() -> None:
    from rasa.utils.endpoints import EndpointConfig

    rasas_own = EndpointConfig.session

    def session(self: EndpointConfig) -> _LeftOpen:
        loop = asyncio.get_running_loop()
        kept = _kept.get(id(self))
        if kept is None or kept[0] is not loop or kept[1].closed:
            if kept is None:
                weakref.finalize(self, _kept.pop, id(self), None)
            kept = _kept[id(self)] = (loop, rasas_own(self))
        return _LeftOpen(kept[1])

    EndpointConfig.session = session  # type: ignore[method-assign]
