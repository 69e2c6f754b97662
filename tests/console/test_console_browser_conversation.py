"""End to end: a customer's real conversation (web chat → real gateway → real Rasa → real action
server) raises an escalation; a supervisor reviews, claims and resolves it in real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr
from sqlalchemy import select

from console.app import create_app
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackKind, Channel, Escalation, EscalationStatus
from huifang.settings import get_settings
from tests.console.browser import chromium, log_in, screenshot, serving
from tests.console.console_support import PASSWORD, add_user
from tests.gateway.support import (
    GatewayUnderTest,
    Seeded,
    gateway_settings,
    running_gateway,
    seed_customer,
)
from tests.support.stack import RasaStack

pytestmark = pytest.mark.rasa

ADDRESS = "wc-console-e2e"
BRANCH = "控制台端到端网点"
COMPLAINT = "等了三个小时才修好，师傅态度还很差"


@dataclass(frozen=True)
class Scene:
    gateway: GatewayUnderTest
    seeded: Seeded
    escalation_id: int
    console_url: str


@pytest.fixture(scope="module")
def scene(gateway_stack: RasaStack, gateway_port: int) -> Iterator[Scene]:
    """On the session's shared stack: the supervisor sees only this test's branch, so other
    tests' escalations in the same database stay out of the queue."""
    gateway_config = gateway_settings(gateway_stack.database_url, gateway_stack.rasa_url,
                                      internal_token=get_settings().internal_token)
    with running_gateway(gateway_config, internal_port=gateway_port) as gateway:
        seeded = seed_customer(gateway.sessions, Channel.WEBCHAT, address=ADDRESS,
                               branch=BRANCH)
        escalation_id = unhappy_conversation(gateway, seeded)
        with session_scope(gateway.sessions) as session:
            add_user(session, "zhang", branches=[BRANCH])
        console = create_app(gateway_config.model_copy(update={
            "timezone": "Asia/Shanghai",
            "console_secret_key": SecretStr("console-e2e-secret")}))
        with serving(console) as console_url:
            yield Scene(gateway, seeded, escalation_id, console_url)


def unhappy_conversation(gateway: GatewayUnderTest, seeded: Seeded) -> int:
    """The customer presses "2", says it is not fixed and why, and answers the rest."""
    assert gateway.send_round(seeded.callback_id).json()["status"] == "sent"
    question = gateway.webchat_history(ADDRESS).json()[-1]
    two = next(b for b in question["buttons"] if b["title"].startswith("2"))
    assert gateway.webchat_say(ADDRESS, button=two["id"]).status_code == 200
    for answer in ("没有，还是坏的", COMPLAINT, "2", "2", "3", "3", "没有"):
        assert gateway.webchat_say(ADDRESS, text=answer).status_code == 200
    escalation = gateway.wait_until(lambda s: s.scalar(select(Escalation).where(
        Escalation.callback_id == seeded.callback_id)), what="the escalation")
    return escalation.id


@pytest.fixture(scope="module")
def page(scene: Scene) -> Iterator[Page]:
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        yield context.new_page()
        context.close()


def test_escalation_from_a_real_conversation_is_reviewed_claimed_and_resolved(
        page: Page, scene: Scene) -> None:
    base = scene.console_url
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    log_in(page, base, "zhang", "wrong password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")

    log_in(page, base, "zhang", PASSWORD)
    row = page.locator(f"tr[data-escalation-id='{scene.escalation_id}']")
    expect(row).to_contain_text(scene.seeded.ticket_id)
    expect(row).to_contain_text("问题未解决")
    expect(row.locator(".sla")).to_contain_text("剩余")
    screenshot(page, "console-e2e-queue.png")

    row.locator("a.open-escalation").click()
    transcript = page.get_by_role("region", name="对话记录")
    expect(transcript).to_contain_text("服务回访助手")  # the bot's opening, from Rasa
    expect(transcript.locator(".button-chip").first).to_be_visible()  # the buttons offered
    expect(transcript.locator(".pressed-button").first).to_contain_text("2")  # the press
    expect(transcript).to_contain_text(COMPLAINT)  # the customer's own words
    expect(page.locator("dd.overall")).to_contain_text("2 分")
    expect(page.get_by_role("region", name="投诉分析")).to_contain_text("时效/进度")
    screenshot(page, "console-e2e-conversation.png")

    escalation = page.locator(f"#escalation-{scene.escalation_id}")
    escalation.locator("button.claim").click()
    expect(page.locator(".flash")).to_have_text("已认领，请尽快联系客户")
    escalation.locator("select[name=root_cause]").select_option("timeliness")
    escalation.locator("textarea[name=resolution]").fill("已致电道歉，明天上午安排复检")
    escalation.locator("button.resolve").click()
    expect(page.locator(".flash")).to_have_text("已解决，并已安排问题处理回访")
    expect(escalation.locator(".escalation-status")).to_have_text("已解决")

    with scene.gateway.sessions() as session:
        stored = session.get(Escalation, scene.escalation_id)
        assert stored is not None and stored.status == EscalationStatus.RESOLVED
        assert stored.owner is not None and stored.owner.username == "zhang"
        assert [e.action for e in stored.events][-2:] == ["claimed", "resolved"]
        recovery = session.scalar(select(Callback).where(
            Callback.ticket_id == stored.callback.ticket_id,
            Callback.kind == CallbackKind.RECOVERY))
        assert recovery is not None and stored.recovery_callback_id == recovery.id

    page.goto(f"{base}/reports?by=agent")
    expect(page.locator("svg.chart-svg")).to_have_count(4)
    expect(page.locator("#metrics-table")).to_contain_text("李师傅")
