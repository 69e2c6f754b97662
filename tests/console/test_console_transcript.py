"""The conversation view: transcript with buttons and presses, scores, earlier callbacks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from console.conversation import load_callback, transcript
from huifang.db.models import DeliveryStatus, Message
from tests.console.console_support import SCORE_5, Dataset, add_messages, log_in

def test_transcript_resolves_button_presses(fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    with client.app.state.session_factory() as session:
        callback = load_callback(session, data.callbacks["C3"])
        assert callback is not None
        add_messages(session, callback)
        failed = session.query(Message).order_by(Message.id.desc()).first()
        assert failed is not None
        failed.delivery = DeliveryStatus.FAILED
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
    assert [line.failed for line in lines] == [False] * 5 + [True]


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
