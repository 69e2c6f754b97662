"""Overdue and unconfirmed escalation alerts (each sent once), and the daily digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from huifang import escalations, survey_answers
from huifang.db import session_scope
from huifang.db.models import Callback, Escalation, EscalationStatus
from huifang.escalations import Reason
from huifang.settings import get_settings
from scheduler.daily_digest import compose_digest, send_daily_digest
from scheduler.escalation_watch import ALERT_GRACE, watch_escalations
from scheduler.gateway_client import GatewayClient
from tests.scheduler.conftest import NOW, SETTINGS, add_tickets, ticket_in
from tests.scheduler.gateway_standin import GatewayStandIn


def escalate(sessions: sessionmaker[Session], ticket_id: str, reasons: list[Reason],
             at: datetime = NOW, alerted: bool = True) -> int:
    [survey] = add_tickets(sessions, ticket_in(ticket_id))
    with session_scope(sessions) as session:
        callback = session.get(Callback, survey)
        escalation = escalations.escalate(session, callback, reasons, at, get_settings())
        assert escalation is not None
        escalation.alerted_at = at if alerted else None
        session.flush()
        return escalation.id


def load(sessions: sessionmaker[Session], escalation_id: int) -> Escalation:
    with sessions() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        return escalation


def test_an_overdue_escalation_is_alerted_once(sessions: sessionmaker[Session],
                                               gateway: GatewayClient,
                                               gateway_standin: GatewayStandIn) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])  # due in 4 h
    normal = escalate(sessions, "T-2", [Reason.NOT_SOLVED])  # due in 72 h
    assert watch_escalations(sessions, gateway, NOW + timedelta(hours=4)).overdue_alerted == []
    later = NOW + timedelta(hours=4, minutes=1)
    assert watch_escalations(sessions, gateway, later).overdue_alerted == [urgent]
    assert watch_escalations(sessions, gateway, later + timedelta(hours=1)).overdue_alerted == []
    assert gateway_standin.alerts == [urgent]
    assert load(sessions, urgent).overdue_alerted_at == later
    assert load(sessions, normal).overdue_alerted_at is None


def test_a_resolved_escalation_is_never_overdue(sessions: sessionmaker[Session],
                                                gateway: GatewayClient,
                                                gateway_standin: GatewayStandIn) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])
    with session_scope(sessions) as session:
        session.get(Escalation, urgent).status = EscalationStatus.RESOLVED
    watch_escalations(sessions, gateway, NOW + timedelta(days=5))
    assert gateway_standin.alerts == []


def test_a_failed_alert_is_retried_on_the_next_run(sessions: sessionmaker[Session],
                                                   gateway: GatewayClient,
                                                   gateway_standin: GatewayStandIn) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY])
    overdue_at = NOW + timedelta(hours=5)
    gateway_standin.alerts_fail = True
    assert watch_escalations(sessions, gateway, overdue_at).failed == [urgent]
    assert load(sessions, urgent).overdue_alerted_at is None
    gateway_standin.alerts_fail = False
    assert watch_escalations(sessions, gateway, overdue_at + timedelta(minutes=1)
                             ).overdue_alerted == [urgent]
    assert gateway_standin.alerts == [urgent]


def test_an_alert_the_gateway_never_confirmed_is_sent_after_a_grace_period(
        sessions: sessionmaker[Session], gateway: GatewayClient,
        gateway_standin: GatewayStandIn) -> None:
    lost = escalate(sessions, "T-1", [Reason.LOW_OVERALL], alerted=False)
    escalate(sessions, "T-2", [Reason.LOW_OVERALL], alerted=True)
    assert watch_escalations(sessions, gateway, NOW + ALERT_GRACE / 2).alerted == []
    assert watch_escalations(sessions, gateway, NOW + ALERT_GRACE).alerted == [lost]
    assert watch_escalations(sessions, gateway, NOW + 2 * ALERT_GRACE).alerted == []
    assert gateway_standin.alerts == [lost]


def test_an_unconfirmed_escalation_that_is_already_overdue_gets_one_alert(
        sessions: sessionmaker[Session], gateway: GatewayClient,
        gateway_standin: GatewayStandIn) -> None:
    urgent = escalate(sessions, "T-1", [Reason.HIGH_SEVERITY], alerted=False)
    report = watch_escalations(sessions, gateway, NOW + timedelta(hours=6))
    assert (report.overdue_alerted, report.alerted) == ([urgent], [])
    assert gateway_standin.alerts == [urgent]
    assert load(sessions, urgent).alerted_at is not None


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
    assert gateway_standin.digests == [text]
