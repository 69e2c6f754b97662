"""The one stack every conversation of the suite talks to, started once for the suite: the real
Rasa server and action server (`gateway_stack`, shared with the other end-to-end tests), the real
gateway on the port the actions call back, and the fake Telegram Bot API server whose
supervisors' chat records the alerts. Each conversation brings its own customer and ticket.

At the end of the run the suite's pass count is printed on one line, with its failures grouped
by cause (tests/conversations/README.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import time

import pytest
from _pytest.terminal import TerminalReporter

from huifang.db import create_db_engine, session_factory
from huifang.settings import get_settings
from tests.conversations.driver import SuiteStack
from tests.gateway.support import SUPERVISORS_CHAT, gateway_settings, running_gateway
from tests.support.fake_bot_api import FakeBotApi, serving
from tests.support.stack import RasaStack

SUITE_MODULE = "test_conversation_suite.py"
# every customer of the suite writes from 127.0.0.1: lift the per-address limit a little above
# what a whole run sends, keep the per-link limit a real page would meet
REQUESTS_PER_MINUTE_PER_CLIENT = 5000


@pytest.fixture(scope="module")  # its gateway frees `gateway_port` for the next module
def suite_stack(gateway_stack: RasaStack, gateway_port: int) -> Iterator[SuiteStack]:
    with serving(FakeBotApi()) as telegram:
        telegram.api.add_group(SUPERVISORS_CHAT, "回访主管群")
        settings = gateway_settings(
            gateway_stack.database_url, gateway_stack.rasa_url, telegram,
            internal_token=get_settings().internal_token,
            webchat_requests_per_minute_per_client=REQUESTS_PER_MINUTE_PER_CLIENT)
        with running_gateway(settings, internal_port=gateway_port) as gateway:
            # the scheduler's side: the real clock may be outside office hours while the
            # suite runs, so its contact window is open all day
            scheduler_settings = settings.model_copy(update={
                "gateway_internal_url": gateway.internal_url,
                "contact_window_start": time(0, 0),
                "contact_window_end": time(23, 59, 59, 999999),
            })
            engine = create_db_engine(gateway_stack.database_url)
            try:
                yield SuiteStack(gateway.url, scheduler_settings, session_factory(engine),
                                 telegram.api, SUPERVISORS_CHAT)
            finally:
                engine.dispose()


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    reports = [r for outcome in ("passed", "failed", "error")
               for r in terminalreporter.stats.get(outcome, [])
               if getattr(r, "when", None) == "call" and SUITE_MODULE in r.nodeid
               or getattr(r, "when", None) == "setup" and r.failed and SUITE_MODULE in r.nodeid]
    if not reports:
        return
    passed = sum(1 for r in reports if r.passed)
    causes: Counter[str] = Counter()
    for report in reports:
        if report.failed and "DriverError" in report.longreprtext:
            causes["driver error (not a finding about the product)"] += 1
        for name, value in report.user_properties:
            if name == "failure_causes":
                causes.update(set(value))
    share = 100 * passed / len(reports)
    terminalreporter.write_line(
        f"conversation suite: {passed}/{len(reports)} conversations passed ({share:.0f} %)")
    for cause, count in causes.most_common():
        terminalreporter.write_line(f"  {count:3d} × {cause}")
