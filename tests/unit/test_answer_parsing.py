"""parse_score and parse_yes_no, rule by rule as docs/score-reading.md numbers them."""

from __future__ import annotations

import pytest

from actions.answer_parsing import (
    is_emoji_only,
    is_go_ahead,
    is_thanks_or_farewell,
    mentions_recommendation,
    mentions_solved,
    words_besides_the_answer,
    normalise,
    parse_score,
    parse_yes_no,
    read_score,
)


def both_scales(cases: list[tuple[str, int | None, int | None]]) -> list[tuple[str, int, int | None]]:
    """(text, on scale 5, on scale 10) → one test case per scale."""
    return [(text, 5, five) for text, five, _ in cases] + \
           [(text, 10, ten) for text, _, ten in cases]


def check(text: str, scale: int, expected: int | None) -> None:
    assert parse_score(text, scale) == expected, f"{text!r} on scale {scale}"


# --- normalisation ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("非常滿意", "非常满意"),
    ("給個８分", "给个8分"),
    ("  ＯＫ  ", "ok"),
    ("5️⃣", "5"),
    ("百分之九十", "九十%"),
    ("百分百满意", "100%满意"),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


# --- rule 1: an explicit number in range ------------------------------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("4", 4, 4),
    ("４分", 4, 4),
    ("４", 4, 4),
    ("打8分", None, 8),
    ("给个八分", None, 8),
    ("給個八分", None, 8),
    ("五分吧", 5, 5),
    ("就给一分吧", 1, 1),
    ("两分", 2, 2),
    ("给3个", 3, 3),
    ("评分：4", 4, 4),
    ("4 分", 4, 4),
    ("四", 4, 4),
    ("8！", None, 8),
    ("10分", None, 10),
    ("打十分", None, 10),
    ("十分", None, 10),
    ("十分吧", None, 10),
    ("4.5分", 4, 4),
    ("5️⃣", 5, 5),
]))
def test_explicit_number(text: str, scale: int, expected: int | None) -> None:
    check(text, scale, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("十分满意", 5, 5),
    ("十分的满意", 5, 5),
    ("十分满意", 10, None),
    ("十分推荐", 10, 10),
    ("师傅做得十分仔细", 5, None),
])
def test_shifen_as_adverb_is_not_ten_points(text: str, scale: int, expected: int | None) -> None:
    check(text, scale, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("7/10", 10, 7),
    ("10/10", 10, 10),
    ("4/5", 5, 4),
    ("4/5", 10, 8),
    ("8/10", 5, 4),
    ("85/100", 10, 8),
    ("3/15", 5, None),
])
def test_fractions(text: str, scale: int, expected: int | None) -> None:
    check(text, scale, expected)


# --- rule 2: a range or hesitation takes the lower ----------------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("八九分吧", None, 8),
    ("4到5分", 4, 4),
    ("三到四分", 3, 3),
    ("7-8", None, 7),
    ("7~8分", None, 7),
    ("4或5吧", 4, 4),
    ("三四星", 3, 6),
    ("四五分吧", 4, 4),
    ("七八十分", 4, 7),
    ("8分吧，9分也行", None, 8),
]))
def test_range_takes_the_lower(text: str, scale: int, expected: int | None) -> None:
    check(text, scale, expected)


# --- rule 3: full marks -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("满分", 5, 10),
    ("滿分！", 5, 10),
    ("必须给满分", 5, 10),
    ("全五星", 5, 10),
    ("💯", 5, 10),
    ("满分10分", 5, 10),
]))
def test_full_marks_is_the_maximum(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("满分10分我给8分", 10, 8),
    ("10分满分，给7分", 10, 7),
    ("5分制的话给4分", 5, 4),
    ("10分制", 10, None),
])
def test_a_number_naming_the_scale_is_not_the_answer(text: str, scale: int,
                                                     expected: int | None) -> None:
    check(text, scale, expected)


