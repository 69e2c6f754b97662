"""Supervisor alerts and commands on Telegram, with escalations written by the shared services
(the way the actions write them); only allow-listed users may act. Alerts are owed with the
escalation and delivered by the outbox: counted sent only once Telegram took them, never lost,
never retried without bound."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox import RetryPolicy
from bot.supervisor_alerts import alert_message
from bot.supervisor_chat import RESOLVED_FIRST, render_alerts
from bot.telegram_format import split_messages
from huifang import escalation_alerts, escalations
from huifang.branch_scope import TELEGRAM_ONLY_PASSWORD_HASH
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    Channel,
    DeliveryStatus,
    Direction,
    Complaint,
    ComplaintCategory,
    Escalation,
    EscalationAlert,
    EscalationEvent,
    Message,
    EscalationStatus,
    Severity,
    SupervisorUser,
    SurveyResponse,
)
from huifang.db.types import utcnow
from huifang.escalations import Reason
from huifang.settings import get_settings
from scheduler.escalation_watch import watch_escalations
from tests.gateway.support import (
    STRANGER,
    SUPERVISOR,
    SUPERVISORS_CHAT,
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
    seed_customer,
)
from tests.support.fake_bot_api import RunningFakeBotApi, SentMessage

WORDS = "等了三个小时，师傅态度还很差"
SETTLED = (DeliveryStatus.FAILED, DeliveryStatus.WITHDRAWN)
# quick, so a chat that refuses the bot is given up within seconds
FAST_RETRY = RetryPolicy(max_failures=4, first_backoff=timedelta(seconds=0.5),
                         max_backoff=timedelta(seconds=1))


@pytest.fixture
def supervised(database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi
               ) -> Iterator[GatewayUnderTest]:
    group = fake_telegram.api.add_group(SUPERVISORS_CHAT, "回访主管群")
    assert group["id"] == SUPERVISORS_CHAT
    with running_gateway(gateway_settings(database_url, rasa_down, fake_telegram),
                         retry=FAST_RETRY) as gateway:
        with session_scope(gateway.sessions) as session:
            # an account made for a Telegram supervisor has no branch until an admin grants one
            session.add(SupervisorUser(username=f"telegram-{SUPERVISOR.id}",
                                       display_name=SUPERVISOR.first_name,
                                       password_hash=TELEGRAM_ONLY_PASSWORD_HASH,
                                       telegram_user_id=SUPERVISOR.id, branches=["朝阳店"]))
        yield gateway


def escalated(sessions: sessionmaker[Session], overdue: bool = False) -> int:
    """A survey answered 2/5, not solved, with a classified complaint, escalated."""
    seeded = seed_customer(sessions, Channel.WEBCHAT, address=None, name="王建国")
    now = utcnow()
    with session_scope(sessions) as session:
        callback = session.get_one(Callback, seeded.callback_id)
        callback.response = SurveyResponse(overall=2, solved=False, nps=3)
        complaint = Complaint(text=WORDS, source="problem", severity=Severity.MEDIUM,
                              categories=[ComplaintCategory(category="timeliness", score=0.9),
                                          ComplaintCategory(category="attitude", score=0.8)])
        callback.complaints.append(complaint)
        session.flush()
        created = now - timedelta(days=5) if overdue else now
        escalation = escalations.escalate(session, callback,
                                          [Reason.LOW_OVERALL, Reason.NOT_SOLVED], created,
                                          get_settings())
        assert escalation is not None
        return escalation.id


def alert_in_group(fake_telegram: RunningFakeBotApi, count: int = 1) -> SentMessage:
    return fake_telegram.api.wait_for_messages(SUPERVISORS_CHAT, count)[-1]


def test_new_escalation_alert_has_everything_to_act_on(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    escalation_id = escalated(supervised.sessions)
    response = supervised.alert(escalation_id)
    assert response.status_code == 200 and response.json()["status"] == "sent"
    alert = alert_in_group(fake_telegram)
    assert alert.text.startswith(f"🔔 新的升级工单 #{escalation_id}（高）")
    for expected in (WORDS, "时效/进度、服务态度", "严重程度：中", "总体 2/5", "问题未解决",
                     "推荐意愿 3/10", "总体评分低、问题未解决", "王**", "朝阳店", "李师傅",
                     f"/escalations/{escalation_id}"):
        assert expected in alert.text
    assert "王建国" not in alert.text
    assert [b["text"] for b in alert.buttons()] == ["认领", "已解决"]  # console is on 127.0.0.1
    stored = supervised.read(lambda s: s.get_one(Escalation, escalation_id))
    assert stored.alerted_at is not None and stored.overdue_alerted_at is None


def test_an_escalation_updated_after_its_alert_is_alerted_as_an_update(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    """A later request for a person joins the open escalation: the new alert says the
    escalation has news (not that it is new) and names the reason."""
    escalation_id = escalated(supervised.sessions)
    supervised.alert(escalation_id)
    assert alert_in_group(fake_telegram).text.startswith(f"🔔 新的升级工单 #{escalation_id}")
    with session_scope(supervised.sessions) as session:
        escalation = session.get_one(Escalation, escalation_id)
        update = escalations.escalate_callback(session, escalation.callback, utcnow(),
                                               get_settings(), requested_human=True)
        assert update is not None and update.needs_alert
    assert supervised.alert(escalation_id).status_code == 200
    again = alert_in_group(fake_telegram, 2)
    assert again.text.startswith(f"🔔 升级工单 #{escalation_id} 有新情况（高）")
    assert "客户要求人工联系" in again.text


def test_overdue_alert_says_so_and_supersedes_an_unsent_first_alert(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    fake_telegram.api.kick_from_group(SUPERVISORS_CHAT)  # nothing goes out for now
    escalation_id = escalated(supervised.sessions, overdue=True)
    assert watch_escalations(supervised.sessions, utcnow()).overdue == [escalation_id]
    fake_telegram.api.rejoin_group(SUPERVISORS_CHAT)
    assert supervised.alert(escalation_id).status_code == 200
    alerts = fake_telegram.api.wait_for_messages(SUPERVISORS_CHAT, 1)
    time.sleep(1)
    assert [a.text.splitlines()[0] for a in fake_telegram.api.messages_to(SUPERVISORS_CHAT)
            ] == [f"⏰ 升级工单 #{escalation_id} 已超时未处理（高）"] == [
        a.text.splitlines()[0] for a in alerts]
    stored = supervised.read(lambda s: s.get_one(Escalation, escalation_id))
    assert stored.overdue_alerted_at is not None and stored.alerted_at is not None


def test_claim_button_claims_for_the_allow_listed_supervisor_only(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    escalation_id = escalated(supervised.sessions)
    supervised.alert(escalation_id)
    alert = alert_in_group(fake_telegram)
    claim = alert.button("认领")["callback_data"]

    refused = fake.wait_for_answer(fake.user_presses(STRANGER, alert, claim))
    assert refused.text == "抱歉，您没有权限执行主管操作。" and refused.show_alert
    assert supervised.read(lambda s: s.get_one(Escalation, escalation_id)).status == \
        EscalationStatus.OPEN

    answer = fake.wait_for_answer(fake.user_presses(SUPERVISOR, alert, claim))
    assert answer.text == f"✅ 张主管 已认领升级工单 #{escalation_id}"
    assert alert_in_group(fake_telegram, 2).text == answer.text  # the whole group sees it
    escalation = supervised.read(lambda s: s.get_one(Escalation, escalation_id))
    owner = supervised.read(lambda s: s.get_one(SupervisorUser, escalation.owner_id))
    assert escalation.status == EscalationStatus.CLAIMED
    assert (owner.telegram_user_id, owner.username) == (SUPERVISOR.id, f"telegram-{SUPERVISOR.id}")
    again = fake.wait_for_answer(fake.user_presses(SUPERVISOR, alert, claim))
    assert again.text == f"升级工单 #{escalation_id} 已由您认领"

    resolve = fake.wait_for_answer(fake.user_presses(SUPERVISOR, alert,
                                                     alert.button("已解决")["callback_data"]))
    assert resolve.text.startswith(f"请发送 /resolve {escalation_id} ")


def test_commands_queue_claim_resolve(supervised: GatewayUnderTest,
                                      fake_telegram: RunningFakeBotApi) -> None:
    fake = fake_telegram.api
    group = {"id": SUPERVISORS_CHAT, "type": "group", "title": "回访主管群"}
    first, second = escalated(supervised.sessions), escalated(supervised.sessions)
    alerts = len(fake.wait_for_messages(SUPERVISORS_CHAT, 2))  # the outbox alerts both

    def command(user, text: str, count: int) -> str:  # type: ignore[no-untyped-def]
        fake.user_sends(user, text, chat=group)
        return alert_in_group(fake_telegram, alerts + count).text

    assert command(STRANGER, "/queue", 1) == "抱歉，您没有权限执行主管操作。"
    queue = command(SUPERVISOR, "/queue", 2)
    assert queue.startswith("待处理升级工单 2 个") and f"#{first} 高 · 待认领" in queue
    assert command(STRANGER, f"/claim {first}", 3) == "抱歉，您没有权限执行主管操作。"
    assert command(SUPERVISOR, f"/claim@huifang_test_bot {first}", 4).endswith(
        f"已认领升级工单 #{first}")
    assert command(SUPERVISOR, f"/resolve {first}", 5) == "用法：/resolve 编号 处理结果"
    assert "根因：时效/进度" in command(SUPERVISOR, f"/resolve {first} 已致电道歉并加急处理", 6)
    assert "根因：收费/价格" in command(SUPERVISOR, f"/resolve {second} price 已退还多收费用", 7)
    assert command(SUPERVISOR, "/queue", 8) == "目前没有待处理的升级工单 👍"

    def stored(session: Session) -> list[tuple[EscalationStatus, str | None, str | None]]:
        rows = session.scalars(select(Escalation).where(Escalation.id.in_([first, second]))
                               .order_by(Escalation.id))
        return [(e.status, e.root_cause, e.resolution) for e in rows]

    assert supervised.read(stored) == [
        (EscalationStatus.RESOLVED, "timeliness", "已致电道歉并加急处理"),
        (EscalationStatus.RESOLVED, "price", "已退还多收费用")]
    actions = supervised.read(lambda s: [e.action for e in s.scalars(
        select(EscalationEvent).where(EscalationEvent.escalation_id == first)
        .order_by(EscalationEvent.id))])
    assert actions == ["created", "claimed", "resolved"]
    before = len(fake.messages_to(SUPERVISORS_CHAT))
    assert supervised.alert(first).json() == {"status": "sent"}  # its first alert, long ago
    time.sleep(0.5)
    assert len(fake.messages_to(SUPERVISORS_CHAT)) == before  # resolved: nothing new


def test_digest_goes_to_the_supervisors_chat_once_per_day(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    digest = {"text": "昨日回访 12 个，满意率 92%", "day": "2026-11-23"}
    assert supervised.internal("supervisors/digest", digest).json() == {"status": "sent"}
    assert alert_in_group(fake_telegram).text == "昨日回访 12 个，满意率 92%"
    again = supervised.internal("supervisors/digest", digest)  # the scheduler retried
    assert again.json() == {"status": "sent"}
    time.sleep(0.5)
    assert len(fake_telegram.api.messages_to(SUPERVISORS_CHAT)) == 1


def test_open_in_console_button_when_the_console_has_a_public_address(
        sessions: sessionmaker[Session]) -> None:
    escalation_id = escalated(sessions)
    public = gateway_settings("sqlite://", "http://rasa", None,
                              console_public_url="https://console.huifang.example.com/")
    with sessions() as session:
        message = alert_message(session, public, escalation_id, utcnow())
    assert message is not None
    assert message.buttons[-1] == {
        "title": "在控制台打开",
        "url": f"https://console.huifang.example.com/escalations/{escalation_id}"}


def supervisor_rows(gateway: GatewayUnderTest) -> list[Message]:
    return gateway.read(lambda s: list(s.scalars(
        select(Message).where(Message.address == str(SUPERVISORS_CHAT),
                              Message.direction == Direction.OUTBOUND).order_by(Message.id))))


def test_an_alert_counts_as_sent_only_once_telegram_took_it_and_is_never_lost(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    """Issue 14: the escalation watch marked an alert sent before it was sent; a scheduler
    dying in between lost the first alert for good. Now the alert is owed with the escalation
    and only Telegram's acceptance marks it sent — whatever the scheduler does meanwhile."""
    fake = fake_telegram.api
    fake.kick_from_group(SUPERVISORS_CHAT)  # Telegram refuses it for now
    escalation_id = escalated(supervised.sessions)  # the action's own alert never came
    created = supervised.read(lambda s: s.get_one(Escalation, escalation_id).created_at)
    fake.wait_for(lambda: fake.rejected(403), 10, "the first refused attempt")
    for minutes in (5, 6, 7):  # the (restarted) scheduler's watch comes by
        report = watch_escalations(supervised.sessions, created + timedelta(minutes=minutes))
        assert (report.overdue, report.unalerted) == ([], [])
    assert supervised.read(lambda s: s.get_one(Escalation, escalation_id)).alerted_at is None
    fake.rejoin_group(SUPERVISORS_CHAT)
    alert = fake.wait_for_messages(SUPERVISORS_CHAT, 1, timeout=15)[0]
    assert alert.text.startswith(f"🔔 新的升级工单 #{escalation_id}")
    time.sleep(1)
    assert len(fake.messages_to(SUPERVISORS_CHAT)) == 1 and len(supervisor_rows(supervised)) == 1
    assert supervised.read(lambda s: s.get_one(Escalation, escalation_id)).alerted_at is not None


