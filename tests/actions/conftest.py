"""Tracker fixtures for calling the actions directly, without Rasa (as RasaHQ/financial-demo
does): a Tracker built from tests/data/trackers/at_question.json, a real migrated SQLite
database for the actions to write to, and the real complaint classifier."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions import conversation_state
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.models import Callback, Channel
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import PROJECT_ROOT
from tests.support.databases import migrated

TRACKER = PROJECT_ROOT / "tests" / "data" / "trackers" / "at_question.json"
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def action_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              complaint_model: None) -> Iterator[sessionmaker[Session]]:
    """The database the actions write to (their session factory pointed at it)."""
    with migrated("sqlite", tmp_path) as url:
        engine = create_db_engine(url)
        sessions = session_factory(engine)
        monkeypatch.setattr(conversation_state, "_sessions", lambda: sessions)
        yield sessions
        engine.dispose()


@dataclass
class Survey:
    """One callback in the database and trackers of its conversation."""

    callback_id: int
    sessions: sessionmaker[Session]
    template: str

    def tracker(self, question: str | None, text: str, intent: str = "inform_score",
                entities: dict[str, str] | None = None, key: str | None = None,
                **slots: Any) -> Tracker:
        """The tracker right after the customer sent `text` (NLU read as `intent`) while
        `question` was open; the form's slot candidate is the text, as Rasa's from_text
        mapping would set it. `key`: the gateway's message key in the message's metadata."""
        state = json.loads(TRACKER.read_text(encoding="utf-8"))
        state["sender_id"] = f"callback-{self.callback_id}"
        state["slots"].update(template=self.template, requested_slot=question, **slots)
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.99},
                 "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]}
        state["latest_message"] = parse
        state["events"][-1] = {"event": "user", "text": text, "parse_data": copy.deepcopy(parse)}
        if key is not None:
            state["events"][-1]["metadata"] = {"message_key": key}
        if question is not None:
            state["events"].append({"event": "slot", "name": question, "value": text})
        else:
            state["active_loop"] = {}
        return Tracker.from_dict(state)

    def stored(self) -> Callback:
        with self.sessions() as session:
            callback = session.get_one(Callback, self.callback_id)
            _ = (callback.response and callback.response.dimensions, callback.escalations,
                 [c.categories for c in callback.complaints], callback.ticket.customer)
            return callback


@pytest.fixture
def survey(action_db: sessionmaker[Session]) -> Callable[..., Survey]:
    counter = iter(range(1, 1000))

    def start(service_type: str = "auto_repair") -> Survey:
        number = next(counter)
        now = utcnow()
        ticket = TicketIn(ticket_id=f"ACT-{number}", customer_id=f"act-{number}",
                          service_type=service_type, channel=Channel.WEBCHAT,
                          closed_at=now - timedelta(days=1))
        with session_scope(action_db) as session:
            ingest(session, [ticket], now)
            callback = session.scalar(select(Callback).order_by(Callback.id.desc()))
            assert callback is not None
            callback.sent_at = now
            return Survey(callback.id, action_db, callback.template)

    return start


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def domain() -> dict[str, Any]:
    return copy.deepcopy(DOMAIN)
