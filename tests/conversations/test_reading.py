"""The driver reads questions as a customer does: these are the kinds of sentences it must
tell apart (the survey's questions as worded today, rewordings, Traditional, and the replies
that are not questions at all)."""

from __future__ import annotations

import pytest
from opencc import OpenCC

from huifang.surveys import template_named
from tests.conversations import reading
from tests.conversations.reading import Question

AUTO = template_named("auto_after_sales")
TELECOM = template_named("telecom")
to_traditional = OpenCC("s2t")

QUESTIONS = [
    ("您对本次服务的总体满意度如何？请点选，或直接回复 1–5 分（5 分为非常满意）。", AUTO,
     Question("overall")),
    ("问题处理得怎么样？请为处理结果打个分（1–5 分，5 分为非常满意）。", AUTO, Question("overall")),
    ("您反映的问题解决了吗？", AUTO, Question("solved")),
    ("请问问题是否已经解决？", AUTO, Question("solved")),
    ("非常抱歉没能让您完全满意。主要是哪方面不满意呢？可以点选，也可以直接说说具体情况。", AUTO,
     Question("category")),
    ("请为「服务态度」打个分吧（1–5 分，5 分为非常满意）。", AUTO, Question("dimension", "服务态度")),
    ("请为「维修质量」打个分吧（1–5 分）。", AUTO, Question("dimension", "维修质量")),
    ("请为「解决问题能力」打个分吧（1–5 分）。", TELECOM, Question("dimension", "解决问题能力")),
    ("您有多大可能把我们推荐给亲友？请回复 0–10 分，10 分表示非常愿意。", AUTO, Question("nps")),
    ("最后，您对我们还有什么意见或建议吗？没有的话回复“没有”就好。", AUTO, Question("comment")),
    ("您还有其他想补充的意见吗？", AUTO, Question("comment")),
    ("10 分记为 5 分（非常满意），对吗？", AUTO, Question("confirm")),
]

NOT_QUESTIONS = [
    "不客气～",
    "您好～",
    "感谢您的宝贵评价！祝您生活愉快～",
    "问题没有处理好，给您添麻烦了，非常抱歉。",
    "好的，已为您转人工。服务主管会在今天18:30前与您联系，请留意消息或来电。",
    "您的意见我们已经记下了，会转给相关负责人跟进。",
    "10 分 → 记为 5 分（非常满意）。",
    "我们会尽快帮您解决问题。",
]


@pytest.mark.parametrize(("text", "template", "question"), QUESTIONS)
def test_each_question_is_recognised_in_both_scripts(text: str, template: object,
                                                     question: Question) -> None:
    assert reading.question_in(text, template) == question  # type: ignore[arg-type]
    assert reading.question_in(to_traditional.convert(text), template) == question  # type: ignore[arg-type]


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_replies_that_ask_nothing_are_not_questions(text: str) -> None:
    assert reading.question_in(text, AUTO) is None


def test_script_checks() -> None:
    assert reading.is_traditional("您對本次服務的總體滿意度如何？")
    assert reading.is_traditional("請為處理結果打個分（5 分為非常滿意）")
    assert not reading.is_traditional("請爲處理結果打個分（5 分爲非常滿意）")  # OpenCC's s2t
    assert reading.is_traditional("客户服務中心，説説裏面的情況")  # Hong Kong's forms
    assert not reading.is_traditional("您对本次服务的总体满意度如何？")
    assert reading.is_simplified("您对本次服务的总体满意度如何？")
    assert reading.writes_traditional("有解決，謝謝") and not reading.writes_traditional("5分")


def test_what_a_customer_must_never_be_sent() -> None:
    assert reading.leaks("您好～") is None
    assert reading.leaks('/inform_score{"score": "5"}')
    assert reading.leaks("服务主管会在{deadline}前联系您")
    assert reading.leaks("你必须回答") == "contains '你'"
    assert reading.leaks("OK") == "no Chinese in it"


def test_clear_numbers_and_not_understood() -> None:
    for clear in ("10分", "满分10分", "95分", "80%吧", "五星", "４分", "给我打个八分"):
        assert reading.is_clear_number(clear), clear
    for unclear in ("还行吧", "挺好的", "差评"):
        assert not reading.is_clear_number(unclear), unclear
    assert reading.says_not_understood("抱歉，我没太看懂😅 请点选下面的选项")
    assert reading.says_not_understood("抱歉，我沒太看懂")
    assert reading.clock_times("服务主管会在明天9:05前联系您") == ["09:05"]
