"""A TCP proxy between the gateway and Rasa that can be made slow: while `slow_for(seconds)`
is in force, every answer coming back from Rasa is held `delay` seconds before it is passed on
(Rasa did the work; the gateway, whose read timeout is shorter, gives up waiting first)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.processes import free_port


class SlowProxy:
    def __init__(self, upstream_port: int, delay: float) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.port = free_port()
        self._slow_until = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def slow_for(self, seconds: float) -> None:
        self._slow_until = time.monotonic() + seconds

    def _slow(self) -> bool:
        return time.monotonic() < self._slow_until

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    hold: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                if hold and self._slow():
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _connection(self, client_reader: asyncio.StreamReader,
                          client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port)
        except OSError:  # Rasa is down: the gateway sees a refused/closed connection
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, upstream_writer, hold=False),
                             self._pipe(upstream_reader, client_writer, hold=True))

    async def _serve(self, started: threading.Event, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        started.set()
        async with server:
            await stop.wait()


@contextmanager
def slow_proxy(upstream_port: int, delay: float) -> Iterator[SlowProxy]:
    proxy = SlowProxy(upstream_port, delay)
    started = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(proxy._serve(started, stop))
        pending = asyncio.all_tasks(loop)  # connections still open: cut them
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, daemon=True, name="slow-proxy")
    thread.start()
    if not started.wait(10):
        raise RuntimeError("slow proxy did not start")
    try:
        yield proxy
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