def test_a_bot_removed_from_the_supervisors_chat_gives_up_after_a_bounded_number_of_tries(
        supervised: GatewayUnderTest, fake_telegram: RunningFakeBotApi,
        caplog: pytest.LogCaptureFixture) -> None:
    """Issue 14: the alert was retried every minute forever, with a new message row each time."""
    fake = fake_telegram.api
    fake.kick_from_group(SUPERVISORS_CHAT)
    escalation_id = escalated(supervised.sessions, overdue=True)
    start = utcnow()
    with caplog.at_level(logging.ERROR):
        for minute in range(5):  # the watch every minute
            watch_escalations(supervised.sessions, start + timedelta(minutes=minute))
            time.sleep(0.5)
        everything = supervised.wait_until(
            lambda s: (lambda r: r if r and all(m.delivery in SETTLED for m in r)
                       else None)(list(s.scalars(select(Message).where(
                           Message.address == str(SUPERVISORS_CHAT))))),
            timeout=30, what="the alerts given up")
    # the first alert and the overdue one at most: no row per try. A first alert rendered
    # before the overdue one waits for its retry and is withdrawn by it.
    rows = [r for r in everything if r.delivery == DeliveryStatus.FAILED]
    assert 1 <= len(rows) <= len(everything) <= 2
    assert all(r.error.startswith("403") and r.attempts == FAST_RETRY.max_failures
               for r in rows)
    tries = len(fake.rejected(403))
    assert tries == sum(r.attempts for r in everything)
    watch_escalations(supervised.sessions, start + timedelta(minutes=10))
    time.sleep(1.5)
    assert len(fake.rejected(403)) == tries and len(supervisor_rows(supervised)) == len(everything)
    stored = supervised.read(lambda s: s.get_one(Escalation, escalation_id))
    assert stored.alerted_at is None and stored.overdue_alerted_at is None
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR
                and "supervisors' chat" in r.getMessage()]
    assert len(problems) == len(rows)  # one operations alert per message given up
    figures = httpx.get(f"{supervised.internal_url}/internal/outbox", headers={
        "Authorization": f"Bearer {supervised.settings.internal_token.get_secret_value()}"})
    assert figures.json()["failed"] == len(rows)


