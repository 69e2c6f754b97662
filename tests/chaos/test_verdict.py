"""The harness's own arithmetic: an acknowledged answer without effect is lost, an effect
beyond the acknowledged sends is a duplicate, and Rasa's tracker is read per conversation."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from tests.chaos.answers import consumed
from tests.chaos.ledger import Ledger
from tests.chaos.verdict import compare


def test_an_acknowledged_answer_without_effect_is_lost_and_one_taken_twice_is_duplicated(
) -> None:
    ledger = Ledger()
    ledger.record(1, "k1", "5", acknowledged=True)
    ledger.record(1, "k2", "解决了", acknowledged=True)
    ledger.record(2, "k3", "9", acknowledged=False)  # the gateway died: sent again, same key
    ledger.record(2, "k3", "9", acknowledged=True)
    ledger.record(3, "k4", "没有", acknowledged=False)  # never acknowledged, never took effect
    effects = Counter({(1, "5"): 1, (2, "9"): 2, (4, "EXTERNAL: EXTERNAL_start_callback"): 1})

    lost, duplicated = compare(ledger, effects)

    assert lost == ["callback 1 '解决了': sent and acknowledged 1, took effect 0"]
    assert duplicated == ["callback 2 '9': sent and acknowledged 1, took effect 2"]


def test_a_message_the_customer_wrote_again_is_a_second_message() -> None:
    ledger = Ledger()
    ledger.record(5, "k1", "满分", acknowledged=True)  # answered "please send it again"
    ledger.record(5, "k2", "满分", acknowledged=True)

    assert compare(ledger, Counter({(5, "满分"): 1})) == (
        ["callback 5 '满分': sent and acknowledged 2, took effect 1"], [])


def test_the_tracker_is_counted_per_callback_conversation_and_text(tmp_path: Path) -> None:
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                           "type_name TEXT, data TEXT)")
        rows = [("callback-7", "user", {"text": "5"}), ("callback-7", "user", {"text": "5"}),
                ("callback-7", "bot", {"text": "谢谢"}), ("customer-3", "user", {"text": "5"}),
                ("callback-8", "user", {"text": None})]
        connection.executemany("INSERT INTO events (sender_id, type_name, data) "
                               "VALUES (?, ?, ?)",
                               [(s, t, json.dumps(d)) for s, t, d in rows])

    assert consumed(tracker) == Counter({(7, "5"): 2})
