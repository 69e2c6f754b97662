"""A campaign's figures, counted by SQL, against values computed by hand — on SQLite and on
PostgreSQL (the `sessions` fixture runs each test on both)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import survey_answers
from huifang.campaign_figures import (
    CallbackFilters,
    TimelinePoint,
    callbacks_statement,
    campaign_figures,
    estimated_finish,
    timeline,
)
from huifang.campaigns import CampaignSpec, create_campaign
from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    Campaign,
    CampaignStatus,
    Role,
    SupervisorUser,
    Ticket,
)
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai
SETTINGS = Settings(_env_file=None, timezone="Asia/Shanghai", campaign_rate_window_minutes=15)


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


# key: (status, due_at, sent_at, overall answer (score, at) or None, branch, send_mode)
CALLBACKS = {
    "a1": (CallbackStatus.SCHEDULED, minutes(60), None, None, "east", "start"),
    "a2": (CallbackStatus.SCHEDULED, minutes(180), None, None, "east", "start"),
    "a3": (CallbackStatus.SENDING, minutes(-1), None, None, "east", "start"),
    "a4": (CallbackStatus.IN_PROGRESS, minutes(1440), minutes(-10), None, "east", "start"),
    # a reminder waiting to go: the conversation is open, so "in progress"
    "a5": (CallbackStatus.SCHEDULED, minutes(5), minutes(-120), (5, minutes(-119)), "east",
           "remind"),
    "a6": (CallbackStatus.COMPLETED, minutes(-180), minutes(-180), (4, minutes(-179)), "east",
           "start"),
    "a7": (CallbackStatus.COMPLETED, minutes(-5), minutes(-5), (2, minutes(-4)), "west",
           "start"),
    "a8": (CallbackStatus.NO_RESPONSE, minutes(-5760), minutes(-5760), None, "east", "start"),
    "a9": (CallbackStatus.OPTED_OUT, minutes(-30), None, None, "east", "start"),
    "a10": (CallbackStatus.UNREACHABLE, minutes(-20), minutes(-20), None, "east", "start"),
    "a11": (CallbackStatus.FAILED, minutes(-60), None, None, "east", "start"),
    "a12": (CallbackStatus.CANCELLED, minutes(-60), None, None, "east", "start"),
}


def _ticket(key: str, branch: str) -> TicketIn:
    return TicketIn(ticket_id=f"T-{key}", customer_id=f"C-{key}", service_type="auto_repair",
                    agent="李师傅", branch=branch, channel="webchat", address=f"wc-{key}",
                    closed_at=NOW - timedelta(days=7))


@pytest.fixture
def campaigns(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Campaign A with a callback in every state, B with one waiting survey, C empty."""
    with sessions() as session:
        user = SupervisorUser(username="ops", display_name="运营", password_hash="x",
                              role=Role.OPERATOR)
        session.add(user)
        made = {name: create_campaign(session, CampaignSpec(name), user, NOW).id
                for name in ("A", "B", "C")}
        a = session.get_one(Campaign, made["A"])
        for key, (status, due, sent, answer, branch, mode) in CALLBACKS.items():
            ingest(session, [_ticket(key, branch)], NOW - timedelta(days=7), SETTINGS,
                   campaign=a)
            callback = session.scalar(select(Callback).join(Ticket)
                                      .where(Ticket.external_id == f"T-{key}"))
            assert callback is not None
            if answer is not None:
                survey_answers.record_overall(session, callback, answer[0], answer[1])
            callback.status, callback.due_at, callback.sent_at = status, due, sent
            callback.send_mode = mode
        # a recovery survey of a6's ticket, sent and answered: never a campaign figure
        a6 = session.scalar(select(Ticket).where(Ticket.external_id == "T-a6"))
        recovery = Callback(ticket=a6, kind=CallbackKind.RECOVERY, template="recovery",
                            due_at=minutes(-2), sent_at=minutes(-2), campaign=a,
                            status=CallbackStatus.IN_PROGRESS)
        session.add(recovery)
        session.flush()
        survey_answers.record_overall(session, recovery, 5, minutes(-1))
        ingest(session, [_ticket("b1", "east")], NOW, SETTINGS,
               campaign=session.get_one(Campaign, made["B"]))
        session.commit()
    return made


