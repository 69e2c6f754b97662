"""A/B of the gateway: two code trees' gateways (`python -m bot`) in front of ONE Rasa + action
server stack on SQLite, conversations alternating between them (A B, then B A, …), so both
see the same machine at the same moments. Prints each side's web-chat turn latency and the
gateway process's CPU time per turn (from /proc), the figure least moved by a noisy machine.
Run it from tree B; A is another checkout (e.g. a `git worktree` of the commit before):

    PYTHONPATH=. .venv/bin/python -m bench.profiling.gateway_ab /path/to/tree-a
        [--conversations 40] [--concurrency 1] [--py-spy FILE]   # FILE: raw py-spy of B

The periodic inbox pass is set an hour apart in both gateways: with one database, each would
otherwise also take the other's messages."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.bench_capacity import Conversation, client, webchat_prepare
from bench.bench_gateway import gateway_environment, percentile
from huifang.app.stack import APP_PYTHON, ProcessSpec, python_module
from huifang.settings import get_settings
from tests.support.processes import free_port, running
from tests.support.stack import RasaStack, rasa_stack_running

SIDES = ("A", "B")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _gateway_spec(side: str, tree_a: str, stack: RasaStack, public: str) -> ProcessSpec:
    spec = python_module(f"gateway-{side}", "bot", stack.settings, f"{public}/health")
    if side == "B":
        return spec
    run_a = (f"import sys; sys.path.insert(0, {tree_a!r}); import runpy; "
             "runpy.run_module('bot', run_name='__main__', alter_sys=True)")
    return ProcessSpec(spec.name, [APP_PYTHON, "-c", run_a], env=spec.env,
                       health_url=spec.health_url)


async def _measure(stack: RasaStack, public: dict[str, str], internal: dict[str, str],
                   pids: dict[str, int], conversations: int, concurrency: int) -> None:
    latencies: dict[str, list[float]] = {side: [] for side in SIDES}
    cpu = dict.fromkeys(SIDES, 0.0)
    async with client() as http:
        prepare = {side: webchat_prepare(http, stack, public[side], internal[side])
                   for side in SIDES}

        async def play(side: str, conversation: Conversation) -> None:
            done = False
            while not done:
                began = time.perf_counter()
                done = await conversation.turn()
                latencies[side].append(time.perf_counter() - began)

        for side in SIDES:  # warm-up, not counted
            for conversation in await prepare[side](2):
                await play(side, conversation)
        latencies = {side: [] for side in SIDES}
        for round_ in range(max(conversations // concurrency, 1)):
            for side in (SIDES if round_ % 2 == 0 else SIDES[::-1]):
                playing = await prepare[side](concurrency)
                before = cpu_seconds(pids[side])
                await asyncio.gather(*(play(side, c) for c in playing))
                cpu[side] += cpu_seconds(pids[side]) - before
    for side in SIDES:
        turns = latencies[side]
        print(f"{side}: {len(turns)} turns, p50 {statistics.median(turns) * 1000:.1f} ms, "
              f"mean {statistics.mean(turns) * 1000:.1f} ms, "
              f"p95 {percentile(turns, .95) * 1000:.1f} ms, "
              f"gateway CPU {cpu[side] / len(turns) * 1000:.2f} ms/turn", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree_a")
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--py-spy", dest="py_spy", default=None)
    args = parser.parse_args(argv)
    internal = {side: f"http://127.0.0.1:{free_port()}" for side in SIDES}
    public = {side: f"http://127.0.0.1:{free_port()}" for side in SIDES}
    settings = get_settings().model_copy(update={"gateway_internal_url": internal["B"]})
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as running_now:
        stack = running_now.enter_context(rasa_stack_running(Path(tmp), settings, "sqlite"))
        pids = {}
        for side in SIDES:
            env = {**gateway_environment(stack, int(public[side].rsplit(":", 1)[1]),
                                         internal[side]),
                   "HUIFANG_INBOX_POLL_SECONDS": "3600"}
            process = running_now.enter_context(running(
                _gateway_spec(side, args.tree_a, stack, public[side]), Path(tmp) / "logs", env))
            pids[side] = process.pid
        spy = None if args.py_spy is None else subprocess.Popen(
            ["py-spy", "record", "-p", str(pids["B"]), "-r", "250", "-f", "raw", "-o",
             args.py_spy], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        asyncio.run(_measure(stack, public, internal, pids, args.conversations,
                             args.concurrency))
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
