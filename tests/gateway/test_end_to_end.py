"""End to end through the real gateway, the real Rasa server and the real action server, with
Telegram played by the fake Bot API server. Assertions read the fake server's record and the
database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from huifang.branch_scope import TELEGRAM_ONLY_PASSWORD_HASH
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Channel,
    ConsentEvent,
    Customer,
    DeliveryStatus,
    Direction,
    Escalation,
    EscalationStatus,
    Message,
    SupervisorUser,
)
from huifang.settings import get_settings
from tests.gateway.support import (
    STRANGER,
    SUPERVISOR,
    SUPERVISORS_CHAT,
    GatewayUnderTest,
    Seeded,
    bind,
    gateway_settings,
    running_gateway,
    seed_customer,
    telegram_user,
)
from tests.support.fake_bot_api import FakeBotApi, FakeUser, RunningFakeBotApi, SentMessage
from tests.support.stack import RasaStack

pytestmark = pytest.mark.rasa


@pytest.fixture
def e2e(gateway_stack: RasaStack, gateway_port: int, fake_telegram: RunningFakeBotApi
        ) -> Iterator[GatewayUnderTest]:
    """The gateway on the port the action server calls back (supervisor alerts)."""
    fake_telegram.api.add_group(SUPERVISORS_CHAT, "回访主管群")
    settings = gateway_settings(gateway_stack.database_url, gateway_stack.rasa_url,
                                fake_telegram, internal_token=get_settings().internal_token)
    with running_gateway(settings, internal_port=gateway_port) as gateway:
        yield gateway


def press_payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


def bound_customer(gateway: GatewayUnderTest, fake: FakeBotApi) -> tuple[Seeded, FakeUser]:
    user = telegram_user()
    seeded = seed_customer(gateway.sessions, Channel.TELEGRAM)
    bind(fake, user, seeded.bind_token)
    return seeded, user


def next_messages(fake: FakeBotApi, user: FakeUser, seen: int,
                  until: str) -> list[SentMessage]:
    """Messages after the first `seen`, waiting until one contains `until`."""
    return fake.wait_for(lambda: (lambda new: new if any(until in m.text for m in new)
                                  else None)(fake.messages_to(user.id)[seen:]),
                         60, f"a reply containing {until!r}")


def test_telegram_customer_binds_answers_by_button_and_text_and_opts_out(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    seeded, user = bound_customer(e2e, fake)

    response = e2e.send_round(seeded.callback_id)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "sent"
    start = next_messages(fake, user, 1, "总体满意度")
    assert "服务回访助手" in start[0].text
    question = start[-1]
    assert [b["text"] for b in question.buttons()][0] == "5 非常满意"
    callback = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert callback.delivered_round == 1 and callback.sent_at is not None

    # a button press, then a double tap on the same button
    seen = len(fake.messages_to(user.id))
    five = question.button("5")["callback_data"]
    first_tap = fake.user_presses(user, question, five)
    solved = next_messages(fake, user, seen, "解决了吗")
    assert fake.wait_for_answer(first_tap)
    assert [b["text"] for b in fake.message(user.id, question.message_id).buttons()] == [
        "✅ 已选：5 非常满意"]
    second_tap = fake.user_presses(user, question, five)
    assert fake.wait_for_answer(second_tap)
    seen += len(solved)

    fake.user_sends(user, "解决了")
    next_messages(fake, user, seen, "推荐")  # a 5 needs no dimension ratings
    assert len([m for m in fake.messages_to(user.id) if "解决了吗" in m.text]) == 1
    seen = len(fake.messages_to(user.id))

    fake.user_sends(user, "别再给我发了，退订")
    assert next_messages(fake, user, seen, "退订")
    customer = e2e.wait_until(lambda s: (lambda c: c if c.opted_out_at else None)(
        s.get_one(Customer, seeded.customer_id)), what="opt-out stored")
    assert customer.unreachable_at is None
    events = e2e.read(lambda s: [(e.action, e.source) for e in s.scalars(
        select(ConsentEvent).where(ConsentEvent.customer_id == seeded.customer_id))])
    assert events == [("opt_out", "conversation")]
    callback = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert callback.status == CallbackStatus.OPTED_OUT
    assert e2e.read(lambda s: s.get_one(Callback, seeded.callback_id).response.overall) == 5

    reminder = e2e.send_round(seeded.callback_id, 2, "remind")
    assert (reminder.status_code, reminder.json()) == (409, {"status": "opted_out"})

    rows = e2e.messages(Channel.TELEGRAM, str(user.id))
    inbound = [r for r in rows if r.direction == Direction.INBOUND and r.callback_id]
    assert [(r.text, bool(r.payload)) for r in inbound] == [
        ("5 非常满意", True), ("解决了", False), ("别再给我发了，退订", False)]
    outbound = [r for r in rows if r.direction == Direction.OUTBOUND]
    assert all(r.delivery == DeliveryStatus.SENT and r.external_id for r in outbound)
    assert all(r.callback_id == seeded.callback_id for r in outbound[1:])


def test_webchat_customer_completes_a_survey(e2e: GatewayUnderTest) -> None:
    seeded = seed_customer(e2e.sessions, Channel.WEBCHAT, address="wc-e2e-survey")
    assert e2e.send_round(seeded.callback_id).json()["status"] == "sent"
    history = e2e.webchat_history("wc-e2e-survey").json()
    assert "总体满意度" in history[-1]["text"]
    five = next(b for b in history[-1]["buttons"] if b["title"].startswith("5"))

    assert set(five) == {"title", "id"}  # the page never sees a payload, only an opaque id
    replies = e2e.webchat_say("wc-e2e-survey", button=five["id"]).json()
    assert "解决了吗" in replies[-1]["text"] and replies[-1]["buttons"]
    for answer in ("解决了", "八九分吧"):  # a 5 needs no dimension ratings
        assert e2e.webchat_say("wc-e2e-survey", text=answer).status_code == 200
    done = e2e.webchat_say("wc-e2e-survey", text="师傅很专业，点赞").json()
    assert "感谢您的宝贵评价" in done[-1]["text"]

    callback = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id))
    response = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id).response)
    assert callback.status == CallbackStatus.COMPLETED
    assert (response.overall, response.solved, response.nps) == (5, True, 8)
    assert response.comment == "师傅很专业，点赞"
    everything = e2e.webchat_history("wc-e2e-survey").json()
    inbound = [m for m in everything if m["direction"] == "in"]
    assert [m["text"] for m in inbound] == ["5 非常满意", "解决了", "八九分吧", "师傅很专业，点赞"]
    assert all(m["callback_id"] == seeded.callback_id for m in everything)
    ids = [m["id"] for m in everything]
    assert ids == sorted(ids) and len(everything) >= 2 * len(inbound) + 1


def test_a_blocked_user_becomes_unreachable(e2e: GatewayUnderTest,
                                            fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    seeded, user = bound_customer(e2e, fake)
    fake.block(user)
    response = e2e.send_round(seeded.callback_id)
    assert (response.status_code, response.json()) == (409, {"status": "unreachable"})
    customer = e2e.read(lambda s: s.get_one(Customer, seeded.customer_id))
    assert customer.unreachable_at is not None and customer.opted_out_at is not None
    callback = e2e.read(lambda s: s.get_one(Callback, seeded.callback_id))
    assert callback.status == CallbackStatus.UNREACHABLE
    assert len(fake.messages_to(user.id)) == 1  # only the binding confirmation ever arrived
    again = e2e.send_round(seeded.callback_id, 2, "remind")
    assert (again.status_code, again.json()) == (409, {"status": "unreachable"})


def test_a_429_storm_delays_but_loses_nothing_and_rounds_go_out_once(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    customers = [bound_customer(e2e, fake) for _ in range(6)]
    fake.rate_limit_storm(15, retry_after=1)
    rounds = [c.callback_id for c, _ in customers] + [customers[0][0].callback_id]
    with ThreadPoolExecutor(len(rounds)) as pool:
        answers = list(pool.map(lambda cid: e2e.send_round(cid).json()["status"], rounds))
    assert sorted(answers) == ["already_sent"] + ["sent"] * 6
    for seeded, user in customers:
        next_messages(fake, user, 1, "总体满意度")
    assert len(fake.rejected(429)) == 15
    e2e.wait_until(lambda s: not s.scalar(select(Message.id).where(
        Message.delivery != DeliveryStatus.SENT, Message.direction == Direction.OUTBOUND,
        Message.callback_id.in_([c.callback_id for c, _ in customers]))),
        what="every message delivered")
    intros = [m for m in fake.sent if "服务回访助手" in m.text
              and m.chat_id == customers[0][1].id]
    assert len(intros) == 1  # the doubled round was not sent twice


def test_supervisors_get_the_alert_of_a_real_conversation_and_act_on_it(
        e2e: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    seeded = seed_customer(e2e.sessions, Channel.WEBCHAT, address="wc-e2e-unhappy")
    e2e.send_round(seeded.callback_id)
    # the first answer escalates at once: the alert carries what was said so far
    first = "2分，等了三个小时才修好，师傅态度还很差"
    assert e2e.webchat_say("wc-e2e-unhappy", text=first).status_code == 200
    escalation = e2e.wait_until(lambda s: s.scalar(select(Escalation).where(
        Escalation.callback_id == seeded.callback_id)), what="the escalation")
    alert = fake.wait_for(lambda: next((m for m in fake.messages_to(SUPERVISORS_CHAT)
                                        if f"#{escalation.id}" in m.text), None),
                          60, "the alert the action asked for")
    assert first in alert.text and "总体 2/5" in alert.text
    assert "时效/进度" in alert.text and "严重程度" in alert.text
    for answer in ("没有", "2", "3", "3", "没有"):
        assert e2e.webchat_say("wc-e2e-unhappy", text=answer).status_code == 200
    # later answers update the same escalation (not solved is no higher priority: no 2nd alert)
    assert e2e.read(lambda s: s.get_one(Escalation, escalation.id).reasons) == [
        "low_overall", "not_solved"]
    assert len([m for m in fake.messages_to(SUPERVISORS_CHAT) if "升级工单" in m.text]) == 1
    assert e2e.read(lambda s: s.get_one(Escalation, escalation.id).alerted_at) is not None

    with session_scope(e2e.sessions) as session:
        # a Telegram supervisor sees no branch until an admin grants one (docs/security.md)
        session.add(SupervisorUser(username=f"telegram-{SUPERVISOR.id}",
                                   display_name=SUPERVISOR.first_name,
                                   password_hash=TELEGRAM_ONLY_PASSWORD_HASH,
                                   telegram_user_id=SUPERVISOR.id, branches=["朝阳店"]))
    claim = alert.button("认领")["callback_data"]
    refused = fake.wait_for_answer(fake.user_presses(STRANGER, alert, claim))
    assert "没有权限" in refused.text
    fake.wait_for_answer(fake.user_presses(SUPERVISOR, alert, claim))
    assert e2e.read(lambda s: s.get_one(Escalation, escalation.id).status) == \
        EscalationStatus.CLAIMED
    group = {"id": SUPERVISORS_CHAT, "type": "group", "title": "回访主管群"}
    fake.user_sends(SUPERVISOR, f"/resolve {escalation.id} 已致电道歉，安排复检", chat=group)
    fake.wait_for(lambda: any(f"已解决升级工单 #{escalation.id}" in m.text
                              for m in fake.messages_to(SUPERVISORS_CHAT)), 60, "the reply")
    resolved = e2e.wait_until(lambda s: (lambda e: e if e.status == EscalationStatus.RESOLVED
                                         else None)(s.get_one(Escalation, escalation.id)),
                              timeout=10, what="the escalation resolved")
    assert resolved.status == EscalationStatus.RESOLVED
    assert resolved.resolution == "已致电道歉，安排复检"