def owed(session: Session, escalation_id: int) -> list[tuple[str, str | None, bool]]:
    return [(a.kind.value, a.dropped_reason, a.message_id is not None)
            for a in session.scalars(select(EscalationAlert).where(
                EscalationAlert.escalation_id == escalation_id).order_by(EscalationAlert.id))]


def test_an_alert_owed_for_an_escalation_resolved_meanwhile_is_dropped(
        sessions: sessionmaker[Session]) -> None:
    escalation_id = escalated(sessions)
    settings = gateway_settings("sqlite://", "http://rasa", None)
    with session_scope(sessions) as session:
        escalation = session.get_one(Escalation, escalation_id)
        user = SupervisorUser(username="li", display_name="李主管", password_hash="x")
        session.add(user)
        session.flush()
        escalations.resolve(session, escalation, user, "attitude", "已致电道歉", utcnow())
    with session_scope(sessions) as session:
        assert render_alerts(session, settings, split_messages, str(SUPERVISORS_CHAT),
                             utcnow(), None) == 0
        assert owed(session, escalation_id) == [("new", RESOLVED_FIRST, False)]


def test_a_raise_waiting_with_the_first_alert_goes_out_as_one_alert(
        sessions: sessionmaker[Session]) -> None:
    escalation_id = escalated(sessions)  # high: low overall, not solved
    with session_scope(sessions) as session:
        callback = session.get_one(Escalation, escalation_id).callback
        update = escalations.escalate(session, callback, [Reason.HIGH_SEVERITY], utcnow(), get_settings())
        assert update is not None and update.priority.value == "urgent"
    settings = gateway_settings("sqlite://", "http://rasa", None)
    with session_scope(sessions) as session:
        assert render_alerts(session, settings, split_messages, str(SUPERVISORS_CHAT),
                             utcnow(), None) == 1
        assert owed(session, escalation_id) == [
            ("new", None, True), ("raised", "superseded by the new alert", False)]
        [message] = session.scalars(select(Message).where(
            Message.address == str(SUPERVISORS_CHAT))).all()
        assert message.text.startswith(f"🔔 新的升级工单 #{escalation_id}（紧急）")
        assert message.outbound_key == f"alert:{escalation_id}:new:1:0"


