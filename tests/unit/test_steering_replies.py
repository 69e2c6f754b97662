"""Closing remarks, skip requests and corrections (actions/answer_parsing.py)."""

from __future__ import annotations

import pytest

from actions.answer_parsing import is_closing_remark, is_skip_request, reads_as_correction


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
