"""The escalation watch owes overdue and never-sent first alerts (each once, whatever runs
meanwhile), and the daily digest is handed to the gateway once per day, a bounded number of
times."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import escalations, survey_answers
from huifang.db import session_scope
from huifang.db.models import AlertKind, Callback, Escalation, EscalationAlert, EscalationStatus
from huifang.escalation_alerts import UNALERTED_GRACE
from huifang.escalations import Reason
from scheduler.daily_digest import HAND_OVER_TRIES, compose_digest, send_daily_digest
from scheduler.escalation_watch import watch_escalations
from scheduler.gateway_client import GatewayClient
from tests.scheduler.conftest import NOW, SETTINGS, add_tickets, ticket_in
from tests.scheduler.gateway_standin import GatewayStandIn


def escalate(sessions: sessionmaker[Session], ticket_id: str, reasons: list[Reason],
             at: datetime = NOW, owes_alert: bool = True) -> int:
    """An escalation as the conversation makes it (owing its first alert), or, with
    `owes_alert=False`, one made before alerts were owed with escalations."""
    [survey] = add_tickets(sessions, ticket_in(ticket_id))
    with session_scope(sessions) as session:
        callback = session.get(Callback, survey)
        escalation = escalations.escalate(session, callback, reasons, at, SETTINGS)
        assert escalation is not None
        if not owes_alert:
            for alert in session.scalars(select(EscalationAlert)):
                session.delete(alert)
        session.flush()
        return escalation.id


def owed(sessions: sessionmaker[Session], escalation_id: int) -> list[AlertKind]:
    with sessions() as session:
        return list(session.scalars(select(EscalationAlert.kind).where(
            EscalationAlert.escalation_id == escalation_id).order_by(EscalationAlert.id)))


def test_an_overdue_escalation_owes_one_overdue_alert(sessions: sessionmaker[Session]) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])  # due in 4 h
    normal = escalate(sessions, "T-2", [Reason.NOT_SOLVED])  # due in 72 h
    assert watch_escalations(sessions, NOW + timedelta(hours=4)).overdue == []
    later = NOW + timedelta(hours=4, minutes=1)
    assert watch_escalations(sessions, later).overdue == [urgent]
    assert watch_escalations(sessions, later + timedelta(hours=1)).overdue == []
    assert owed(sessions, urgent) == [AlertKind.NEW, AlertKind.OVERDUE]
    assert owed(sessions, normal) == [AlertKind.NEW]


def test_a_resolved_escalation_is_never_overdue(sessions: sessionmaker[Session]) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])
    with session_scope(sessions) as session:
        session.get(Escalation, urgent).status = EscalationStatus.RESOLVED
    assert watch_escalations(sessions, NOW + timedelta(days=5)).overdue == []
    assert owed(sessions, urgent) == [AlertKind.NEW]


def test_nothing_is_owed_twice_however_often_the_watch_runs(
        sessions: sessionmaker[Session]) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])
    for minutes in range(0, 600, 7):  # every few minutes for ten hours
        watch_escalations(sessions, NOW + timedelta(minutes=minutes))
    assert owed(sessions, urgent) == [AlertKind.NEW, AlertKind.OVERDUE]


def test_an_escalation_from_before_owed_alerts_gets_its_first_after_a_grace_period(
        sessions: sessionmaker[Session]) -> None:
    old = escalate(sessions, "T-1", [Reason.LOW_OVERALL], owes_alert=False)
    alerted = escalate(sessions, "T-2", [Reason.LOW_OVERALL], owes_alert=False)
    with session_scope(sessions) as session:
        session.get(Escalation, alerted).alerted_at = NOW
    assert watch_escalations(sessions, NOW + UNALERTED_GRACE / 2).unalerted == []
    assert watch_escalations(sessions, NOW + UNALERTED_GRACE).unalerted == [old]
    assert watch_escalations(sessions, NOW + 2 * UNALERTED_GRACE).unalerted == []
    assert (owed(sessions, old), owed(sessions, alerted)) == ([AlertKind.NEW], [])


def test_one_never_alerted_and_already_overdue_owes_the_overdue_alert_only(
        sessions: sessionmaker[Session]) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY], owes_alert=False)
    report = watch_escalations(sessions, NOW + timedelta(hours=6))
    assert (report.overdue, report.unalerted) == ([urgent], [])
    assert owed(sessions, urgent) == [AlertKind.OVERDUE]


def test_a_raised_priority_owes_one_more_alert(sessions: sessionmaker[Session]) -> None:
    escalation_id = escalate(sessions, "T-1", [Reason.NOT_SOLVED])  # normal
    with session_scope(sessions) as session:
        callback = session.get_one(Escalation, escalation_id).callback
        escalations.escalate(session, callback, [Reason.LOW_OVERALL], NOW, SETTINGS)  # → high
        escalations.escalate(session, callback, [Reason.LOW_OVERALL], NOW, SETTINGS)  # nothing new
        escalations.escalate(session, callback, [Reason.HIGH_SEVERITY], NOW, SETTINGS)  # → urgent
    with sessions() as session:
        assert list(session.scalars(select(EscalationAlert.key).where(
            EscalationAlert.escalation_id == escalation_id).order_by(EscalationAlert.id))) == [
            f"alert:{escalation_id}:new:1", f"alert:{escalation_id}:raised:high",
            f"alert:{escalation_id}:raised:urgent"]


def test_the_daily_digest_sums_up_yesterday_and_lists_overdue(
        sessions: sessionmaker[Session], gateway: GatewayClient,
        gateway_standin: GatewayStandIn) -> None:
    yesterday = NOW - timedelta(days=1)
    [answered, silent] = add_tickets(sessions, ticket_in("T-1"), ticket_in("T-2"))
    with session_scope(sessions) as session:
        for callback_id in (answered, silent):
            session.get(Callback, callback_id).sent_at = yesterday
        survey_answers.record_overall(session, session.get(Callback, answered), 2, yesterday)
    overdue = escalate(sessions, "T-3", [Reason.HIGH_SEVERITY], at=yesterday)
    with sessions() as session:
        text = compose_digest(session, NOW, SETTINGS)
    assert text.splitlines()[0] == "【回访日报】11月22日"
    assert "发出回访 2 个，收到回复 1 个（回复率 50.0%）" in text
    assert "满意率 0.0%，平均 2.00 分（1 人评分）" in text
    assert "目前待处理 1 个，其中已超时 1 个" in text
    assert f"#{overdue} 紧急 朝阳店 工单T-3" in text
    assert send_daily_digest(sessions, gateway, NOW, SETTINGS)
    assert gateway_standin.digests == [(text, "2026-11-23")]


def test_a_digest_the_gateway_does_not_take_is_tried_a_few_times_then_alerted(
        sessions: sessionmaker[Session], gateway: GatewayClient,
        gateway_standin: GatewayStandIn, caplog: pytest.LogCaptureFixture) -> None:
    gateway_standin.digests_fail = True
    pauses: list[float] = []
    with caplog.at_level(logging.ERROR):
        assert not send_daily_digest(sessions, gateway, NOW, SETTINGS, pause=pauses.append)
    assert gateway_standin.digest_tries == HAND_OVER_TRIES and len(pauses) == HAND_OVER_TRIES - 1
    assert [r.getMessage() for r in caplog.records if "OPERATIONS ALERT" in r.getMessage()] == [
        "OPERATIONS ALERT: the daily digest of 2026-11-23 was not delivered — the gateway did "
        f"not take it in {HAND_OVER_TRIES} tries"]
