"""Campaign operations through the real console app over HTTP (ASGI): who may do what, the
upload's preview with per-line reasons in Chinese, confirming it into a campaign, the live
JSON, pause, the survey preview, the do-not-contact list, the report filter and the export."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import consent, survey_answers
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Campaign,
    CampaignStatus,
    Channel,
    ConsentEvent,
    Customer,
    Role,
    Ticket,
)
from huifang.intake import TicketIn, ingest
from huifang.outcome_export import outcome_rows
from huifang.surveys import all_templates
from tests.console.console_support import NOW, SETTINGS, add_user, build_app, csrf_of, log_in

UPLOAD = """工单号,客户编号,客户姓名,手机号,渠道,联系地址,服务类型,服务人员,网点,完成时间,备注
U-1,UC-1,张三,13800138000,webchat,wc-u1,auto_repair,李师傅,朝阳店,2025-04-03 15:30,好
U-2,UC-2,李四,,webchat,wc-u2,power_outage,抢修一班,东城所,2025-04-04 09:00,
U-1,UC-1,张三,13800138000,webchat,wc-u1,auto_repair,李师傅,朝阳店,2025-04-03 15:30,重复
U-3,UC-3,王五,12ab,webchat,wc-u3,auto_repair,,,2025-04-03 10:00,电话错
U-4,UC-4,赵六,,webchat,wc-u4,auto_repair,,,昨天下午,日期错
,UC-5,,,webchat,wc-u5,auto_repair,,,2025-04-03 10:00,没有工单号
OLD-1,UC-9,钱七,,webchat,wc-old,auto_repair,,,2025-04-01 10:00,以前导入过
"""


@dataclass
class Site:
    factory: sessionmaker[Session]
    app: Any

    def client(self, username: str) -> TestClient:
        client = TestClient(self.app)
        assert log_in(client, username).status_code == 303
        return client


@pytest.fixture
def site(sqlite_factory: sessionmaker[Session]) -> Iterator[Site]:
    with session_scope(sqlite_factory) as session:
        add_user(session, "ops", Role.OPERATOR)
        add_user(session, "boss", Role.SUPERVISOR)
        add_user(session, "root", Role.ADMIN)
        ingest(session, [TicketIn(ticket_id="OLD-1", customer_id="UC-9", service_type="auto_repair",
                                  closed_at=NOW - timedelta(days=4))], NOW, SETTINGS)
    yield Site(sqlite_factory, build_app(sqlite_factory))


def token(client: TestClient, page: str) -> str:
    return csrf_of(client.get(page).text)


def wait_for_job(client: TestClient, job_url: str, phase: str) -> dict[str, Any]:
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/api/campaigns/uploads/{job_id}").json()
        if state["phase"] in (phase, "failed"):
            return state
        time.sleep(0.05)
    raise TimeoutError(f"upload job never reached {phase}")


def upload(client: TestClient, text: str = UPLOAD, filename: str = "四月工单.csv") -> str:
    response = client.post("/campaigns/new", data={"csrf_token": token(client, "/campaigns/new")},
                           files={"file": (filename, text.encode("utf-8-sig"), "text/csv")})
    assert response.status_code == 200, response.text
    return str(response.url)


def confirmed_campaign(site: Site, client: TestClient, name: str = "四月保养回访") -> Campaign:
    job_url = upload(client)
    assert wait_for_job(client, job_url, "preview")["phase"] == "preview"
    response = client.post(f"{job_url}/confirm", data={
        "csrf_token": token(client, job_url), "name": name, "template": "",
        "sampling_percent": "", "starts_at": ""})
    assert response.status_code == 200
    state = wait_for_job(client, job_url, "done")
    assert state["phase"] == "done"
    with site.factory() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.name == name))
        assert campaign is not None
        return campaign


def test_the_preview_shows_what_will_be_imported_and_each_bad_line_in_chinese(
        site: Site) -> None:
    client = site.client("ops")
    job_url = upload(client)
    state = wait_for_job(client, job_url, "preview")
    assert (state["phase"], state["done"], state["total"]) == ("preview", 7, 7)
    page = client.get(job_url).text
    assert 'id="preview-rows">7<' in page
    assert 'id="preview-new">2<' in page  # U-1 and U-2
    assert 'id="preview-present">1<' in page  # OLD-1
    assert 'id="preview-duplicates">1<' in page
    assert 'id="preview-invalid">3<' in page
    assert '<tr data-line="4"><td>4</td><td>U-1</td><td>与第 2 行的工单号重复</td></tr>' in page
    assert "<td>电话号码格式不正确（应为 7–15 位数字）</td>" in page
    assert "<td>完成时间不是有效的日期时间（例如 2025-03-01 14:30）</td>" in page
    assert "<td>工单号不能为空</td>" in page
    assert "未使用的列：备注" in page
    with site.factory() as session:  # a preview writes nothing
        assert session.scalar(select(Ticket).where(Ticket.external_id == "U-1")) is None
        assert session.scalars(select(Campaign.name)).all() == ["API · auto_repair"]


def test_confirming_imports_the_good_rows_into_a_new_campaign(site: Site) -> None:
    client = site.client("ops")
    campaign = confirmed_campaign(site, client)
    with site.factory() as session:
        members = session.scalars(select(Callback).where(Callback.campaign_id == campaign.id)
                                  ).all()
        assert sorted(c.ticket.external_id for c in members) == ["U-1", "U-2"]
        old = session.scalar(select(Callback).join(Ticket).where(Ticket.external_id == "OLD-1"))
        assert old is not None and old.campaign is not None
        assert old.campaign.name == "API · auto_repair"
        events = session.get_one(Campaign, campaign.id).events
        assert [(e.action, e.actor.username if e.actor else None) for e in events] == [
            ("created", "ops"), ("imported", "ops")]
        assert events[1].text == "四月工单.csv：新增 2 条，已存在 1 条"
    live = client.get(f"/api/campaigns/{campaign.id}").json()
    assert live["counts"] == {"total": 2, "sent": 0, "answered": 0, "scheduled": 2,
                              "in_progress": 0, "completed": 0, "no_response": 0,
                              "opted_out": 0, "unreachable": 0, "failed": 0, "cancelled": 0}
    assert live["texts"]["status"] == "进行中"
    second = upload(client)
    wait_for_job(client, second, "preview")
    again = client.post(f"{second}/confirm", data={"csrf_token": token(client, second),
                                                   "name": "四月保养回访"})
    assert "已有名为“四月保养回访”的活动，请换一个名称" in again.text
    assert "确认导入 3 条" in again.text  # still the preview, nothing imported


def test_the_new_customers_links_are_shown_once_after_the_import(site: Site) -> None:
    client = site.client("ops")
    job_url = upload(client)
    wait_for_job(client, job_url, "preview")
    client.post(f"{job_url}/confirm", data={"csrf_token": token(client, job_url),
                                            "name": "带链接的活动"}, follow_redirects=False)
    assert wait_for_job(client, job_url, "done")["next"] is None  # links first
    first = client.get(job_url).text
    links = re.findall(r"<tr><td>(U-\d)</td><td><code>([^<]+)</code></td></tr>", first)
    assert [ticket for ticket, _ in links] == ["U-1", "U-2"]  # the new web-chat customers
    assert all("/chat/" in link for _, link in links)
    again = client.get(job_url).text
    assert "客户链接已显示过" in again and links[0][1] not in again
    assert client.get(f"/api/campaigns/uploads/{job_url.rsplit('/', 1)[-1]}").json()["next"]


def test_a_file_that_cannot_be_read_is_refused_with_its_reason(site: Site) -> None:
    client = site.client("ops")
    job_url = upload(client, "id,name\n1,x\n")
    state = wait_for_job(client, job_url, "failed")
    assert state["phase"] == "failed"
    assert "缺少必填列：工单号(ticket_id)" in client.get(job_url).text
    response = client.post("/campaigns/new", data={"csrf_token": token(client, "/campaigns/new")},
                           files={"file": ("工单.txt", b"x", "text/plain")})
    assert "请上传 .csv 或 .xlsx 文件" in response.text


def test_operators_run_campaigns_but_cannot_reach_the_users_page(site: Site) -> None:
    client = site.client("ops")
    assert client.get("/users").status_code == 403
    for page in ("/campaigns", "/campaigns/new", "/surveys", "/do-not-contact"):
        response = client.get(page)
        assert response.status_code == 200, page
        # the title bar names the console, not the supervisors' role (seen by an operator)
        assert "回访控制台" in response.text and "主管控制台" not in response.text, page
    campaign = confirmed_campaign(site, client)
    response = client.post(f"/campaigns/{campaign.id}/pause", data={
        "csrf_token": token(client, f"/campaigns/{campaign.id}"), "note": "等新模板"})
    assert "已暂停" in response.text
    with site.factory() as session:
        assert session.get_one(Campaign, campaign.id).status == CampaignStatus.PAUSED


def test_supervisors_see_campaigns_but_cannot_create_or_pause_them(site: Site) -> None:
    campaign = confirmed_campaign(site, site.client("ops"))
    client = site.client("boss")
    page = client.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200 and "暂停发送" not in page.text
    assert "新建活动" not in client.get("/campaigns").text
    assert client.get("/campaigns/new").status_code == 403
    assert client.get("/do-not-contact").status_code == 403
    for action in ("pause", "cancel"):
        refused = client.post(f"/campaigns/{campaign.id}/{action}", data={
            "csrf_token": csrf_of(page.text), "reason": "试试"})
        assert refused.status_code == 403
    with site.factory() as session:
        assert session.get_one(Campaign, campaign.id).status == CampaignStatus.ACTIVE


def test_admins_can_do_everything(site: Site) -> None:
    client = site.client("root")
    campaign = confirmed_campaign(site, client, "管理员的活动")
    assert client.get("/users").status_code == 200
    response = client.post(f"/campaigns/{campaign.id}/cancel", data={
        "csrf_token": token(client, f"/campaigns/{campaign.id}"), "reason": "重复的名单"})
    assert "已取消活动，2 条未发送的回访已停止" in response.text


def test_the_survey_preview_shows_every_template_in_both_scripts_with_buttons(
        site: Site) -> None:
    page = site.client("ops").get("/surveys").text
    for template in all_templates().values():
        assert f'id="survey-{template.name}"' in page and template.title in page
    assert page.count('data-script="zh-Hans"') == page.count('data-script="zh-Hant"') >= 5
    assert "您对本次服务的总体满意度如何？" in page
    assert "您對本次服務的總體滿意度如何？" in page
    assert '<span class="button-chip">5 非常满意</span>' in page
    assert '<span class="button-chip">5 非常滿意</span>' in page
    assert "请为「维修质量」打个分吧" in page  # the auto template's own dimension
    assert "视评分提问" in page  # "what went wrong" is asked only after a low score


@pytest.fixture
def listed(site: Site) -> dict[str, int]:
    """C-OUT opted out in the conversation, C-BLOCK blocked the bot, C-FINE is reachable."""
    ids = {}
    with session_scope(site.factory) as session:
        for key, phone in (("C-OUT", "13900001111"), ("C-BLOCK", "13900002222"),
                           ("C-FINE", "13900003333")):
            customer = Customer(external_id=key, name="客户" + key[-2:], phone=phone,
                                preferred_channel=Channel.TELEGRAM)
            session.add(customer)
            session.flush()
            ids[key] = customer.id
        consent.opt_out(session, session.get_one(Customer, ids["C-OUT"]),
                        source="conversation", reason="别再发了", now=NOW - timedelta(days=1))
        consent.mark_unreachable(session, session.get_one(Customer, ids["C-BLOCK"]),
                                 reason="telegram: bot was blocked by the user", now=NOW)
    return ids


def test_the_do_not_contact_list_says_when_and_how_and_can_be_searched(
        site: Site, listed: dict[str, int]) -> None:
    client = site.client("ops")
    page = client.get("/do-not-contact").text
    assert "共 2 位客户" in page and "C-FINE" not in page
    assert page.index("C-BLOCK") < page.index("C-OUT")  # most recent first
    assert "客户在对话中退订" in page and "别再发了" in page
    assert "渠道无法送达（如屏蔽机器人）" in page and "139****2222" in page
    assert "13900002222" not in page  # phone numbers are masked on screen
    found = client.get("/do-not-contact", params={"q": "0000111"}).text
    assert "C-OUT" in found and "C-BLOCK" not in found
    exported = client.get("/do-not-contact/export.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["客户编号", "姓名", "电话", "状态", "时间", "方式", "说明"]
    assert [r[:4] for r in rows[1:]] == [["C-BLOCK", "客户CK", "13900002222", "无法送达"],
                                         ["C-OUT", "客户UT", "13900001111", "已退订"]]


def test_re_enabling_a_customer_needs_a_reason_and_is_audited(
        site: Site, listed: dict[str, int]) -> None:
    client = site.client("ops")
    url = f"/do-not-contact/{listed['C-OUT']}/re-enable"
    refused = client.post(url, data={"csrf_token": token(client, "/do-not-contact"),
                                     "reason": " "})
    assert "请填写恢复联系的原因" in refused.text
    done = client.post(url, data={"csrf_token": token(client, "/do-not-contact"),
                                  "reason": "客户来电要求恢复回访"})
    assert "已恢复联系客户 C-OUT" in done.text and "共 1 位客户" in done.text
    with site.factory() as session:
        customer = session.get_one(Customer, listed["C-OUT"])
        assert customer.opted_out_at is None
        event = session.scalars(select(ConsentEvent).where(
            ConsentEvent.customer_id == customer.id).order_by(ConsentEvent.id)).all()[-1]
        assert (event.action, event.source, event.actor, event.reason) == (
            "opt_in", "console", "ops", "客户来电要求恢复回访")
    supervisor = site.client("boss")
    assert supervisor.post(f"/do-not-contact/{listed['C-BLOCK']}/re-enable", data={
        "csrf_token": token(supervisor, "/"), "reason": "x"}).status_code == 403


def test_reports_filter_by_campaign_and_the_export_names_it(site: Site) -> None:
    campaign = confirmed_campaign(site, site.client("ops"))
    with session_scope(site.factory) as session:
        for key in ("U-1", "OLD-1"):
            callback = session.scalar(select(Callback).join(Ticket)
                                      .where(Ticket.external_id == key))
            assert callback is not None
            callback.sent_at = NOW - timedelta(hours=1)
            survey_answers.record_overall(session, callback, 5, NOW)
            callback.status = CallbackStatus.COMPLETED
    client = site.client("boss")
    everything = client.get("/api/reports").json()["total"]
    only = client.get("/api/reports", params={"campaign": campaign.id}).json()["total"]
    assert (everything["sent"], only["sent"]) == (2, 1)
    assert f'<option value="{campaign.id}" selected>四月保养回访</option>' in client.get(
        "/reports", params={"campaign": campaign.id}).text
    with site.factory() as session:
        named = {row["ticket_id"]: row["campaign"] for row in outcome_rows(session)}
    assert named == {"U-1": "四月保养回访", "U-2": "四月保养回访", "OLD-1": "API · auto_repair"}