# --- rule 4: stars ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("五星", 5, 10),
    ("5颗星", 5, 10),
    ("五顆星", 5, 10),
    ("三星吧", 3, 6),
    ("两颗星", 2, 4),
    ("3颗", 3, 6),
    ("一星都不想给", 1, 2),
    ("五星好评", 5, 10),
    ("给个5星好评", 5, 10),
    ("⭐⭐⭐⭐", 4, 8),
    ("★★★☆☆", 3, 6),
    ("4⭐", 4, 8),
    ("四星半", 4, 8),
]))
def test_stars(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


# --- rule 5: 100-point answers and the range of each scale --------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("90分", 5, 9),
    ("85分", 5, 8),
    ("一百分", 5, 10),
    ("100分", 5, 10),
    ("60", 3, 6),
    ("61分", 4, 6),
    ("41", 3, 4),
    ("40", 2, 4),
    ("20分", 1, 2),
    ("11", 1, 1),
    ("九十分", 5, 9),
    ("八十多分", 4, 8),
    ("90%", 5, 9),
    ("百分之八十", 4, 8),
    ("百分百满意", 5, 10),
]))
def test_hundred_point_answers(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("0分", 5, None),
    ("0分", 10, 0),
    ("零分", 5, None),
    ("零分", 10, 0),
    ("6", 5, None),
    ("8分", 5, None),
    ("十分", 5, None),
    ("10", 5, None),
    ("打10分，非常满意", 5, None),
    ("150分", 5, None),
])
def test_out_of_range(text: str, scale: int, expected: int | None) -> None:
    check(text, scale, expected)


# --- rule 6: words ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    *[(word, 5) for word in ["非常满意", "很满意", "特别满意", "十分满意", "超级满意", "太满意了",
                             "完美", "非常满意！师傅很专业", "非常非常满意"]],
    *[(word, 4) for word in ["满意", "挺满意", "挺好", "不错", "很好", "好", "挺好的", "比较满意",
                             "还不错"]],
    *[(word, 3) for word in ["一般", "还行", "还可以", "凑合", "马马虎虎", "还好", "一般般",
                             "中规中矩", "还行吧", "還可以", "凑合吧", "好像还行"]],
    *[(word, 2) for word in ["不满意", "不太满意", "不是很满意", "比较差", "差", "不怎么满意",
                             "不太好", "不是很好"]],
    *[(word, 1) for word in ["非常不满意", "很不满意", "太差了", "极差", "很差", "糟糕透了",
                             "非常不滿意", "一点也不满意", "很差劲"]],
])
def test_words_on_scale_5(text: str, expected: int) -> None:
    check(text, 5, expected)


@pytest.mark.parametrize(("text", "expected"), [
    # Hong Kong (written Cantonese): 唔 is "not", 麻麻哋 "so-so", 幾 "quite", 正 "great".
    # Seen: 唔係好滿意 was read as 5 and 好唔滿意 as 4 (the 滿意 in them), 麻麻哋 not at all.
    ("好正", 5), ("超正", 5), ("幾好", 4), ("幾滿意", 4), ("都幾好", 4),
    ("麻麻哋", 3), ("麻麻地", 3), ("麻麻哋啦", 3),
    ("唔滿意", 2), ("唔係好滿意", 2), ("唔太滿意", 2), ("唔係幾好", 2),
    ("好唔滿意", 1), ("非常唔滿意", 1), ("極之唔滿意", 1), ("差到爆", 1),
    # and Taiwan / spoken Mandarin that read as nothing, or one step too low
    ("還不賴", 4), ("不賴", 4), ("不太行", 2), ("不咋滴", 2), ("很糟", 2), ("有點爛", 2),
    ("不算差", 3), ("就那樣吧", 3),
])
def test_cantonese_words_on_scale_5(text: str, expected: int) -> None:
    check(text, 5, expected)


