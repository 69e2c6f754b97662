"""Closing remarks, skip requests and corrections (actions/answer_parsing.py)."""

from __future__ import annotations

import pytest

from actions.answer_parsing import (
    is_busy_remark,
    is_closing_remark,
    is_nothing_in_particular,
    is_opt_out_remark,
    is_reading_trouble,
    is_skip_request,
    reads_as_correction,
)


@pytest.mark.parametrize("text", [
    "没了", "没了，多谢", "没啥了，谢谢", "就这样吧", "没意见", "挺好的，没别的了", "没有",
    "没有了。", "暂时没有", "没什么了，谢谢你们", "好的，就这样", "不用了谢谢", "没有意见和建议",
    "谢谢", "多谢", "没事了～", "无",
    # Traditional (Taiwan, Hong Kong)
    "沒了，多謝", "沒啥了，謝謝", "就這樣吧", "沒意見", "挺好的，沒別的了", "冇啦，唔該",
    "暫時沒有", "就醬", "沒有其他了，謝謝",
])
def test_closing_remarks(text: str) -> None:
    assert is_closing_remark(text)


@pytest.mark.parametrize("text", [
    "师傅很专业，点赞", "没修好", "没有人联系我", "好的", "挺好的", "收费太贵了，没别的了",
    "没了？你们什么时候来修", "5分", "",
])
def test_remarks_that_say_something_are_not_closing(text: str) -> None:
    assert not is_closing_remark(text)


@pytest.mark.parametrize("text", ["跳过", "跳过吧", "下一个", "不想回答", "跳過", "pass", "略過"])
def test_skip_requests(text: str) -> None:
    assert is_skip_request(text)


@pytest.mark.parametrize("text", ["不想回答你们这种问题，太差了", "3分", "跳过这一步直接给我退款"])
def test_not_skip_requests(text: str) -> None:
    assert not is_skip_request(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("不对，是4分", True), ("打错了，3分", True), ("我是说4", True), ("應該是4分", True),
    ("4分", False), ("解决了", False),
])
def test_corrections(text: str, expected: bool) -> None:
    assert reads_as_correction(text) is expected


@pytest.mark.parametrize("text", [
    "现在在开车，不方便，晚点再说吧", "在开会，等会儿再说", "没空", "我在忙", "而家唔得閒，遲啲再講",
    "回头再聊", "明天再说吧", "上班呢，下班聊",
])
def test_busy_remarks(text: str) -> None:
    assert is_busy_remark(text)


@pytest.mark.parametrize("text", ["来的太满了，等了一下午", "等了一下午才来", "2分", "没解决"])
def test_remarks_that_do_not_say_busy(text: str) -> None:
    assert not is_busy_remark(text)


@pytest.mark.parametrize("text", [
    "退订", "以后别给我发这种消息了", "烦不烦啊，天天发，别再给我发了", "不要再打扰我", "取消订阅",
    "別再傳了", "唔好再send啦", "别联系我了", "stop",
])
def test_opt_out_remarks(text: str) -> None:
    assert is_opt_out_remark(text)


@pytest.mark.parametrize("text", ["没解决，把钱退给我", "多收了我一百块，这钱必须退给我", "退款"])
def test_refund_demands_are_not_opt_outs(text: str) -> None:
    assert not is_opt_out_remark(text)


@pytest.mark.parametrize("text", ["我眼睛不好，这字太小了看不清", "字太小", "看不清楚", "我不会打字"])
def test_reading_trouble(text: str) -> None:
    assert is_reading_trouble(text)


@pytest.mark.parametrize("text", ["账单看不懂", "师傅态度不好", "5分"])
def test_not_reading_trouble(text: str) -> None:
    assert not is_reading_trouble(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("还好", True), ("都還好啦", True), ("还行吧", True), ("嗯，都挺好的", True), ("說不上來", True),
    ("还好，就是师傅来晚了", False), ("一般般，收费有点贵", False), ("价格", False), ("5分", False),
])
def test_nothing_in_particular_at_the_problem_question(text: str, expected: bool) -> None:
    """Seen: "還好" at "哪方面不滿意？" was stored as the problem ("非常感謝您告訴我們這些")."""
    assert is_nothing_in_particular(text) is expected, text