@pytest.mark.parametrize("first_state, first_after", [
    (DeliveryStatus.PENDING, DeliveryStatus.WITHDRAWN),
    (DeliveryStatus.IN_FLIGHT, DeliveryStatus.IN_FLIGHT),  # may be on its way: left alone
    (DeliveryStatus.SENT, DeliveryStatus.SENT),
])
def test_an_overdue_alert_withdraws_a_first_alert_still_waiting_for_telegram(
        sessions: sessionmaker[Session], first_state: DeliveryStatus,
        first_after: DeliveryStatus) -> None:
    """Seen in a clean-clone run: the first alert was refused while the bot was out of the
    group and waited as a message for its retry; the overdue alert came later, and supervisors
    got both. A message that has not gone out yet is withdrawn for the more telling alert."""
    escalation_id = escalated(sessions)
    settings = gateway_settings("sqlite://", "http://rasa", None)
    chat = str(SUPERVISORS_CHAT)

    def messages(session: Session) -> dict[str, DeliveryStatus]:
        return {m.text.splitlines()[0]: m.delivery for m in session.scalars(
            select(Message).where(Message.address == chat).order_by(Message.id))}

    with session_scope(sessions) as session:
        assert render_alerts(session, settings, split_messages, chat, utcnow(), None) == 1
        first = session.scalars(select(Message).where(Message.address == chat)).one()
        first.delivery, first.attempts, first.error = first_state, 1, "403: Forbidden"
        first.next_attempt_at = utcnow() + timedelta(seconds=30)
    with session_scope(sessions) as session:
        session.get_one(Escalation, escalation_id).due_at = utcnow() - timedelta(minutes=1)
        assert escalation_alerts.owe_overdue(session, utcnow()) == [escalation_id]
    with session_scope(sessions) as session:
        assert render_alerts(session, settings, split_messages, chat, utcnow(), None) == 1
        withdrawn = first_after == DeliveryStatus.WITHDRAWN
        assert owed(session, escalation_id) == [
            ("new", "superseded by the overdue alert" if withdrawn else None, True),
            ("overdue", None, True)]
        assert messages(session) == {f"🔔 新的升级工单 #{escalation_id}（高）": first_after,
                                     f"⏰ 升级工单 #{escalation_id} 已超时未处理（高）":
                                         DeliveryStatus.PENDING}