@pytest.mark.parametrize(("text", "expected"), [
    # seen: 唔會 ("won't") and 唔會推薦 were read as 8 (the 會 in them), 冇可能 ("no way") as 5
    ("唔會", 0), ("唔會推薦", 0), ("唔太會", 3), ("冇可能", 0), ("没可能", 0), ("一定會推薦", 10),
    ("應該會", 8), ("不会再来了", 0), ("再也不来了", 0),
])
def test_cantonese_and_spoken_words_on_scale_10(text: str, expected: int) -> None:
    check(text, 10, expected)


@pytest.mark.parametrize(("text", "expected"), [
    *[(word, 10) for word in ["一定会", "肯定会", "绝对会", "非常愿意", "一定会推荐的", "肯定会推荐",
                              "一定會", "强烈推荐", "非常愿意推荐"]],
    *[(word, 8) for word in ["会推荐", "愿意", "可以推荐", "应该会", "會推薦", "应该会吧", "会的",
                             "愿意推荐"]],
    *[(word, 5) for word in ["看情况", "说不好", "不一定", "可能吧", "一般", "不一定会推荐"]],
    *[(word, 3) for word in ["不太会", "不太愿意", "不太会推荐"]],
    *[(word, 0) for word in ["不会", "不愿意", "绝对不会", "肯定不会", "不会推荐的", "不推荐",
                             "不會"]],
])
def test_words_on_scale_10(text: str, expected: int) -> None:
    check(text, 10, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("师傅态度很好，就是等太久了", 5, 4),
    ("态度很好但是修得一般", 5, 3),
    ("不满意，态度很差", 5, 2),
    ("挺满意的，不过有点贵", 5, 4),
    ("当然不会", 10, 0),
])
def test_mixed_words_most_specific_then_lowest(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


# --- rule 7: emoji ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), both_scales([
    ("👍", 4, 8),
    ("👍🏻", 4, 8),
    ("👍👍", 5, 10),
    ("👍🏻👍🏻👍🏻", 5, 10),
    ("💯", 5, 10),
    ("😊", 4, 8),
    ("🙂", 4, 8),
    ("😀", 4, 8),
    ("😐", 3, 5),
    ("👎", 2, 3),
    ("😡", 1, 0),
    ("🤬", 1, 0),
    ("💢", 1, 0),
    ("😡😡", 1, 0),
]))
def test_emoji(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


def test_words_are_read_before_emoji() -> None:
    check("一般吧👍👍", 5, 3)


# --- rule 8: numbers win over words; numbers that are not scores --------------------------

@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("还行，给4分吧", 5, 4),
    ("非常满意，9分", 10, 9),
    ("3分吧，一般般", 5, 3),
    ("不满意，2分", 5, 2),
    ("太差了，就给5分", 5, 5),
    ("不是3分是4分", 5, 4),
])
def test_a_number_wins_over_words(text: str, scale: int, expected: int) -> None:
    check(text, scale, expected)


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("等了3个小时", 5, None),
    ("等了三个多小时，不满意", 5, 2),
    ("13800138000", 5, None),
    ("电话13912345678，服务很好", 5, 4),
    ("138-0013-8000", 10, None),
    ("3号", 5, None),
    ("3号来修的，师傅挺好", 5, 4),
    ("3月5号", 10, None),
    ("2024-03-05", 10, None),
    ("下午3点到的", 5, None),
    ("3:30到的", 5, None),
    ("等了40分钟，还行", 5, 3),
    ("等了两天", 5, None),
    ("第二次来了", 5, None),
    ("打了5个电话", 5, None),
    ("两个师傅都很好", 5, 4),
    ("花了200块", 10, None),
    ("打了8折", 10, None),
    ("上周三来修的", 5, None),
    ("一直没人来", 5, None),
    ("十几分钟就到了，不错", 5, 4),
    ("一分钟都没等", 5, None),
    ("4S店服务不错", 5, 4),
    ("iphone 13 修好了", 5, None),
    # seen in use: markup and code typed at the first question were read as 1 and escalated
    ("<img src=x onerror=alert(1)>", 5, None),
    ("<script>alert(1)</script>", 10, None),
    ("' OR 1=1 --", 5, None),
    ("OK，5分", 5, 5),
    ("评分=5", 5, 5),
    ("(4)", 5, 4),
])
def test_numbers_that_are_not_scores_are_ignored(text: str, scale: int,
                                                 expected: int | None) -> None:
    check(text, scale, expected)


