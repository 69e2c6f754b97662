"""A bad experience reaches a supervisor while the customer is still in the conversation —
not when the callback expires. Real gateway web chat → Rasa → action server → the gateway's
internal API → the supervisors' chat (fake Telegram Bot API). The 10 s is the product's
functional deadline for the alert (the poll's limit), not a speed measurement."""

from __future__ import annotations

import time
import pytest
from sqlalchemy import select

from huifang.db.models import Channel, Escalation, EscalationStatus, Priority
from tests.gateway.support import SUPERVISORS_CHAT, GatewayUnderTest, seed_customer
from tests.gateway.test_end_to_end import e2e  # noqa: F401 (fixture)
from tests.support.fake_bot_api import RunningFakeBotApi

pytestmark = pytest.mark.rasa

ALERT_DEADLINE_SECONDS = 10.0


def escalation_and_alert(e2e: GatewayUnderTest, fake: RunningFakeBotApi, callback_id: int,
                         since: float) -> tuple[Escalation, str]:
    """Poll the database and the supervisors' chat until ALERT_DEADLINE_SECONDS after `since`."""
    remaining = max(0.0, since + ALERT_DEADLINE_SECONDS - time.monotonic())
    escalation = e2e.wait_until(lambda s: s.scalar(select(Escalation).where(
        Escalation.callback_id == callback_id, Escalation.status == EscalationStatus.OPEN)),
        timeout=remaining, what="an open escalation")
    remaining = max(0.0, since + ALERT_DEADLINE_SECONDS - time.monotonic())
    alert = fake.api.wait_for(lambda: next((m for m in fake.api.messages_to(SUPERVISORS_CHAT)
                                            if f"#{escalation.id}" in m.text), None),
                              remaining, "the supervisors' alert")
    return escalation, alert.text


def test_one_point_then_silence_escalates_and_alerts_at_once(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    seeded = seed_customer(e2e.sessions, Channel.WEBCHAT, address="wc-spot-one")
    assert e2e.send_round(seeded.callback_id).json()["status"] == "sent"
    answered_at = time.monotonic()
    replies = e2e.webchat_say("wc-spot-one", text="1分").json()
    # the customer goes silent here: nothing else is sent
    escalation, alert = escalation_and_alert(e2e, fake_telegram, seeded.callback_id,
                                             answered_at)
    assert escalation.reasons == ["low_overall"] and escalation.priority == Priority.HIGH
    assert "总体 1/5" in alert
    said = "\n".join(r["text"] for r in replies)
    assert "前联系您" in said  # the promise is made only now that the escalation exists


def test_a_regulator_threat_at_the_second_question_escalates_and_alerts_at_once(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    seeded = seed_customer(e2e.sessions, Channel.WEBCHAT, address="wc-spot-threat")
    e2e.send_round(seeded.callback_id)
    assert "解决了吗" in e2e.webchat_say("wc-spot-threat", text="4").json()[-1]["text"]
    threat = "还是老样子，再不给我解决我就打12315投诉你们"
    answered_at = time.monotonic()
    replies = e2e.webchat_say("wc-spot-threat", text=threat).json()
    escalation, alert = escalation_and_alert(e2e, fake_telegram, seeded.callback_id,
                                             answered_at)
    assert escalation.priority == Priority.URGENT
    assert "high_severity" in escalation.reasons
    assert threat in alert
    said = "\n".join(r["text"] for r in replies)
    assert "服务主管" in said and "前联系您" in said
