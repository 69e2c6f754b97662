"""Campaign operations in real headless Chromium, end to end: an operator uploads a ticket
file with good, duplicate and malformed rows, reads the preview and the per-line reasons,
confirms, and watches the campaign page count the sends while a real dispatcher process hands
the callbacks to the real gateway (real Rasa + action server behind it, fake Telegram Bot API
in front). Pausing stops the sends (checked in the database), resuming lets them go, and a
conversation opens from the campaign. An operator cannot reach the users page; a supervisor
cannot create or pause a campaign."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from console.app import create_app
from huifang.db import session_scope
from huifang.db.models import Callback, Campaign, CampaignStatus, Role, Ticket
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from tests.console.browser import chromium, log_in, screenshot, serving
from tests.console.console_support import PASSWORD, add_user
from tests.scheduler.live_stack import FIRST_CHAT_ID, LiveStack, live_stack
from tests.support.fake_bot_api import FakeUser

pytestmark = pytest.mark.rasa

INTRO = "服务回访助手"  # in the opening message of every survey
SOON = ("B-1", "B-2", "B-3")  # closed long ago: due at once
LATER = ("B-4", "B-5")  # closed yesterday: due in two hours
ZONE = "Asia/Shanghai"
CHATS = {key: FIRST_CHAT_ID + 500 + n for n, key in enumerate((*SOON, *LATER, "OTHER"))}


@dataclass(frozen=True)
class Scene:
    stack: LiveStack
    console_url: str

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.stack.sessions


def ticket_file(directory: Path) -> Path:
    now = utcnow().astimezone(ZoneInfo(ZONE)).replace(tzinfo=None)
    long_ago = (now - timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    yesterday = (now - timedelta(hours=22)).strftime("%Y-%m-%d %H:%M")
    rows = ["工单号,客户编号,客户姓名,手机号,渠道,联系地址,服务类型,服务人员,网点,完成时间,时区"]
    zone = ZONE
    for key in SOON:
        rows.append(f"{key},BC-{key},客户{key},13800138000,telegram,{CHATS[key]},auto_repair,"
                    f"李师傅,朝阳店,{long_ago},{zone}")
    for key in LATER:
        rows.append(f"{key},BC-{key},客户{key},,telegram,{CHATS[key]},auto_repair,王师傅,海淀店,"
                    f"{yesterday},{zone}")
    rows.append(f"B-1,BC-B-1,客户B-1,13800138000,telegram,{CHATS['B-1']},auto_repair,李师傅,朝阳店,"
                f"{long_ago},{zone}")
    rows.append(f"B-6,BC-B-6,客户B-6,12ab,telegram,1,auto_repair,,,{long_ago},{zone}")
    rows.append(f"B-7,BC-B-7,客户B-7,,telegram,2,auto_repair,,,上周三,{zone}")
    path = directory / "四月保养回访.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def scene(trained_models: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    with live_stack(tmp_path_factory.mktemp("campaign-browser")) as stack:
        stack.fake.open_chats([FakeUser(chat, f"客户{key}") for key, chat in CHATS.items()])
        with session_scope(stack.sessions) as session:
            add_user(session, "ops", Role.OPERATOR)
            add_user(session, "boss", Role.SUPERVISOR)
        settings = stack.settings.model_copy(update={
            "timezone": ZONE,
            "console_secret_key": SecretStr("campaign-browser-console-secret"),
            # the real clock decides: the contact window is open all day, as in the stack
            "contact_window_start": clock_time(0, 0),
            "contact_window_end": clock_time(23, 59, 59, 999999),
            "campaign_refresh_seconds": 1.0,
        })
        with serving(create_app(settings, stack.sessions)) as console_url:
            yield Scene(stack, console_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    return context.new_page()


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.3)


def callbacks(scene: Scene, *keys: str) -> list[Callback]:
    with scene.sessions() as session:
        found = session.scalars(select(Callback).join(Ticket).where(
            Ticket.external_id.in_(keys)).order_by(Ticket.external_id)).all()
        assert len(found) == len(keys)
        return list(found)


def make_due(scene: Scene, *keys: str) -> None:
    with session_scope(scene.sessions) as session:
        ids = select(Ticket.id).where(Ticket.external_id.in_(keys))
        session.execute(update(Callback).where(Callback.ticket_id.in_(ids))
                        .values(due_at=utcnow() - timedelta(seconds=1)))


def test_an_operator_uploads_watches_pauses_resumes_and_opens_a_conversation(
        scene: Scene, browser: Browser, tmp_path: Path) -> None:
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, scene.console_url, "ops", PASSWORD)
    page.goto(f"{scene.console_url}/users")
    expect(page.locator("main")).to_contain_text("需要管理员权限")  # operators: no users page

    page.goto(f"{scene.console_url}/campaigns")
    page.click("#new-campaign")
    page.set_input_files("input[name=file]", ticket_file(tmp_path))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#preview-new")).to_have_text("5", timeout=60_000)
    expect(page.locator("#preview-duplicates")).to_have_text("1")
    expect(page.locator("#preview-invalid")).to_have_text("2")
    errors = page.locator("#preview-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("与第 2 行的工单号重复")
    expect(errors.nth(1)).to_contain_text("电话号码格式不正确")
    expect(errors.nth(2)).to_contain_text("完成时间不是有效的日期时间")
    screenshot(page, "console-campaign-upload-preview.png")
    with scene.sessions() as session:  # nothing written before confirming
        assert session.scalar(select(Ticket).where(Ticket.external_id == "B-1")) is None

    page.fill("input[name=name]", "四月保养回访")
    page.click("#confirm-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"), timeout=60_000)
    expect(page.locator("#figure-total")).to_have_text("5")
    expect(page.locator("#figure-scheduled")).to_have_text("5")
    expect(page.locator("#figure-sent")).to_have_text("0")
    campaign_id = int(page.url.rsplit("/", 1)[-1])
    with session_scope(scene.sessions) as session:  # another campaign's survey, due later
        ingest(session, [TicketIn(ticket_id="OTHER", customer_id="BC-OTHER",
                                  service_type="auto_repair", channel="telegram",
                                  address=str(CHATS["OTHER"]), closed_at=utcnow())], utcnow())

    page.evaluate("window.__sameDocument = true")
    scene.stack.start_dispatcher("campaign-dispatcher", concurrency=2,
                                 HUIFANG_DISPATCH_INTERVAL_SECONDS="0.5")
    # the figures refresh by themselves while the dispatcher works
    expect(page.locator("#figure-sent")).to_have_text("3", timeout=240_000)
    expect(page.locator("#figure-scheduled")).to_have_text("2")
    expect(page.locator("#figure-in_progress")).to_have_text("3")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    expect(page.locator("#campaign-chart svg")).to_contain_text("发送")
    screenshot(page, "console-campaign-page.png")

    page.fill(".campaign-actions input[name=note]", "等新的问卷模板")
    page.click("button.pause")
    expect(page.locator(".flash")).to_contain_text("已暂停")
    expect(page.locator("#figure-status")).to_have_text("已暂停")
    make_due(scene, *LATER, "OTHER")
    wait_until("the other campaign's survey", lambda: callbacks(scene, "OTHER")[0].sent_at
               is not None)  # the dispatcher has passed over the paused ones since
    time.sleep(2)  # a few more dispatch passes
    held = callbacks(scene, *LATER)
    assert [(c.sent_at, c.delivered_round, c.status.value) for c in held] == [
        (None, 0, "scheduled")] * 2
    assert all(not scene.stack.fake.messages_to(CHATS[key]) for key in LATER)
    with scene.sessions() as session:
        campaign = session.get_one(Campaign, campaign_id)
        assert campaign.status == CampaignStatus.PAUSED
        assert (campaign.events[-1].action, campaign.events[-1].text) == (
            "paused", "等新的问卷模板")

    page.click("button.resume")
    expect(page.locator(".flash")).to_contain_text("已继续发送")
    expect(page.locator("#figure-sent")).to_have_text("5", timeout=240_000)
    wait_until("the last openings", lambda: all(
        any(INTRO in m.text for m in scene.stack.fake.messages_to(CHATS[k])) for k in LATER))
    assert all(c.delivered_round == 1 for c in callbacks(scene, *SOON, *LATER))

    page.reload()
    row = page.locator("#campaign-callbacks tbody tr", has_text="B-2")
    row.locator("a.open-conversation").click()
    expect(page).to_have_url(re.compile(r"/callbacks/\d+"))
    expect(page.get_by_role("region", name="对话记录")).to_contain_text(INTRO)

    page.goto(f"{scene.console_url}/campaigns")
    listed = page.locator(f"tr[data-campaign-id='{campaign_id}']")
    expect(listed.locator(".figure-sent")).to_have_text("5")
    expect(listed.locator(".figure-total")).to_have_text("5")
    screenshot(page, "console-campaigns.png")
    assert requested and all(url.startswith(scene.console_url) for url in requested)


def test_a_supervisor_can_read_but_not_create_or_pause_a_campaign(
        scene: Scene, browser: Browser) -> None:
    with scene.sessions() as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.id.desc())).first()
        assert campaign is not None
        campaign_id, status = campaign.id, campaign.status
    page = new_page(browser)
    log_in(page, scene.console_url, "boss", PASSWORD)
    page.goto(f"{scene.console_url}/campaigns")
    expect(page.locator("#new-campaign")).to_have_count(0)
    page.goto(f"{scene.console_url}/campaigns/new")
    expect(page.locator("main")).to_contain_text("需要回访专员或管理员权限")
    page.goto(f"{scene.console_url}/campaigns/{campaign_id}")
    expect(page.locator("#figure-total")).to_be_visible()
    expect(page.locator("button.pause")).to_have_count(0)
    refused = page.evaluate("""async (id) => {
        const token = document.querySelector("input[name=csrf_token]").value;
        const body = new URLSearchParams({csrf_token: token, note: "试一下"});
        const response = await fetch(`/campaigns/${id}/pause`, {method: "POST", body});
        return response.status;
    }""", campaign_id)
    assert refused == 403
    with scene.sessions() as session:
        assert session.get_one(Campaign, campaign_id).status == status
