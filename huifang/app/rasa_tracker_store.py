"""Rasa's SQL tracker store (the embedded default, on SQLite) with its per-turn statements written
as plain SQL: loading a conversation's events, counting the stored ones before a save, and
inserting the new ones.

Rasa builds the reads as ORM queries each time, and SQLAlchemy computes a cache key for the
query (and builds an ORM object per event row) on every turn: ~6 % of the Rasa server's CPU at
one conversation (docs/performance.md, "Rasa alone"). Its save adds one ORM object per new
event and lets the unit of work flush them: the save was ~14 % of the server's Python time
under load, and took twice as long as the one here. The statements here select the
same rows — the sender's events since its latest `session_started`, or all of them — in the
same order, and insert the same columns Rasa's save fills, all new events of a turn in one
statement. Runs in the Rasa virtualenv (endpoints.yml names the class,
huifang/app/rasa_endpoints.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

_SINCE_SESSION_START = """
FROM events, (SELECT max(timestamp) AS started FROM events
              WHERE sender_id = :sender AND type_name = :session_started) AS latest
WHERE events.sender_id = :sender
  AND (:everything OR latest.started IS NULL OR events.timestamp >= latest.started)"""
_EVENTS = sa.text(f"SELECT events.data {_SINCE_SESSION_START} ORDER BY events.id")
_COUNT = sa.text(f"SELECT count(*) {_SINCE_SESSION_START}")


class PlainSQLTrackerStore(SQLTrackerStore):
    def _parameters(self, sender_id: str, everything: bool) -> dict[str, Any]:
        return {"sender": sender_id, "session_started": SessionStarted.type_name,
                "everything": everything}

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = session.execute(_EVENTS, self._parameters(
                sender_id, fetch_events_from_all_sessions)).scalars().all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows],
                                              self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = session.execute(_COUNT, self._parameters(tracker.sender_id, False)).scalar_one()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, event)
                    for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's own save fills for an event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
