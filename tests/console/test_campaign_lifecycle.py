"""Campaign rules (huifang/campaigns.py): membership, template / sampling / start time, pause
(the claim skips, the send rules hold), resume, cancel, the audit — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import campaigns
from huifang.callback_policy import PolicyBook, is_sampled
from huifang.campaigns import CampaignError, CampaignSpec
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Campaign,
    CampaignEvent,
    CampaignKind,
    CampaignStatus,
    Role,
    SupervisorUser,
    Ticket,
)
from huifang.intake import TicketIn, ingest
from huifang.send_rules import SendRules, Verdict
from huifang.settings import Settings
from scheduler.claims import claim_due
from scheduler.intake_api import create_app

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai
SETTINGS = Settings(_env_file=None, timezone="Asia/Shanghai",
                    intake_api_keys=[SecretStr("campaign-test-key")])
BOOK = PolicyBook(SETTINGS, {})


def ticket(key: str, service_type: str = "auto_repair") -> TicketIn:
    return TicketIn(ticket_id=key, customer_id=f"C-{key}", service_type=service_type,
                    channel="webchat", address=f"wc-{key}", closed_at=NOW - timedelta(days=2))


@pytest.fixture
def operator(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as session:
        user = SupervisorUser(username="ops", display_name="运营小王", password_hash="x",
                              role=Role.OPERATOR)
        session.add(user)
        session.flush()
        return user.id


def new_campaign(sessions: sessionmaker[Session], operator: int, name: str,
                 *keys: str, **spec: Any) -> int:
    with session_scope(sessions) as session:
        user = session.get_one(SupervisorUser, operator)
        campaign = campaigns.create_campaign(session, CampaignSpec(name, **spec), user, NOW)
        ingest(session, [ticket(k) for k in keys], NOW, SETTINGS, campaign=campaign)
        return campaign.id


def callback_of(session: Session, key: str) -> Callback:
    callback = session.scalar(select(Callback).join(Ticket).where(Ticket.external_id == key))
    assert callback is not None
    return callback


def claimed(sessions: sessionmaker[Session], at: datetime = NOW) -> set[str]:
    with session_scope(sessions) as session:
        ids = [c.callback_id for c in claim_due(session, "worker", at, 100, 300)]
        return {session.get_one(Callback, i).ticket.external_id for i in ids}


def change(sessions: sessionmaker[Session], operator: int, campaign_id: int, action: str,
           *args: str) -> object:
    with session_scope(sessions) as session:
        return getattr(campaigns, action)(session, session.get_one(Campaign, campaign_id),
                                          session.get_one(SupervisorUser, operator), NOW, *args)


def test_tickets_without_a_campaign_join_the_standing_campaign_of_their_service_type(
        sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        ingest(session, [ticket("S-1"), ticket("S-2", "power_outage")], NOW, SETTINGS)
        ingest(session, [ticket("S-3")], NOW, SETTINGS)
    with sessions() as session:
        standing = {c.name: c for c in session.scalars(select(Campaign))}
        assert set(standing) == {"API · auto_repair", "API · power_outage"}
        assert {c.kind for c in standing.values()} == {CampaignKind.STANDING}
        assert callback_of(session, "S-1").campaign_id == standing["API · auto_repair"].id
        assert callback_of(session, "S-3").campaign_id == standing["API · auto_repair"].id
        assert callback_of(session, "S-2").campaign_id == standing["API · power_outage"].id


def test_a_campaign_chooses_the_template_and_the_earliest_send(
        sessions: sessionmaker[Session], operator: int) -> None:
    start = NOW + timedelta(days=3, hours=1)  # Thursday 11:00 in Shanghai
    new_campaign(sessions, operator, "电信模板", "T-1", template="telecom", starts_at=start)
    new_campaign(sessions, operator, "按服务类型", "T-2")
    with sessions() as session:
        first, second = callback_of(session, "T-1"), callback_of(session, "T-2")
        assert (first.template, first.due_at) == ("telecom", start)
        assert second.template == "auto_after_sales"
        assert second.due_at == NOW  # closed two days ago: due now, inside the window


def test_the_campaign_sampling_rate_replaces_the_policy_rate(
        sessions: sessionmaker[Session], operator: int) -> None:
    keys = [f"R-{n}" for n in range(40)]
    new_campaign(sessions, operator, "抽样", *keys, sampling_rate=0.25)
    rules = SendRules(SETTINGS, BOOK)
    with sessions() as session:
        verdicts = [rules.decide(session, callback_of(session, k), NOW).verdict for k in keys]
    sent = verdicts.count(Verdict.SEND)
    expected = sum(is_sampled(k, 0.25) for k in keys)  # the deterministic sample
    assert sent == expected and 0 < sent < len(keys)
    assert verdicts.count(Verdict.STOP) == len(keys) - sent


def test_pausing_stops_new_surveys_at_once_and_resuming_lets_them_go(
        sessions: sessionmaker[Session], operator: int) -> None:
    paused = new_campaign(sessions, operator, "暂停的活动", "P-1", "P-2", "P-3")
    new_campaign(sessions, operator, "别的活动", "O-1")
    with session_scope(sessions) as session:
        reminder = callback_of(session, "P-3")  # an open conversation with a reminder due
        reminder.sent_at, reminder.send_mode, reminder.delivered_round = NOW, "remind", 1
    change(sessions, operator, paused, "pause", "模板有误")
    assert claimed(sessions) == {"O-1", "P-3"}
    with sessions() as session:
        assert {callback_of(session, k).status for k in ("P-1", "P-2")} == {
            CallbackStatus.SCHEDULED}
    change(sessions, operator, paused, "resume")
    assert claimed(sessions) == {"P-1", "P-2"}
    with sessions() as session:
        events = session.scalars(select(CampaignEvent).where(CampaignEvent.campaign_id == paused)
                                 .order_by(CampaignEvent.id)).all()
        assert [(e.action, e.text, e.actor.username if e.actor else None) for e in events] == [
            ("created", None, "ops"), ("paused", "模板有误", "ops"), ("resumed", None, "ops")]


def test_a_survey_claimed_just_before_the_pause_is_held_by_the_send_rules(
        sessions: sessionmaker[Session], operator: int) -> None:
    campaign_id = new_campaign(sessions, operator, "刚领取", "H-1", "H-2")
    assert claimed(sessions) == {"H-1", "H-2"}  # both held by a dispatcher now
    change(sessions, operator, campaign_id, "pause")
    rules = SendRules(SETTINGS, BOOK)
    with sessions() as session:
        decision = rules.decide(session, callback_of(session, "H-1"), NOW)
    assert (decision.verdict, decision.reason) == (Verdict.LATER, "campaign paused")
    change(sessions, operator, campaign_id, "cancel", "名单有误")
    with sessions() as session:
        decision = rules.decide(session, callback_of(session, "H-2"), NOW)
    assert (decision.verdict, decision.status, decision.reason) == (
        Verdict.STOP, CallbackStatus.CANCELLED, "campaign cancelled")


def test_cancelling_stops_the_surveys_not_started_and_leaves_open_conversations(
        sessions: sessionmaker[Session], operator: int) -> None:
    campaign_id = new_campaign(sessions, operator, "取消的活动", "X-1", "X-2", "X-3")
    with session_scope(sessions) as session:
        talking = callback_of(session, "X-3")
        talking.status, talking.sent_at, talking.delivered_round = (
            CallbackStatus.IN_PROGRESS, NOW, 1)
    with pytest.raises(CampaignError, match="请填写取消原因"):
        change(sessions, operator, campaign_id, "cancel", "  ")
    assert change(sessions, operator, campaign_id, "cancel", "客户名单导错了") == 2
    with sessions() as session:
        stopped = [callback_of(session, k) for k in ("X-1", "X-2")]
        assert {(c.status, c.status_reason) for c in stopped} == {
            (CallbackStatus.CANCELLED, "campaign cancelled")}
        assert callback_of(session, "X-3").status == CallbackStatus.IN_PROGRESS
        campaign = session.get_one(Campaign, campaign_id)
        assert campaign.status == CampaignStatus.CANCELLED
        assert (campaign.events[-1].action, campaign.events[-1].text) == (
            "cancelled", "客户名单导错了")
    for action in ("pause", "resume"):
        with pytest.raises(CampaignError, match="活动已取消"):
            change(sessions, operator, campaign_id, action)


def test_transitions_that_make_no_sense_are_refused(sessions: sessionmaker[Session],
                                                   operator: int) -> None:
    campaign_id = new_campaign(sessions, operator, "状态", "Z-1")
    with pytest.raises(CampaignError, match="活动进行中，不能继续"):
        change(sessions, operator, campaign_id, "resume")
    change(sessions, operator, campaign_id, "pause")
    with pytest.raises(CampaignError, match="活动已暂停，不能暂停"):
        change(sessions, operator, campaign_id, "pause")
    with session_scope(sessions) as session:
        ingest(session, [ticket("Z-2", "gas_repair")], NOW, SETTINGS)
        standing = session.scalar(select(Campaign.id).where(
            Campaign.kind == CampaignKind.STANDING))
    with pytest.raises(CampaignError, match="接口默认活动不能取消"):
        change(sessions, operator, standing, "cancel", "不要了")


def test_a_campaign_name_is_unique(sessions: sessionmaker[Session], operator: int) -> None:
    new_campaign(sessions, operator, "四月回访")
    spec = campaigns.checked_spec("  四月回访 ", None, None, None)  # as the form is read
    with pytest.raises(CampaignError, match="已有名为“四月回访”的活动"):
        new_campaign(sessions, operator, spec.name)


@pytest.mark.parametrize("name, template, percent, message", [
    ("", None, None, "请填写活动名称"),
    ("x" * 101, None, None, "最多 100 个字"),
    ("好名字", "no_such_template", None, "所选问卷模板不存在"),
    ("好名字", "recovery", None, "所选问卷模板不存在"),
    ("好名字", None, 0, "抽样比例应在 1%–100% 之间"),
    ("好名字", None, 120, "抽样比例应在 1%–100% 之间"),
])
def test_a_campaign_form_with_a_mistake_is_refused(name: str, template: str | None,
                                                  percent: float | None, message: str) -> None:
    with pytest.raises(CampaignError, match=message):
        campaigns.checked_spec(name, template, percent, None)


def test_a_sampling_percentage_becomes_a_rate() -> None:
    spec = campaigns.checked_spec("抽样", "telecom", 25, None)
    assert (spec.template, spec.sampling_rate) == ("telecom", 0.25)


@pytest.fixture
def api(sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS, sessions, clock=lambda: NOW)) as client:
        yield client


def test_the_intake_api_names_the_campaign(api: TestClient, sessions: sessionmaker[Session],
                                           operator: int) -> None:
    body = {"ticket_id": "API-1", "customer_id": "C-API-1", "service_type": "auto_repair",
            "channel": "webchat", "address": "wc-api-1", "closed_at": "2026-11-21T10:00:00+08:00"}
    key = {"X-API-Key": "campaign-test-key"}
    assert api.post("/api/tickets", params={"campaign": "门店补录"}, json=body,
                    headers=key).status_code == 200
    assert api.post("/api/tickets", json={**body, "ticket_id": "API-2"},
                    headers=key).status_code == 200
    with sessions() as session:
        named = callback_of(session, "API-1").campaign
        assert named is not None and (named.name, named.kind) == ("门店补录", CampaignKind.API)
        standing = callback_of(session, "API-2").campaign
        assert standing is not None and standing.name == "API · auto_repair"
    change(sessions, operator, named.id, "cancel", "停用")
    refused = api.post("/api/tickets", params={"campaign": "门店补录"},
                       json={**body, "ticket_id": "API-3"}, headers=key)
    assert refused.status_code == 422 and "已取消" in refused.json()["detail"]
    with sessions() as session:
        assert session.scalar(select(Ticket).where(Ticket.external_id == "API-3")) is None
