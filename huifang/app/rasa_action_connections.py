"""Rasa opens a new aiohttp session, and with it a new TCP connection, for every call to the
action server: `EndpointConfig.request` enters `self.session()` and closes it after its one
request. Connecting was about 4 % of the Rasa server's CPU a turn (docs/performance.md), and
the action server accepted a new connection for every call as well.

`keep_action_server_connections_open()` (called by the launcher) makes `session()` hand out one
session per endpoint and event loop, made by Rasa's own `session()` (the same headers, auth and
timeout), that the `async with` in `request` leaves open: its connections are kept alive between
calls. The server's stop closes them (after Rasa's own `close_resources`): aiohttp logs a
session left open as an ERROR, "Unclosed client session", at every shutdown. aiohttp drops an
idle connection after 15 s, before the action server (Sanic, 120 s) would, and never reuses one the
server has closed. Everything else in `request` (the URL, parameters, error statuses, the JSON
answer) stays Rasa's. Runs in the Rasa virtualenv."""

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


async def close_kept_sessions() -> None:
    """Close the sessions kept on the running event loop."""
    loop = asyncio.get_running_loop()
    for key, (owner, session) in list(_kept.items()):
        if owner is loop:
            _kept.pop(key, None)
            await session.close()


def keep_action_server_connections_open() -> None:
    import rasa.core.run
    from rasa.utils.endpoints import EndpointConfig

    rasas_close = rasa.core.run.close_resources

    async def close_resources(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await rasas_close(app, loop)
        finally:
            await close_kept_sessions()

    # serve_application looks the listener up by name when it registers it
    rasa.core.run.close_resources = close_resources  # type: ignore[assignment]

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
