"""The console's JSON API and the export show the same outcome for the same callback (one rule,
docs/domain.md "Outcome of a callback"), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from huifang import escalations, survey_answers
from huifang.db.models import Callback
from huifang.escalations import Reason
from huifang.outcome_export import outcome_rows
from huifang.survey_answers import Classification
from huifang.settings import get_settings
from tests.console.console_support import (
    add_standard_users,
    add_user,
    build_app,
    load_dataset,
    log_in,
    utc,
)

pytestmark = pytest.mark.postgres

SHARED = ["overall", "solved", "nps", "dimensions", "comment", "categories", "sentiment",
          "severity"]


def _mixed_callback(session: Session, callback: Callback) -> tuple[int, int]:
    """A negative remark, then a positive one; an escalation resolved, a second one raised and
    resolved, then the first reopened. Returns (reopened id, latest id)."""
    at = utc(3, 20, 9)
    survey_answers.record_complaint(
        session, callback, "师傅迟到了一个小时", "comment",
        Classification(["timeliness"], {"timeliness": 0.9}, "negative", "medium"), at)
    survey_answers.record_complaint(
        session, callback, "不过修得很好，谢谢", "late_comment",
        Classification(["quality"], {"quality": 0.6}, "positive", "none"), utc(3, 20, 10))
    boss = add_user(session, "outcome-boss")
    first = escalations.escalate(session, callback, [Reason.NOT_SOLVED], at, get_settings())
    assert first is not None
    escalations.resolve(session, first, boss, "timeliness", "已致歉", utc(3, 20, 11))
    second = escalations.escalate(session, callback, [Reason.LOW_OVERALL], utc(3, 21, 9),
                                  get_settings())
    assert second is not None and second.id != first.id
    escalations.resolve(session, second, boss, "quality", "已返修", utc(3, 21, 10))
    escalations.reopen(session, first, boss, "客户又来电", utc(3, 22, 9), get_settings())
    session.flush()
    return first.id, second.id


def _as_api(row: dict[str, Any]) -> dict[str, Any]:
    shown = {key: row[key] for key in SHARED}
    shown["escalation"] = None if row["escalation_id"] is None else {
        "id": row["escalation_id"], "priority": row["escalation_priority"],
        "status": row["escalation_status"]}
    return shown


def test_the_api_and_the_export_agree_on_every_callback(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        data = load_dataset(session)
        add_standard_users(session)
        mixed = session.get_one(Callback, data.callbacks["C6"])
        reopened, latest = _mixed_callback(session, mixed)
        mixed_ticket = mixed.ticket.external_id
        session.commit()
        exported = {row["ticket_id"]: row for row in outcome_rows(session)
                    if row["kind"] == "survey"}
    with TestClient(build_app(sessions)) as api:
        log_in(api, "anywhere")
        for ticket, row in exported.items():
            body = api.get(f"/api/callbacks/{ticket}").json()
            if body["escalation"] is not None:
                body["escalation"].pop("due_at")
            assert {key: body[key] for key in [*SHARED, "escalation"]} == _as_api(row), ticket
    # the callback where "last" and "worst" differ shows the worst remark and the open case
    mixed_row = exported[mixed_ticket]
    assert (mixed_row["sentiment"], mixed_row["severity"]) == ("negative", "medium")
    assert latest > reopened
    assert (mixed_row["escalation_id"], mixed_row["escalation_status"]) == (reopened, "claimed")
    assert mixed_row["categories"] == ["timeliness", "quality"]  # in the order named