def test_a_number_the_nlu_tagged_inside_code_is_no_score() -> None:
    assert read_score("<img src=x onerror=alert(1)>", "1", 5) is None
    assert read_score("还行吧 4", "4", 5) == 4



# --- nothing readable -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "scale"), [
    ("", 5), ("   ", 10), ("不知道", 5), ("随便", 5), ("谢谢", 10), ("好的", 5),
    ("没意见", 5), ("你们什么时候再来？", 5), ("非常满意", 10), ("说不好", 5), ("不好意思", 5),
])
def test_unreadable_is_none(text: str, scale: int) -> None:
    check(text, scale, None)


def test_only_scales_5_and_10() -> None:
    with pytest.raises(ValueError):
        parse_score("4", 7)


# --- parse_yes_no -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "是", "是的", "对", "解决了", "已解决", "修好了", "好了", "没问题", "嗯", "嗯嗯", "是的，已经好了",
    "对，修好了", "已经解决了", "问题解决了，谢谢", "没有什么问题", "解決了", "現在正常了", "ok",
    "算是解决了吧",
])
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True, text


@pytest.mark.parametrize("text", [
    "没有", "没", "不是", "没解决", "还没好", "还是坏的", "又坏了", "没修好", "否", "没有解决",
    "并没有解决", "並沒有解決", "还没修好", "没完全解决", "嗯，没有", "没有，还是坏的", "还是老样子",
    "还是不行", "還是不行", "不正常", "问题还在",
])
def test_no_and_negation_wins(text: str) -> None:
    assert parse_yes_no(text) is False, text


@pytest.mark.parametrize("text", [
    "", "好的", "不知道", "不太清楚", "解决了，但是又坏了", "是的，没解决", "解决了一部分",
    "再看看", "你们几点来？", "谢谢",
])
def test_mixed_or_unclear_is_none(text: str) -> None:
    assert parse_yes_no(text) is None, text


@pytest.mark.parametrize(("text", "expected"), [
    # the answer comes first; what follows describes it ("the noise is gone" is not a no)
    ("解决了解决了，异响现在完全没有了，开起来安静多了", True),
    ("修好了，这几天都没再漏水", True),
    ("基本解决了，这两天没再停电", True),
    ("没修好，第二天又停电了", False),
    # a later clause that is itself an answer, or says "but …", still makes it unclear
    ("是的，没解决", None),
    ("解决了，不过过两天又坏了", None),
    # "不错" is a weak yes: a clear no next to it wins
    ("不错", True),
    ("没解决，不过师傅态度不错", False),
    # scoffing: "解决个屁" is a no
    ("解决个屁，还是响", False),
    ("修好个鬼", False),
])
def test_the_first_answer_decides_and_details_do_not_contradict_it(text: str,
                                                                    expected: bool | None
                                                                    ) -> None:
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # Hong Kong (written Cantonese) and Taiwan wording
    ("搞掂咗", True), ("好咗", True), ("整好咗", True), ("冇問題", True), ("有解決，謝謝", True),
    ("解決咗，多謝", True), ("冇", False), ("冇，收費貴咗好多，同報價唔同", False),
    ("未搞掂", False), ("仲未好", False), ("仲係唔得", False), ("冇解決", False),
])
def test_cantonese_and_taiwan_yes_and_no(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # the service back, for a power, water, line or network repair
    ("来电了", True), ("有水了", True), ("寬頻通了", True), ("电话打通了", None), ("有信號了", True), ("网通了", True),
    # can't fix / still the same / worse
    ("搞唔掂", False), ("整唔好", False), ("都係咁", False), ("依然係咁", False),
    ("反而更严重了", False), ("更差了", False), ("还是那样", False),
    # not tried yet, half: unclear, asked again
    ("还没试", None), ("还没来得及试", None), ("没试过", None), ("解决了一半", None),
    ("解决了一大半", None),
    # a question is no yes (seen: "什么时候能修好我的电表" was stored as solved); a no in it is
    ("什么时候能修好我的电表", None), ("能修好吗", None), ("修好了吗", None),
    ("为什么还没修好", False), ("怎么又坏了", False), ("没什么问题", True), ("修好了，谢谢", True),
])
def test_spoken_answers_to_solved(text: str, expected: bool | None) -> None:
    """Seen when playing customers: each of these read as nothing, or the other way."""
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize("text", ["好了 你问吧", "好了，你问吧", "可以了，继续", "好，问吧",
                                  "我忙完了，你说", "有空了，继续吧", "好啦，你問啦"])
