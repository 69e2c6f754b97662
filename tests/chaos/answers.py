"""Where the effect of a customer's answer is recorded, counted per conversation (the only
module that knows it): the dialogue consumed it — a user event in the callback's Rasa tracker
(Rasa's SQL tracker store) — and the survey tables took it at most once (a complaint row per
complaint text)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huifang.db.models import Complaint

SENDER_PREFIX = "callback-"


def consumed(tracker_db: Path) -> Counter[tuple[int, str]]:
    """(callback, text) → how many times the dialogue took that text from the customer."""
    counts: Counter[tuple[int, str]] = Counter()
    if not tracker_db.exists():
        return counts
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE ?",
            (f"{SENDER_PREFIX}%",)).fetchall()
    for sender, data in rows:
        text = json.loads(data).get("text")
        if text:
            counts[(int(sender.removeprefix(SENDER_PREFIX)), text)] += 1
    return counts


def complaints_stored_twice(session: Session) -> list[tuple[int, str, int]]:
    """(callback, complaint text, rows) for complaint texts stored more than once."""
    rows = session.execute(select(Complaint.callback_id, Complaint.text, func.count())
                           .group_by(Complaint.callback_id, Complaint.text)
                           .having(func.count() > 1)).tuples().all()
    return [(callback, text, count) for callback, text, count in rows]
