"""`python -m bot`: the gateway — the public listener on settings.gateway_host:gateway_port and
the internal API on 127.0.0.1 at the port of settings.gateway_internal_url."""

from __future__ import annotations

import asyncio
import signal

import uvicorn
from fastapi import FastAPI

from bot.app import create_app, create_internal_app
from bot.gateway import Gateway
from huifang.masking import configure_logging
from huifang.secret_rules import enforce_for
from huifang.settings import Settings, get_settings

INTERNAL_HOST = "127.0.0.1"


class _Server(uvicorn.Server):
    """Signals are handled once for both listeners (`_serve`), not by each server."""

    def install_signal_handlers(self) -> None:
        pass


def _server(app: FastAPI, host: str, port: int) -> _Server:
    return _Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                  proxy_headers=False))


async def _serve(settings: Settings) -> None:
    gateway = Gateway(settings)
    public = _server(create_app(gateway=gateway), settings.gateway_host, settings.gateway_port)
    internal = _server(create_internal_app(gateway), INTERNAL_HOST,
                       settings.gateway_internal_port)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: setattr(public, "should_exit", True))
    public_task = asyncio.create_task(public.serve())
    while not public.started and not public_task.done():
        await asyncio.sleep(0.05)  # the gateway is started by the public app's lifespan
    if public_task.done():
        await public_task
        raise SystemExit(1)
    internal_task = asyncio.create_task(internal.serve())
    await asyncio.wait([public_task, internal_task], return_when=asyncio.FIRST_COMPLETED)
    internal.should_exit = public.should_exit = True
    await asyncio.gather(public_task, internal_task)


def main() -> None:
    configure_logging()
    settings = get_settings()
    enforce_for("gateway", settings)
    asyncio.run(_serve(settings))


if __name__ == "__main__":
    main()