def test_an_invitation_to_go_on_is_no_yes(text: str) -> None:
    """Seen: a customer back from "等下再说" wrote "好了 你问吧", and its 好了 was stored as
    "the problem is solved"."""
    assert is_go_ahead(text) and parse_yes_no(text) is None, text
    assert read_score(text, None, 5) is None and read_score(text, None, 10) is None, text


@pytest.mark.parametrize("text", ["好了", "修好了，你们问吧", "问题解决了", "继续坏", "说好的呢"])
def test_answers_are_no_invitation_to_go_on(text: str) -> None:
    assert not is_go_ahead(text), text


@pytest.mark.parametrize(("text", "expected"), [
    # English, as Hong Kong customers (and others) answer "solved?": typed words were not read
    # at all, and "still broken" was a yes (the "ok" in "br-ok-en")
    ("yes", True), ("Yes!", True), ("Y", True), ("yep", True), ("yeah", True), ("fixed", True),
    ("yes fixed", True), ("solved", True), ("resolved", True), ("all good now", True),
    ("it works now", True), ("OK", True), ("okay la", True), ("done, thanks", True),
    ("no", False), ("No.", False), ("N", False), ("nope", False), ("nah", False),
    ("not fixed", False), ("not yet", False), ("still broken", False), ("broken", False),
    ("not solved", False), ("still not working", False), ("doesn't work", False),
    ("no la", False), ("冇, still broken", False),
    ("looks fine", True), ("not good", False),
    ("yes but still broken", None), ("not sure", None), ("i don't know", None), ("book", None),
])
def test_english_yes_and_no(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # Taiwan's bare 有 ("有啦" to "解決了嗎？") and emoji were not read
    ("有", True), ("有啦", True), ("有啊，修好了", True), ("有喔", True),
    ("有点问题", None), ("有時候還會響", None), ("有一点", None), ("还有问题", False),
    ("有师傅来过但是没修好", False), ("算是吧", True),
    ("✅", True), ("👍", True), ("👌", True), ("✔️", True), ("❌", False), ("👎", False),
    ("👍👍", True), ("👍 但是又坏了", None),
])
def test_taiwans_you_and_emoji(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # a "but" about something else is a complaint beside the answer, not a take-back
    ("解决了，不过不太满意", True),
    ("好了，不过态度不好", True),
    ("解决了，不过没人通知我", True),
    ("修好了，但是等了三天", True),
    ("没解决，但是师傅态度很好", False),
    # a "but" about the problem itself still takes the answer back
    ("修好了，但是还是不行", None),
    ("解决是解决了，但是不彻底", None),
    ("解决了，但是没有完全好", None),
    ("解决了，可是问题还在", None),
])
def test_a_but_about_something_else_keeps_the_answer(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    ("5分，问题也解决了", True),
    ("问题已经解决了", True),
    ("2分，根本没修好", False),
    ("3分，问题基本上都解决了", True),
    ("搞掂咗，5分", True),
    # English mixed in by Hong Kong customers (seen: "fixed" at the first question was lost)
    ("fixed", True), ("4分，fixed", True), ("still broken", False), ("prefixed", None),
    # a description that mentions the fix is no answer ("waited three hours till it was fixed")
    ("2分，等了三个小时才修好，师傅态度还很差", None),
    ("修好以后又来了一趟", None),
    # generic yes/no words say nothing about the problem itself
    ("挺不错的，4分", None),
    ("5分，没问题", None),
    ("是的", None),
    ("没有", None),
    ("4", None),
])
def test_the_problem_state_named_in_another_answer(text: str, expected: bool | None) -> None:
    assert mentions_solved(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # read on the 0-10 scale as the recommendation question reads words
    ("5分，解决了，会推荐给朋友", 8),
    ("非常满意，肯定会推荐给身边的人", 10),
    ("不会推荐给别人的", 0),
    ("3分吧，不会再介紹給朋友了", 0),
    # someone recommending something to the customer, or no clause about recommending us
    ("销售一直推荐我买保险", None),
    ("师傅推荐我换个配件", None),
    ("5分", None),
    ("朋友推荐我来的，5分", None),
    # a number in the same clause is the customer's score, not a recommendation
    ("推荐给朋友9分", None),
    # a bare answer about recommending, typed ahead of its question
    ("肯定会推荐", 10), ("不会推荐", 0), ("会推荐的", 8), ("不太会推荐吧", 3), ("會推薦", 8),
    ("师傅推荐", None), ("推荐的配件太贵", None),
])
def test_a_recommendation_said_in_another_answer(text: str, expected: int | None) -> None:
    assert mentions_recommendation(text) == expected, text


