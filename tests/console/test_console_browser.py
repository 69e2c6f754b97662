"""The console in real headless Chromium: refusals, review → claim → resolve, the report charts.

The data are the fixed data set (made through the huifang services) plus a short transcript;
test_console_browser_conversation.py does the same with an escalation from a real conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from console.conversation import load_callback
from huifang.db import create_db_engine, session_factory
from huifang.db.migrate import upgrade
from tests.console.browser import chromium, log_in, screenshot, serving
from tests.console.console_support import (
    PASSWORD,
    Dataset,
    add_messages,
    add_standard_users,
    build_app,
    load_dataset,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'huifang.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    factory: sessionmaker[Session] = session_factory(engine)
    with factory() as session:
        data = load_dataset(session)
        add_standard_users(session)
        callback = load_callback(session, data.callbacks["C9"])
        assert callback is not None
        add_messages(session, callback)
        session.commit()
    with serving(build_app(factory)) as base_url:
        yield base_url, data
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def test_anonymous_visitor_sees_only_the_login_form(page: Page,
                                                    site: tuple[str, Dataset]) -> None:
    base_url, data = site
    page.goto(f"{base_url}/callbacks/{data.callbacks['C9']}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("h1")).to_have_text("登录回访控制台")
    assert "王先生" not in page.content()
    api = page.goto(f"{base_url}/api/escalations")
    assert api is not None and api.status == 401


def test_wrong_password_is_refused(page: Page, site: tuple[str, Dataset]) -> None:
    base_url, _ = site
    log_in(page, base_url, "anywhere", "not the password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_supervisor_reads_claims_and_resolves(page: Page, site: tuple[str, Dataset]) -> None:
    base_url, data = site
    log_in(page, base_url, "anywhere", PASSWORD)
    expect(page.locator("h1")).to_have_text("升级队列")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("T-C7")
    expect(page.locator(".sla.late").first).to_contain_text("已超时")
    screenshot(page, "console-queue.png")

    page.click("a.open-escalation:text('T-C9')")
    expect(page).to_have_url(re.compile(rf"/callbacks/{data.callbacks['C9']}#escalation-"))
    transcript = page.get_by_role("region", name="对话记录")
    expect(transcript).to_contain_text("您对本次服务的总体满意度如何？")
    expect(transcript.locator(".pressed-button").first).to_have_text("2 不满意")
    expect(transcript).to_contain_text("等了三个小时，师傅态度也不好")
    expect(page.locator("dd.overall")).to_contain_text("2 分（不满意）")

    escalation = page.locator("section.escalation")
    escalation.locator("button.claim").click()
    expect(page.locator(".flash")).to_have_text("已认领，请尽快联系客户")
    expect(escalation.locator("dd.owner")).to_have_text("anywhere主管")

    escalation.locator("textarea[name=text]").fill("已致电客户致歉，约好明天上门复检")
    escalation.locator("button[value=true]").click()
    expect(page.locator(".flash")).to_have_text("已记录联系情况")

    escalation.locator("select[name=root_cause]").select_option("price")
    escalation.locator("textarea[name=resolution]").fill("核实后退还多收的费用")
    expect(escalation.locator("input[name=recovery]")).to_be_checked()
    escalation.locator("button.resolve").click()
    expect(page.locator(".flash")).to_have_text("已解决，并已安排问题处理回访")
    expect(escalation.locator(".escalation-status")).to_have_text("已解决")
    expect(escalation.locator("dd.recovery")).to_contain_text("待发送")
    events = escalation.locator("ol.events li")
    expect(events).to_have_count(5)
    expect(events.nth(3)).to_contain_text("anywhere主管 · 联系客户：已致电客户致歉")
    expect(events.nth(4)).to_contain_text("解决：[price] 核实后退还多收的费用")

    page.goto(f"{base_url}/")
    expect(page.locator("table.queue")).not_to_contain_text("T-C9")
    page.goto(f"{base_url}/?view=resolved")
    expect(page.locator("table.queue")).to_contain_text("T-C9")


def test_report_page_renders_its_charts_from_this_site_only(
        page: Page, site: tuple[str, Dataset]) -> None:
    base_url, _ = site
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, base_url, "admin", PASSWORD)
    page.goto(f"{base_url}/reports?by=week")
    charts = page.locator("svg.chart-svg")
    expect(charts).to_have_count(4)
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    expect(page.locator("#chart-pareto svg")).to_contain_text("时效/进度")
    expect(page.locator("#chart-rates svg")).to_contain_text("满意率")
    expect(page.locator("#metrics-table tr.total")).to_contain_text("合计")
    expect(page.locator("#kpi-csat")).to_have_text("37.5%")
    screenshot(page, "console-reports.png")
    assert requested and all(url.startswith(base_url) for url in requested), requested

    with page.expect_download() as download:
        page.click("text=Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
