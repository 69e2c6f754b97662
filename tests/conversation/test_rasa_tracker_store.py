"""The embedded tracker store (huifang/app/rasa_tracker_store.py) reads exactly what Rasa's own
SQL tracker store reads from the same SQLite file — the latest session's events, or all of
them, in order — and saves only the events not stored yet, as the rows Rasa's own save writes:
run in the Rasa virtualenv."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.rasa_probe import run_in_rasa_venv
from tests.support.stack import RasaStack

pytestmark = pytest.mark.rasa

_PROBE = """
import asyncio, json, sqlite3, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from huifang.app.rasa_tracker_store import PlainSQLTrackerStore

domain = Domain.from_yaml('slots:\\n  overall:\\n    type: any\\n    mappings: []')
db, twin_db = sys.argv[1], sys.argv[2]
rasas = SQLTrackerStore(domain, dialect="sqlite", db=db)
ours = PlainSQLTrackerStore(domain, dialect="sqlite", db=db)

def said(tracker):
    return [event.as_dict() for event in tracker.events] if tracker else None

async def main():
    out = {}
    session_one = [
        SessionStarted(timestamp=100.0), ActionExecuted("action_listen", timestamp=101.0),
        UserUttered("非常满意", {"name": "inform_score", "confidence": 1.0}, timestamp=102.0),
        SlotSet("overall", 5, timestamp=103.0)]
    first = DialogueStateTracker.from_events("a", session_one, domain.slots)
    await ours.save(first)
    out["stored_once"] = len(said(await rasas.retrieve_full_tracker("a")))
    await ours.save(first)  # nothing new: nothing written twice
    out["stored_again"] = len(said(await rasas.retrieve_full_tracker("a")))
    session_two = [
        SessionStarted(timestamp=200.0), ActionExecuted("action_listen", timestamp=201.0),
        UserUttered("5", {"name": "inform_score", "confidence": 1.0}, timestamp=202.0)]
    await rasas.save(DialogueStateTracker.from_events("a", session_one + session_two,
                                                      domain.slots))
    no_session = DialogueStateTracker.from_events("b", [
        ActionExecuted("action_listen", timestamp=300.0), SlotSet("overall", 2, timestamp=301.0)],
        domain.slots)
    await rasas.save(no_session)
    for sender in ("a", "b", "nobody"):
        out[sender] = {
            "latest": [said(await s.retrieve(sender)) for s in (rasas, ours)],
            "all": [said(await s.retrieve_full_tracker(sender)) for s in (rasas, ours)]}
    # the same conversation saved turn by turn by each store into its own file
    # (the turn that starts a session still holds the one before; once loaded again, a
    # tracker holds the latest session only)
    later = session_two + [
        ActionExecuted("validate_survey_form", timestamp=203.0), BotUttered("好的", timestamp=204.0)]
    twin = PlainSQLTrackerStore(domain, dialect="sqlite", db=twin_db)
    for events in (session_one[:2], session_one, session_one + session_two, later):
        turn = DialogueStateTracker.from_events("c", events, domain.slots)
        await rasas.save(turn)
        await twin.save(turn)
    out["rows"] = [rows(path) for path in (db, twin_db)]
    print(json.dumps(out, ensure_ascii=False))

def rows(path):
    with sqlite3.connect(path) as connection:
        return [list(row) for row in connection.execute(
            "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events WHERE sender_id = 'c' ORDER BY id")]

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = Path(tmp_path_factory.mktemp("tracker-store"))
    return run_in_rasa_venv(_PROBE, str(folder / "tracker.db"), str(folder / "twin.db"))


def test_saving_writes_each_event_once(reads: dict[str, object]) -> None:
    assert reads["stored_once"] == reads["stored_again"] == 4


def test_saving_writes_the_rows_rasas_own_save_writes(reads: dict[str, object]) -> None:
    rasas, ours = reads["rows"]
    assert len(ours) == 9  # every event once, over four saves
    assert [row[1:] for row in ours] == [row[1:] for row in rasas]  # all but the row ids
    assert [row[4] for row in ours if row[2] == "user"] == ["inform_score", "inform_score"]
    assert [row[5] for row in ours if row[2] == "action"] == [
        "action_listen", "action_listen", "validate_survey_form"]


@pytest.mark.parametrize("sender", ["a", "b", "nobody"])
def test_reads_are_rasas_own(reads: dict[str, object], sender: str) -> None:
    rasas_latest, ours_latest = reads[sender]["latest"]
    rasas_all, ours_all = reads[sender]["all"]
    assert ours_latest == rasas_latest and ours_all == rasas_all


def test_the_latest_session_is_read_from_its_start(reads: dict[str, object]) -> None:
    latest, everything = reads["a"]["latest"][1], reads["a"]["all"][1]
    assert [e["event"] for e in latest][:1] == ["session_started"] and len(latest) == 3
    assert len(everything) == 7
    assert len(reads["b"]["latest"][1]) == 2 and reads["nobody"]["latest"] == [None, None]


def test_the_running_rasa_keeps_conversations_in_the_sqlite_file(start_callback: Any,
                                                                 rasa_stack: RasaStack) -> None:
    """Rasa falls back to an in-memory store, with only a warning, when it cannot load a
    tracker store class: the real server must be writing the file."""
    conversation = start_callback()
    conversation.say("非常满意")
    tracker_db = rasa_stack.log_dir.parent / "tracker.db"
    with closing(sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True)) as connection:
        texts = [json.loads(data).get("text") for (data,) in connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
            (conversation.sender,))]
    assert "非常满意" in texts
    assert "InMemoryTrackerStore" not in rasa_stack.rasa_log.read_text(encoding="utf-8")
