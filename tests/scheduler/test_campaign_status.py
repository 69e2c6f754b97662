"""Campaign view: counts per state, response rate, next due times; the CLI and its progress."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import typer
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from huifang import survey_answers
from huifang.app.cli import common
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackStatus
from huifang.db.types import utcnow
from huifang.settings import get_settings
from scheduler import cli
from scheduler.campaign_status import CampaignFilter, DueSlot, campaign_status
from tests.scheduler.conftest import NOW, add_tickets, due_now, ticket_in


@pytest.fixture
def campaign(sessions: sessionmaker[Session]) -> list[int]:
    """Six surveys: two sent (one answered, one with a reminder), one due, three later."""
    morning = NOW - timedelta(hours=1)  # tickets closed 09:00 local → due 09:00 tomorrow
    ids = add_tickets(
        sessions,
        ticket_in("T-1"), ticket_in("T-2"), ticket_in("T-3"),
        ticket_in("T-4", closed_at=morning), ticket_in("T-5", closed_at=morning),
        ticket_in("T-6", closed_at=NOW, service_type="power_outage", branch="东城所"),
    )
    with session_scope(sessions) as session:
        sent = [session.get(Callback, i) for i in ids[:2]]
        for callback in sent:
            callback.status, callback.sent_at = CallbackStatus.IN_PROGRESS, NOW
        sent[1].reminders_sent = 1
        survey_answers.record_overall(session, sent[0], 5, NOW)
        survey_answers.finish(session, sent[0], NOW)
        session.get(Callback, ids[2]).due_at = NOW
    return ids


def test_counts_rate_and_next_due(sessions: sessionmaker[Session], campaign: list[int]) -> None:
    with sessions() as session:
        status = campaign_status(session, NOW)
    assert status.total == 6
    assert {k: v for k, v in status.by_status.items() if v} == {
        "scheduled": 4, "in_progress": 1, "completed": 1}
    assert (status.sent, status.answered, status.response_rate) == (2, 1, 50.0)
    assert (status.due_now, status.reminders_sent) == (1, 1)
    tomorrow_9 = NOW + timedelta(hours=23)
    assert status.next_due == [DueSlot(NOW + timedelta(hours=4), 1), DueSlot(tomorrow_9, 2)]


def test_a_filter_narrows_the_campaign(sessions: sessionmaker[Session],
                                       campaign: list[int]) -> None:
    with sessions() as session:
        power = campaign_status(session, NOW, CampaignFilter(service_type="power_outage"))
        branch = campaign_status(session, NOW, CampaignFilter(branch="朝阳店"))
    assert (power.total, power.sent, power.response_rate) == (1, 0, None)
    assert branch.total == 5


@pytest.fixture
def huifang_cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    """The sub-app registered the way the lead registers it into `huifang`."""
    monkeypatch.setenv("HUIFANG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    common.sessions.cache_clear()
    root = typer.Typer()
    root.add_typer(cli.app, name="campaign")
    yield root
    get_settings.cache_clear()
    common.sessions.cache_clear()


def test_cli_prints_the_status_as_json_and_as_tables(huifang_cli: typer.Typer,
                                                     campaign: list[int]) -> None:
    runner = CliRunner()
    as_json = runner.invoke(huifang_cli, ["campaign", "status", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert (data["total"], data["response_rate"], data["by_status"]["completed"]) == (6, 50.0, 1)
    table = runner.invoke(huifang_cli, ["campaign", "status", "--branch", "朝阳店"])
    assert table.exit_code == 0, table.output
    assert "待发送" in table.output and "response rate 回复率 50.0%" in table.output


def test_cli_follow_shows_a_progress_bar_until_nothing_is_due(huifang_cli: typer.Typer,
                                                              sessions: sessionmaker[Session],
                                                              campaign: list[int]) -> None:
    """The CLI reads the real clock: make the four scheduled callbacks due now, and drain them meanwhile
    the way a dispatcher would."""
    backlog = campaign[2:]  # every scheduled one
    due_now(sessions, *backlog, now=utcnow() - timedelta(minutes=1))

    def dispatch_slowly() -> None:
        for callback_id in backlog:
            time.sleep(0.05)
            with session_scope(sessions) as session:
                session.get(Callback, callback_id).status = CallbackStatus.IN_PROGRESS

    dispatcher = threading.Thread(target=dispatch_slowly)
    dispatcher.start()
    result = CliRunner().invoke(huifang_cli, ["campaign", "status", "--follow",
                                              "--interval", "0.02"])
    dispatcher.join()
    assert result.exit_code == 0, result.output
    assert "dispatching" in result.output
    assert re.search(r"\b([1-4])/\1\b", result.output), result.output  # drained: n of n
    assert "回访状态" in result.output
