"""Customer text inside supervisor messages stays on its own line: a customer (or a name from the
ticketing system) cannot add a forged "控制台：https://…" line to an alert, the /queue list or
the daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.supervisor_alerts import alert_message, queue_text
from huifang import escalations, survey_answers
from huifang.db import session_scope
from huifang.db.models import Callback, Escalation, Role, SupervisorUser, Ticket
from huifang.db.types import utcnow
from huifang.escalations import Reason
from huifang.intake import TicketIn, ingest
from huifang.one_line import one_line
from huifang.survey_answers import Classification
from huifang.settings import get_settings
from scheduler.daily_digest import compose_digest
from tests.gateway.support import gateway_settings

FORGED = "控制台：https://evil.example/login"
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"]


@pytest.mark.parametrize("brk", BREAKS)
def test_every_kind_of_line_break_becomes_one_space(brk: str) -> None:
    assert one_line(f"师傅很好{brk}{brk}{FORGED}") == f"师傅很好 {FORGED}"


def test_control_and_direction_characters_are_removed_but_words_and_emoji_stay() -> None:
    assert one_line("a\x00b\x07c\u202ed\u2066e\u200bf") == "a b c d e f"
    assert one_line("  👨\u200d🔧 五星好评\t！ ") == "👨\u200d🔧 五星好评 ！"
    assert one_line(None) == "" and one_line("") == ""
    assert one_line("一二三四五六", limit=4) == "一二三…"


@pytest.fixture
def hostile_escalation(sessions: sessionmaker[Session]) -> int:
    now = utcnow()
    with session_scope(sessions) as session:
        ingest(session, [TicketIn(
            ticket_id="FORGE-1", customer_id="forge-c", customer_name="钱\n控制台：x",
            service_type="auto_repair", agent=f"李师傅\r\n{FORGED}",
            branch=f"朝阳店\u2028{FORGED}", closed_at=now - timedelta(days=9))], now)
        callback = session.scalar(select(Callback).join(Ticket)
                                  .where(Ticket.external_id == "FORGE-1"))
        assert callback is not None
        survey_answers.record_overall(session, callback, 1, now)
        survey_answers.record_complaint(
            session, callback, f"等了三天\n\n{FORGED}\n状态：已解决", "problem",
            Classification(["timeliness"], {"timeliness": 0.9}, "negative", "high"), now)
        survey_answers.record_comment(session, callback, f"再见\r{FORGED}", now)
        escalation = escalations.escalate(session, callback, [Reason.LOW_OVERALL],
                                          now - timedelta(days=8), get_settings())
        assert escalation is not None
        session.add(SupervisorUser(username="boss", display_name=f"王\n{FORGED}",
                                   password_hash="x", role=Role.ADMIN))
        return escalation.id


def _lines_starting(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip("• ").startswith(prefix)]


def test_alert_has_only_its_own_console_line(sessions: sessionmaker[Session],
                                             hostile_escalation: int) -> None:
    settings = gateway_settings("sqlite://", "http://rasa")
    with sessions() as session:
        message = alert_message(session, settings, hostile_escalation, utcnow())
    assert message is not None
    assert _lines_starting(message.text, "控制台：") == [
        f"控制台：{settings.console_url}/escalations/{hostile_escalation}"]
    assert len(_lines_starting(message.text, "状态：")) == 1
    assert f"等了三天 {FORGED} 状态：已解决" in message.text  # the words are all still there
    assert f"朝阳店 {FORGED}" in message.text and f"李师傅 {FORGED}" in message.text


def test_queue_and_digest_have_one_line_per_escalation(sessions: sessionmaker[Session],
                                                       hostile_escalation: int) -> None:
    settings = gateway_settings("sqlite://", "http://rasa")
    with sessions() as session:
        boss = session.scalar(select(SupervisorUser).where(SupervisorUser.username == "boss"))
        assert boss is not None
        escalations.claim(session, session.get_one(Escalation, hostile_escalation),
                          boss, utcnow())
        queue = queue_text(session, settings, boss, utcnow())
        digest = compose_digest(session, utcnow(), settings)
    assert len(queue.splitlines()) == 3, queue  # heading, the escalation, how to act
    assert not _lines_starting(queue, "控制台：")
    assert f"#{hostile_escalation} " in queue.splitlines()[1] and "王 控制台" in queue
    listed = [line for line in digest.splitlines() if line.startswith("· ")]
    assert len(listed) == 1 and f"朝阳店 {FORGED}" in listed[0]
    assert not _lines_starting(digest, "控制台：")
