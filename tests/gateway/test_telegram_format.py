"""Splitting long messages and turning Rasa buttons into inline keyboards."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.telegram_format import keyboard, split_messages, split_text
from bot.transcript import Outgoing, StoredMessage, parse_button_ref
from huifang.db.models import Channel, DeliveryStatus, Direction


def stored(buttons: list[dict[str, str]], message_id: int = 42) -> StoredMessage:
    return StoredMessage(message_id, 1, 2, Channel.TELEGRAM, "100", Direction.OUTBOUND, "问",
                         None, buttons, DeliveryStatus.PENDING, 0, datetime.now(UTC), None)


def test_short_text_is_one_message() -> None:
    assert split_text("您好") == ["您好"]


def test_long_text_is_cut_at_line_breaks_without_losing_anything() -> None:
    paragraph = "这是一段很长的说明。" * 30  # 300 characters
    text = "\n".join([paragraph] * 20)  # 6019 characters
    parts = split_text(text, limit=4096)
    assert len(parts) == 2
    assert all(len(p) <= 4096 for p in parts)
    assert parts[0].endswith("。") and "\n".join(parts) == text


def test_text_without_breaks_is_cut_after_a_sentence_or_hard() -> None:
    sentences = "好的。" * 3000  # 9000 characters, sentence ends only
    parts = split_text(sentences, limit=4096)
    assert all(len(p) <= 4096 and p.endswith("。") for p in parts)
    assert "".join(parts) == sentences
    blob = "啊" * 5000
    assert [len(p) for p in split_text(blob, limit=4096)] == [4096, 904]


def test_buttons_stay_under_the_last_part() -> None:
    buttons = [{"title": "是", "payload": "/affirm"}]
    parts = split_messages([Outgoing("长" * 5000, buttons)])
    assert [p.buttons for p in parts] == [[], buttons]


def test_keyboard_points_at_the_stored_message_not_the_payload() -> None:
    payload = '/complain{"category": "communication", "question": "problem", "x": "很长的内容"}'
    markup = keyboard(stored([{"title": "沟通告知", "payload": payload},
                              {"title": "其他", "payload": "/complain"}], message_id=7))
    assert markup is not None
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert datas == ["b:7:0", "b:7:1"]
    assert parse_button_ref("b:7:1") == (7, 1)
    assert parse_button_ref("esc:claim:7") is None and parse_button_ref("b:chosen") is None


def test_keyboard_layout_follows_title_length() -> None:
    likert = [{"title": f"{n} 非常满意", "payload": f"/s{n}"} for n in range(5, 0, -1)]
    nps = [{"title": str(n), "payload": f"/n{n}"} for n in range(10, -1, -1)]
    categories = [{"title": t, "payload": "/c"} for t in ["服务态度", "服务质量", "时效进度",
                                                           "收费价格"]]
    rows = lambda buttons: [len(r) for r in keyboard(stored(buttons)).inline_keyboard]  # noqa: E731
    assert rows(likert) == [1, 1, 1, 1, 1]
    assert rows(nps) == [6, 5]
    assert rows(categories) == [3, 1]


def test_supervisor_buttons_keep_their_own_data_and_urls() -> None:
    markup = keyboard(stored([{"title": "认领", "callback_data": "esc:claim:3"},
                              {"title": "在控制台打开", "url": "https://console.example.com/e/3"}]))
    assert markup is not None
    first, second = [b for row in markup.inline_keyboard for b in row]
    assert first.callback_data == "esc:claim:3"
    assert second.url == "https://console.example.com/e/3"
