"""The conversation rules of docs/conversation.md through the real Rasa model and the real
action server: the attempt budget, closing phrases, scale conversions, the skip button and the
short survey."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from opencc import OpenCC

from huifang.db.models import CallbackStatus, Locale
from tests.conversation.conftest import Conversation
from tests.support.rasa_http import buttons, texts

pytestmark = pytest.mark.rasa

_to_simplified = OpenCC("t2s")
DONE = "感谢您的宝贵评价"
DONE_ESCALATED = "再次感谢您的反馈"
QUESTIONS = {"overall": "总体满意度", "solved": "解决了吗", "problem": "哪方面不满意",
             "nps": "推荐给亲友", "comment": "意见或建议"}
DIMENSION = re.compile("请为「(.+?)」打个分")


def asked(messages: list[dict[str, Any]]) -> list[str]:
    """The questions in the bot's messages of one turn."""
    found = []
    for message in messages:
        text = message.get("text") or ""
        found += [name for name, words in QUESTIONS.items() if words in text]
        found += [f"dimension {m}" for m in DIMENSION.findall(text)]
    return found


def press(c: Conversation, replies: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    button = next(b for b in buttons(replies) if b["title"] == title)
    return c.press(button["payload"])


def finished(replies: list[dict[str, Any]]) -> bool:
    said = _to_simplified.convert(texts(replies))
    return DONE in said or DONE_ESCALATED in said


# --- one attempt budget per question ----------------------------------------------------------

NON_ANSWERS = {
    "greetings": ["你好", "在吗", "您好呀", "哈喽"],
    "thanks": ["谢谢", "谢谢你", "多谢", "感谢"],
    "nonsense": ["qwer zxcv", "？？？", "啊啊啊啊", "123abc"],
    "questions back": ["你是谁", "今天天气怎么样", "帮我订张机票", "你们是什么公司"],
    "everything at once": ["你好", "谢谢", "asdfgh", "你是谁", "哈哈哈", "😂😂", "嗯哼",
                           "…", "随便吧"],
}


@pytest.mark.parametrize("kind", sorted(NON_ANSWERS))
def test_no_question_is_asked_a_third_time_whatever_the_customer_sends(
        start_callback, kind: str) -> None:
    c = start_callback("auto_repair")
    counts = Counter(asked(c.start_replies))
    battery = NON_ANSWERS[kind]
    transcript = []
    for turn in range(30):
        sent = battery[turn % len(battery)]
        replies = c.say(sent)
        transcript.append(f"{sent} → {texts(replies)}")
        counts.update(asked(replies))
        assert max(counts.values()) <= 2, (kind, counts, "\n".join(transcript))
        if finished(replies):
            break
    else:
        pytest.fail(f"the survey never ended: {counts}")
    assert c.stored().status == CallbackStatus.COMPLETED


def test_an_unclear_score_then_thanks_skips_the_question(start_callback) -> None:
    """The budget is shared across intents: an unclear answer and then thanks."""
    c = start_callback("auto_repair")
    c.say("这个嘛")
    replies = c.say("谢谢")
    assert "跳过" in texts(replies) and asked(replies) == ["solved"]


# --- closing phrases --------------------------------------------------------------------------

@pytest.mark.parametrize("closing", ["没了", "没了，多谢", "没啥了，谢谢", "就这样吧", "没意见",
                                     "挺好的，没别的了", "沒了，多謝", "就這樣吧", "谢谢", "随便",
                                     "no", "nope, thanks", "nothing else", "no comment"])
def test_closing_phrases_at_the_comment_question_finish_the_survey(start_callback,
                                                                   closing: str) -> None:
    c = start_callback("auto_repair")
    for answer in ("非常满意", "解决了", "10分"):
        c.say(answer)
    replies = c.say(closing)
    assert finished(replies), texts(replies)
    assert "意见或建议" not in texts(replies)
    stored = c.stored()
    assert stored.status == CallbackStatus.COMPLETED and stored.response.comment is None


# --- scales -----------------------------------------------------------------------------------

def test_ten_points_to_a_five_point_question_is_converted_and_said_back(start_callback) -> None:
    c = start_callback("auto_repair")
    replies = c.say("10分")
    said = texts(replies)
    assert "10 分 → 记为 5 分（非常满意）" in said and "没看懂" not in said
    assert asked(replies) == ["solved"]
    assert c.stored().response.overall == 5


def test_a_converted_score_can_be_corrected_once(start_callback) -> None:
    c = start_callback("auto_repair")
    assert "记为 4 分" in texts(c.say("8分"))
    replies = c.say("不对，是3分")
    assert "已改为 3 分" in texts(replies)
    assert c.stored().response.overall == 3
    assert asked(replies) == ["solved"]


def test_a_score_said_wrong_can_be_corrected_at_the_next_question(start_callback) -> None:
    """Seen: "4", then "不对，刚才说错了，是2分" at "解决了吗？" kept the 4, stored "not
    solved" (its 不对) and escalated with "很抱歉这次没能让您满意"."""
    c = start_callback("auto_repair")
    c.say("4")
    replies = c.say("不对，刚才说错了，是2分")
    assert "已改为 2 分" in texts(replies) and asked(replies)[-1:] == ["solved"], texts(replies)
    stored = c.stored()
    assert stored.response.overall == 2 and stored.response.solved is None
    assert "不对，刚才说错了，是2分" not in [complaint.text for complaint in stored.complaints]


def test_stars_and_hundreds_on_the_recommend_question(start_callback) -> None:
    c = start_callback("auto_repair")
    c.say("非常满意")
    c.say("解决了")
    assert "5 星 → 记为 10 分" in texts(c.say("五星"))
    assert c.stored().response.nps == 10
    d = start_callback("generic")
    assert "90 分 → 记为 5 分（非常满意）" in texts(d.say("90分"))


def test_a_recommendation_typed_ahead_is_kept_and_not_asked_again(start_callback) -> None:
    c = start_callback("auto_repair")
    c.say("4")
    replies = c.say("解决了")
    assert asked(replies) == ["dimension 服务态度"], texts(replies)
    replies = c.say("肯定会推荐")
    assert "推荐意愿" in texts(replies) and "没太看懂" not in texts(replies), texts(replies)
    assert asked(replies) == ["dimension 服务态度"]
    assert c.stored().response.nps == 10
    for answer in ("4", "5"):
        replies = c.say(answer)
        assert "nps" not in asked(replies), texts(replies)


def test_solved_with_a_but_about_something_else_is_solved_and_the_complaint_kept(
        start_callback) -> None:
    c = start_callback("auto_repair")
    c.say("3")
    replies = c.say("解决了，不过师傅态度不太好")
    assert "solved" not in asked(replies), texts(replies)
    stored = c.stored()
    assert stored.response.solved is True
    assert "解决了，不过师傅态度不太好" in [complaint.text for complaint in stored.complaints]


@pytest.mark.parametrize("score", ["6分吧", "给个3分", "2"])
def test_a_score_at_the_what_went_wrong_question_is_no_answer(start_callback, score: str) -> None:
    c = start_callback("auto_repair")
    c.say("2")
    c.say("没解决")
    replies = c.say(score)
    assert "不用打分" in texts(replies) and asked(replies) == ["problem"], texts(replies)
    assert "感谢您告诉我们" not in texts(replies)
    assert score not in [complaint.text for complaint in c.stored().complaints]
    replies = c.say("等了一下午，师傅还迟到")
    assert "problem" not in asked(replies)
    assert "等了一下午，师傅还迟到" in [complaint.text for complaint in c.stored().complaints]


def test_emoji_alone_at_the_what_went_wrong_question_asks_for_words(start_callback) -> None:
    """Seen: "😡😡😡" at "哪方面不满意？" was thanked for ("非常感谢您告诉我们这些") and stored as
    the problem."""
    c = start_callback("auto_repair")
    c.say("2")
    c.say("没解决")
    replies = c.say("😡😡😡")
    said = texts(replies)
    assert "感谢您告诉我们" not in said and "哪方面" in said and asked(replies) == ["problem"], said
    assert "😡😡😡" not in [complaint.text for complaint in c.stored().complaints]
    c.say("修了两次还是漏油")
    assert "修了两次还是漏油" in [complaint.text for complaint in c.stored().complaints]


@pytest.mark.parametrize("said", ["還好", "都还行吧"])
def test_nothing_in_particular_at_the_what_went_wrong_question_records_nothing(
        start_callback, said: str) -> None:
    """Seen: "還好" at "哪方面不滿意？" was thanked for ("非常感謝您告訴我們這些") and stored as
    the problem."""
    c = start_callback("generic", Locale.TRADITIONAL)
    c.say("3")
    c.say("有")
    replies = _to_simplified.convert(texts(c.say(said)))
    assert "感谢您告诉我们" not in replies and "哪方面不满意" not in replies, replies
    assert "打个分" in replies  # the next question
    assert c.stored().complaints == []


# --- skipping and the short survey ------------------------------------------------------------

def test_every_question_after_the_first_has_a_skip_button(start_callback) -> None:
    c = start_callback("auto_repair")
    assert "跳过" not in [b["title"] for b in buttons(c.start_replies)]
    replies = c.say("3分")
    seen = []
    while not finished(replies):
        assert buttons(replies)[-1]["title"] == "跳过", texts(replies)
        seen += asked(replies)
        replies = press(c, replies, "跳过")
    assert seen == ["solved", "problem", "dimension 服务态度", "dimension 维修质量", "nps",
                    "comment"]
    response = c.stored().response
    assert (response.overall, response.solved, response.nps, response.comment) == (
        3, None, None, None)


def test_a_satisfied_customer_using_buttons_finishes_in_five_taps(start_callback) -> None:
    for first, taps in (("5 非常满意", ["已解决", "10", "跳过"]),
                        ("4 满意", ["已解决", "4 满意", "9", "跳过"])):
        c = start_callback("auto_repair")
        replies = press(c, c.start_replies, first)
        for title in taps:
            replies = press(c, replies, title)
        assert finished(replies) and 1 + len(taps) <= 5
        assert c.stored().status == CallbackStatus.COMPLETED


def test_a_complaint_that_says_what_went_wrong_is_not_asked_again(start_callback) -> None:
    c = start_callback("utility_repair")
    c.say("2分")
    replies = c.say("没修好，第二天又停电了，打了三次电话都没人管")
    assert "哪方面不满意" not in texts(replies)
    assert "您反映的问题已记下" in texts(replies)
    complaint = next(x for x in c.stored().complaints if x.source == "solved")
    assert complaint.categories
    assert c.stored().response.solved is False


@pytest.mark.parametrize(("answer", "solved"), [
    ("yes", True), ("fixed", True), ("not yet", False), ("still broken", False)])
def test_english_at_the_solved_question_is_read(start_callback, answer: str, solved: bool
                                                ) -> None:
    """Typed English was never read at "解决了吗" (asked again), and "still broken" counted as
    solved (the "ok" inside "broken")."""
    c = start_callback("auto_repair")
    c.say("4")
    replies = c.say(answer)
    assert "没太看懂" not in texts(replies) and "解决了吗" not in texts(replies), texts(replies)
    assert c.stored().response.solved is solved


def test_whatever_at_the_first_question_is_no_reason_to_call_back_later(start_callback) -> None:
    """"随便吧" was read as busy and the survey put off for hours."""
    c = start_callback("auto_repair")
    replies = c.say("随便吧")
    assert "再联系您" not in texts(replies) and asked(replies) == ["overall"], texts(replies)
    c.say("4")
    assert c.stored().response.overall == 4


@pytest.mark.parametrize(("before", "answer", "stored", "next_question"), [
    ([], "5", ("overall", 5), "solved"),
    (["4"], "没解决", ("solved", False), "problem"),
])
def test_a_customer_back_from_busy_with_the_answer_is_not_asked_again(
        start_callback, before: list[str], answer: str, stored: tuple[str, object],
        next_question: str) -> None:
    """"在开车，晚点再说", then "5" a minute later: the 5 was dropped ("您好，我们继续刚才的回访吧～"
    and the same question again)."""
    c = start_callback("auto_repair")
    for said in before:
        c.say(said)
    assert "再联系您" in texts(c.say("在开车，晚点再说"))
    replies = c.say(answer)
    assert asked(replies)[-1:] == [next_question], texts(replies)
    slot, value = stored
    assert getattr(c.stored().response, slot) == value


def test_a_customer_back_from_busy_who_says_go_ahead_is_asked_the_open_question(
        start_callback) -> None:
    """Seen: "3", "等下再说", then "好了 你问吧": its 好了 was stored as "the problem is
    solved" and the survey went on to the next question."""
    c = start_callback("auto_repair")
    c.say("3")
    assert "再联系您" in texts(c.say("等下再说"))
    replies = c.say("好了 你问吧")
    assert asked(replies) == ["solved"] and "没太看懂" not in texts(replies), texts(replies)
    assert c.stored().response.solved is None
    c.say("没有，车还是有异响")
    assert c.stored().response.solved is False


def test_a_fault_still_there_said_at_the_first_question_is_kept(start_callback) -> None:
    """Seen: "还是漏水" at the first question got "抱歉，我没太看懂" and nothing was kept."""
    c = start_callback("water_repair")
    replies = c.say("还是漏水")
    said = texts(replies)
    assert "没太看懂" not in said and "抱歉" in said and asked(replies) == ["overall"], said
    assert [complaint.text for complaint in c.stored().complaints] == ["还是漏水"]


def test_a_question_back_at_the_solved_question_is_no_yes(start_callback) -> None:
    """Seen: "什么时候能修好我的电表" at "解决了吗？" was stored as solved (its 修好)."""
    c = start_callback("power_outage")
    c.say("4")
    replies = c.say("什么时候能修好我的电表")
    assert asked(replies)[-1:] == ["solved"], texts(replies)
    assert c.stored().response.solved is None


def test_a_fault_still_there_said_at_a_rating_is_kept(start_callback) -> None:
    c = start_callback("auto_repair")
    for answer in ("3", "解决了", "没有"):
        c.say(answer)
    replies = c.say("车还是有异响")
    assert "没太看懂" not in texts(replies), texts(replies)
    assert "车还是有异响" in [complaint.text for complaint in c.stored().complaints]


@pytest.mark.parametrize(("said", "score"), [("唔係好滿意", 2), ("好唔滿意", 1), ("麻麻哋", 3)])
def test_cantonese_ratings_keep_their_negation(start_callback, said: str, score: int) -> None:
    """Seen: 唔係好滿意 ("not very satisfied") was stored as 5, 麻麻哋 ("so-so") not read."""
    c = start_callback("telecom_repair", Locale.TRADITIONAL)
    said_back = _to_simplified.convert(texts(c.say(said)))
    assert "解决了吗" in said_back and "没太看懂" not in said_back, said_back
    assert c.stored().response.overall == score
