"""Run inside the Rasa virtualenv: load the Huifang agent in this process and time, per turn,
where Rasa spends it — NLU, policies, tracker store load/save, action server calls (the HTTP
round trip, whatever runs behind it) and the rest. Prints one JSON object on stdout.

    .venv-rasa/bin/python -m bench.profiling.rasa_probe MODEL ENDPOINTS SENDER...

Used by bench/profiling/profile_turn.py, which provides the database and action server.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core import processor as rasa_processor
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.agent import load_agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.utils import AvailableEndpoints
from rasa.utils import endpoints as rasa_endpoints

from huifang.app.rasa_launcher import speed_up_rasa

ANSWERS = ["非常满意", "解决了", "5", "4分", "满分", "9", "没有"]
START_INTENT = "EXTERNAL_start_callback"

spent: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)


def _timed_async(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began
            calls[label] += 1

    setattr(owner, name, wrapper)


def _timed_sync(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began
            calls[label] += 1

    setattr(owner, name, wrapper)


def _instrument() -> None:
    for store in (rasa_tracker_store.SQLTrackerStore, rasa_tracker_store.RedisTrackerStore):
        _timed_async(store, "retrieve", "tracker store: load")
        _timed_async(store, "save", "tracker store: save")
    _timed_async(rasa_processor.MessageProcessor, "parse_message", "NLU pipeline")
    _timed_sync(rasa_processor.MessageProcessor, "_predict_next_with_tracker",
                "policies (prediction)")
    _timed_async(rasa_endpoints.EndpointConfig, "request", "action server calls (HTTP)")


async def _run(model: str, endpoints_file: str, senders: list[str]) -> dict[str, Any]:
    speed_up_rasa()  # as the launcher does
    agent = await load_agent(model_path=model,
                             endpoints=AvailableEndpoints.read_endpoints(endpoints_file))
    _instrument()
    turns: list[float] = []
    in_turns: dict[str, float] = defaultdict(float)
    calls_in_turns: dict[str, int] = defaultdict(int)
    for number, sender in enumerate(senders):
        tracker = await agent.processor.fetch_tracker_with_initial_session(  # type: ignore
            sender, CollectingOutputChannel())
        await agent.trigger_intent(START_INTENT, [], CollectingOutputChannel(), tracker)
        before, calls_before = dict(spent), dict(calls)
        durations = []
        for answer in ANSWERS:
            began = time.perf_counter()
            await agent.handle_message(UserMessage(answer, CollectingOutputChannel(), sender,
                                                   input_channel="huifang"))
            durations.append(time.perf_counter() - began)
        if number == 0:  # warm-up conversation: not counted
            continue
        turns.extend(durations)
        for label, seconds in spent.items():
            in_turns[label] += seconds - before.get(label, 0.0)
            calls_in_turns[label] += calls[label] - calls_before.get(label, 0)
    return {"turns": turns, "components": {
        k: {"seconds": v, "calls": calls_in_turns[k]} for k, v in in_turns.items()}}


def main(argv: list[str]) -> None:
    model, endpoints_file, *senders = argv
    result = asyncio.run(_run(model, endpoints_file, senders))
    print("PROBE " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
