"""Rasa's calls to the action server keep their connection open between calls
(huifang/app/rasa_action_connections.py) and otherwise answer as Rasa's own: the same JSON,
headers and query, the same error on an error status; a connection the server closed, and a
new event loop, are handled; the server's stop closes them. Run in the Rasa virtualenv against
a small aiohttp server."""

from __future__ import annotations

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import asyncio, json
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from huifang.app.rasa_action_connections import keep_action_server_connections_open

async def calls():
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername")[1])
        body = await request.json()
        if body.get("fail"):
            return web.json_response({"error": "refused"}, status=400)
        answer = web.json_response({"echo": body, "auth": request.headers.get("Authorization"),
                                    "query": dict(request.query)})
        if body.get("close"):
            answer.force_close()  # the server ends this connection after answering
        return answer

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}", token="q1",
                              headers={"Authorization": "Bearer t0k"})
    answers = [await endpoint.request(subpath="webhook", json={"n": n}) for n in range(4)]
    answers.append(await endpoint.request(subpath="webhook", json={"close": True}))
    answers.append(await endpoint.request(subpath="webhook", json={"after": "close"}))
    try:
        await endpoint.request(subpath="webhook", json={"fail": True})
        error = None
    except ClientResponseError as refused:
        error = [refused.status, refused.message, refused.text.decode()]
    await runner.cleanup()
    return {"answers": answers, "error": error, "connections": len(set(peers)),
            "calls": len(peers)}

rasas = asyncio.run(calls())
keep_action_server_connections_open()
ours = asyncio.run(calls())
again = asyncio.run(calls())  # a new event loop: a new session, no error
print(json.dumps({"rasas": rasas, "ours": ours, "again": again}))
"""


@pytest.fixture(scope="module")
def answers() -> dict[str, dict[str, object]]:
    return run_in_rasa_venv(_PROBE)


def test_one_connection_carries_the_calls(answers: dict[str, dict[str, object]]) -> None:
    assert answers["rasas"]["calls"] == answers["ours"]["calls"] == 7
    assert answers["rasas"]["connections"] == 7  # Rasa's own: one connection a call
    # ours: one until the server closes it, one after
    assert answers["ours"]["connections"] == answers["again"]["connections"] == 2


def test_every_answer_and_error_is_rasas_own(answers: dict[str, dict[str, object]]) -> None:
    assert answers["ours"]["answers"] == answers["rasas"]["answers"]
    assert answers["again"]["answers"] == answers["rasas"]["answers"]
    assert answers["rasas"]["answers"][0] == {"echo": {"n": 0}, "auth": "Bearer t0k",
                                              "query": {"token": "q1"}}
    assert answers["ours"]["error"] == answers["rasas"]["error"]
    assert answers["rasas"]["error"][0] == 400


_STOP_PROBE = """
import asyncio, json, logging, types
from aiohttp import web
import rasa.core.run
from rasa.utils.endpoints import EndpointConfig
from huifang.app.rasa_action_connections import keep_action_server_connections_open

keep_action_server_connections_open()
unclosed = []
logging.getLogger("asyncio").addHandler(
    type("H", (logging.Handler,), {"emit": lambda self, r: unclosed.append(r.getMessage())})())

async def serve_then_stop():
    app = web.Application()
    app.router.add_post("/webhook", lambda request: web.json_response({"ok": True}))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}")
    await endpoint.request(subpath="webhook", json={})
    async with endpoint.session() as session:
        pass
    # Rasa's own listener, as serve_application registers it (no agent: nothing else to close)
    await rasa.core.run.close_resources(types.SimpleNamespace(ctx=types.SimpleNamespace()),
                                        asyncio.get_running_loop())
    await runner.cleanup()
    return session.closed, endpoint

closed, endpoint = asyncio.run(serve_then_stop())
del endpoint
import gc; gc.collect()
print(json.dumps({"closed": closed, "unclosed": unclosed}))
"""


def test_the_servers_stop_closes_the_kept_connections() -> None:
    """Rasa logged "ERROR asyncio - Unclosed client session" at every shutdown."""
    stopped = run_in_rasa_venv(_STOP_PROBE)
    assert stopped == {"closed": True, "unclosed": []}