@pytest.mark.parametrize(("text", "expected"), [
    ("没了，谢谢", True), ("再见", True), ("好的，再见", True), ("謝謝你們，辛苦了", True),
    # a farewell word inside a sentence, or anything said beside the thanks
    ("对了，师傅把我家门口的垃圾也带走了，谢谢", False), ("谢谢，不过师傅迟到了", False),
    ("好的", False), ("5分", False),
])
def test_thanks_or_farewell_and_nothing_else(text: str, expected: bool) -> None:
    assert is_thanks_or_farewell(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # seen after the end of a survey: 🙏 was kept as a late comment for staff
    ("🙏", True), ("👍👍", True), ("🙏🏻", True), ("❤️", True), ("👌 🌹", True),
    ("👎", False), ("😡", False), ("🙏 师傅下次早点来", False),
])
def test_friendly_emoji_alone_are_thanks(text: str, expected: bool) -> None:
    assert is_thanks_or_farewell(text) is expected, text


@pytest.mark.parametrize(("text", "expected"), [
    ("😡😡😡", True), ("👎 ", True), ("🙏🏻", True), ("😡 太慢了", False), ("？？？", False), ("", False),
])
def test_emoji_only(text: str, expected: bool) -> None:
    assert is_emoji_only(text) is expected, text


@pytest.mark.parametrize(("text", "span", "expected"), [
    ("还行，给4分吧", "还行", 4),         # the whole answer decides, not the tagged word
    ("非常满意，给4分", "非常满意", 4),
    ("emmm 4吧", "4", 4),                # the span rescues what the whole text cannot give
    ("4", None, 4),
    ("说不好", None, None),
])
def test_read_score_prefers_the_whole_answer_to_the_nlu_span(
        text: str, span: str | None, expected: int | None) -> None:
    assert read_score(text, span, 5) == expected


@pytest.mark.parametrize(("text", "rest"), [
    # a bare yes or no first: the complaint is what follows
    ("冇，收費貴咗好多", "收費貴咗好多"),
    ("没有！修了三次了还是天天掉线", "修了三次了还是天天掉线"),
    ("是的，不过师傅来晚了", "不过师傅来晚了"),
    # an answer that names the problem's state is part of what was said
    ("没修好，第二天又坏了", "没修好，第二天又坏了"),
    ("修好了，这几天都没再漏水", "修好了，这几天都没再漏水"),
    # nothing but the answer, or no answer first: the whole text
    ("没有", "没有"),
    ("收费太贵了，没有提前说", "收费太贵了，没有提前说"),
])
def test_the_words_besides_the_answer(text: str, rest: str) -> None:
    assert words_besides_the_answer(text) == rest
