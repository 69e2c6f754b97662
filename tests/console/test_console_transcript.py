"""The conversation view: transcript with buttons and presses, delivery problems, scores,
earlier callbacks; and the queue's list of alerts that never reached the supervisors' chat."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sqlalchemy import select

from console.conversation import load_callback, transcript
from huifang.db.models import (
    Channel,
    DeliveryStatus,
    Direction,
    EscalationAlert,
    Message,
)
from tests.console.console_support import SCORE_5, Dataset, add_messages, log_in

def test_transcript_resolves_button_presses_and_shows_delivery_problems(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    with client.app.state.session_factory() as session:
        callback = load_callback(session, data.callbacks["C3"])
        assert callback is not None
        add_messages(session, callback)
        rows = session.scalars(select(Message).where(Message.callback_id == callback.id)
                               .order_by(Message.id)).all()
        rows[0].delivery = DeliveryStatus.IN_DOUBT  # may have arrived: never sent again
        rows[-1].delivery = DeliveryStatus.FAILED
        session.commit()
        lines = transcript(session, callback)
    assert [(line.from_customer, line.text, line.pressed) for line in lines] == [
        (False, "您对本次服务的总体满意度如何？", None),
        (True, "", "2 不满意"),
        (False, "主要是哪方面不满意呢？", None),
        (True, "等了三个小时，师傅态度也不好", None),
        (True, "", SCORE_5),
        (False, "感谢您的反馈", None),
    ]
    assert lines[0].buttons == ["5 非常满意", "2 不满意"]
    assert [line.problem for line in lines] == [
        DeliveryStatus.IN_DOUBT, None, None, None, None, DeliveryStatus.FAILED]
    log_in(client, "anywhere")
    page = client.get(f"/callbacks/{data.callbacks['C3']}").text
    assert page.count('class="bubble bot in-doubt"') == page.count('class="bubble bot failed"') == 1
    assert "结果不明（可能已送达，不再重发）" in page and "发送失败" in page


def test_conversation_page_shows_everything_a_supervisor_needs(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    with client.app.state.session_factory() as session:
        callback = load_callback(session, data.callbacks["C3"])
        assert callback is not None
        add_messages(session, callback)
        session.commit()
    log_in(client, "anywhere")
    page = client.get(f"/callbacks/{data.callbacks['C3']}").text
    for expected in [
        "等了三个小时，师傅态度也不好",  # the customer's words
        '<span class="button-chip">5 非常满意</span>',  # the buttons offered
        '点选：<span class="pressed-button">2 不满意</span>',  # the button pressed
        "<strong>2</strong> 分（不满意）", "未解决",  # the scores
        "时效/进度 90%", "服务态度 90%", "负面",  # categories with scores, sentiment
        "王先生 · 13812345678",  # the customer, visible to a logged-in supervisor
        "已致歉并重新安排上门",  # the resolution
        'class="recovery-score">5</strong>',  # the recovery survey beside the original
    ]:
        assert expected in page, expected
    others = page.split("<h2>该客户的其他回访</h2>")[1]
    assert f'href="/callbacks/{data.callbacks["C12"]}"' in others
    assert "发送失败" not in page


def test_the_queue_lists_alerts_that_never_reached_the_supervisors(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    open_one, resolved = data.escalations["E3"], data.escalations["E1"]
    with client.app.state.session_factory() as session:
        for escalation_id in (open_one, resolved):
            alert = session.scalars(select(EscalationAlert).where(
                EscalationAlert.escalation_id == escalation_id)).one()
            message = Message(channel=Channel.TELEGRAM, address="-100123",
                              direction=Direction.OUTBOUND, text="🔔 新的升级工单",
                              delivery=DeliveryStatus.FAILED, attempts=8,
                              error="403: Forbidden: bot was kicked from the group chat")
            session.add(message)
            session.flush()
            alert.message_id = message.id
        session.commit()
    log_in(client, "anywhere")
    page = client.get("/").text
    banner = page.split('aria-label="未送达的主管提醒"')[1].split("</section>")[0]
    assert f'href="/escalations/{open_one}">升级工单 #{open_one}</a> · 新升级提醒 · 发送失败' \
        in banner
    assert "bot was kicked from the group chat" in banner
    assert f"#{resolved}<" not in banner  # resolved meanwhile: nothing to follow up