def test_counts_per_state_rates_and_times_match_the_hand_computed_values(
        sessions: sessionmaker[Session], campaigns: dict[str, int]) -> None:
    with sessions() as session:
        chosen = session.scalars(select(Campaign).order_by(Campaign.id)).all()
        figures = campaign_figures(session, chosen, NOW, SETTINGS)
    a = figures[campaigns["A"]]
    assert a.total == 12
    assert a.states == {"scheduled": 3, "in_progress": 2, "completed": 2, "no_response": 1,
                        "opted_out": 1, "unreachable": 1, "failed": 1, "cancelled": 1}
    assert sum(a.states.values()) == a.total
    assert a.sent == 6  # a4 a5 a6 a7 a8 a10
    assert a.answered == 3 and a.response_rate == 50.0
    assert a.overall_answers == 3 and a.csat == 66.7  # 5 and 4 of 5, 4, 2
    assert a.next_send_at == minutes(-1)  # a3, held by a dispatcher
    assert a.last_due_at == minutes(180)
    assert a.sent_recently == 2  # a4 (−10 min) and a7 (−5 min) within 15 minutes
    assert a.sends_per_hour == 8.0
    # 3 waiting at 8 an hour take 22.5 minutes, but a2 is not due for 3 hours
    assert a.estimated_finish_at == minutes(180)

    b = figures[campaigns["B"]]
    assert (b.total, b.states["scheduled"], b.sent, b.response_rate) == (1, 1, 0, None)
    assert b.sends_per_hour is None and b.estimated_finish_at is None

    c = figures[campaigns["C"]]
    assert (c.total, c.sent, c.csat, c.next_send_at) == (0, 0, None, None)


def test_a_branch_scope_counts_only_its_branches(sessions: sessionmaker[Session],
                                                campaigns: dict[str, int]) -> None:
    with sessions() as session:
        a = session.get_one(Campaign, campaigns["A"])
        west = campaign_figures(session, [a], NOW, SETTINGS, scope=("west",))[a.id]
        nowhere = campaign_figures(session, [a], NOW, SETTINGS, scope=())[a.id]
    assert (west.total, west.states["completed"], west.sent, west.answered) == (1, 1, 1, 1)
    assert west.response_rate == 100.0 and west.csat == 0.0  # a7 answered 2
    assert west.sends_per_hour == 4.0 and west.estimated_finish_at is None  # nothing waits
    assert nowhere.total == 0


def test_the_timeline_counts_sends_and_first_answers_per_local_day_or_hour(
        sessions: sessionmaker[Session], campaigns: dict[str, int]) -> None:
    with sessions() as session:
        by_day = timeline(session, campaigns["A"], SETTINGS.zone, NOW)
        by_hour = timeline(session, campaigns["A"], SETTINGS.zone, NOW, scope=("west",))
        empty = timeline(session, campaigns["C"], SETTINGS.zone, NOW)
    # sends span four days (a8 on the 19th), so the points are local days
    assert by_day == [TimelinePoint("2026-11-19", 1, 0), TimelinePoint("2026-11-23", 5, 3)]
    # a7 alone: sent 09:55, answered 09:56 Shanghai time
    assert by_hour == [TimelinePoint("2026-11-23 09:00", 1, 1)]
    assert empty == []


def test_the_callback_list_filters_by_state_branch_and_agent(
        sessions: sessionmaker[Session], campaigns: dict[str, int]) -> None:
    def tickets(filters: CallbackFilters) -> list[str]:
        with sessions() as session:
            return sorted(c.ticket.external_id for c in session.scalars(
                callbacks_statement(campaigns["A"], filters, None)))

    assert tickets(CallbackFilters(state="scheduled")) == ["T-a1", "T-a2", "T-a3"]
    assert tickets(CallbackFilters(state="in_progress")) == ["T-a4", "T-a5"]
    assert tickets(CallbackFilters(branch="west")) == ["T-a7"]
    assert tickets(CallbackFilters(agent="王师傅")) == []
    assert len(tickets(CallbackFilters(agent="李师傅"))) == 12  # the recovery survey is not listed


@pytest.mark.parametrize("waiting, rate, last_due, status, expected", [
    (4, 8.0, minutes(10), CampaignStatus.ACTIVE, minutes(30)),  # the rate decides
    (4, 8.0, minutes(45), CampaignStatus.ACTIVE, minutes(45)),  # the last due time decides
    (4, None, minutes(45), CampaignStatus.ACTIVE, None),  # nothing sent lately: unknown
    (4, 8.0, minutes(10), CampaignStatus.PAUSED, None),  # paused: it will not finish
    (0, 8.0, None, CampaignStatus.ACTIVE, None),  # nothing waits
])
def test_estimated_finish(waiting: int, rate: float | None, last_due: datetime | None,
                          status: CampaignStatus, expected: datetime | None) -> None:
    assert estimated_finish(waiting, rate, last_due, status, NOW) == expected
