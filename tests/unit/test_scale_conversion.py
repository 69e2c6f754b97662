"""read_rating: a clear number on another scale is converted and says what was written, so the
bot can say the conversion back (docs/score-reading.md, "Another scale")."""

from __future__ import annotations

import pytest

from actions.answer_parsing import Rating, parse_score, read_rating


@pytest.mark.parametrize(("text", "expected"), [
    ("10分", Rating(5, "10 分")),
    ("10", Rating(5, "10 分")),
    ("打十分", Rating(5, "10 分")),
    ("9分", Rating(5, "9 分")),
    ("8分吧", Rating(4, "8 分")),
    ("7", Rating(4, "7 分")),
    ("6分", Rating(3, "6 分")),
    ("0分", Rating(1, "0 分")),
    ("零分", Rating(1, "0 分")),
    ("八九分吧", Rating(4, "8 分")),
    ("90分", Rating(5, "90 分")),
    ("给个95", Rating(5, "95 分")),
    ("60分", Rating(3, "60 分")),
    ("90%", Rating(5, "90%")),
    ("百分之八十", Rating(4, "80%")),
    ("8/10", Rating(4, "8/10")),
])
def test_numbers_on_another_scale_to_a_five_point_question(text: str, expected: Rating) -> None:
    assert read_rating(text, None, 5) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("五星", Rating(10, "5 星")),
    ("4颗星", Rating(8, "4 星")),
    ("85分", Rating(8, "85 分")),
    ("70%", Rating(7, "70%")),
    ("4/5", Rating(8, "4/5")),
])
def test_stars_hundreds_and_percentages_on_the_ten_point_question(text: str,
                                                                  expected: Rating) -> None:
    assert read_rating(text, None, 10) == expected


@pytest.mark.parametrize(("text", "scale", "value"), [
    ("4分", 5, 4), ("五星", 5, 5), ("满分", 5, 5), ("8", 10, 8),
    ("10分", 10, 10), ("非常满意", 5, 5), ("7/10", 10, 7), ("还行，给4分吧", 5, 4),
])
def test_answers_on_the_questions_own_scale_need_no_conversion(text: str, scale: int,
                                                               value: int) -> None:
    assert read_rating(text, None, scale) == Rating(value)


@pytest.mark.parametrize("text", ["101分", "200", "等了3个小时", "13800138000", "不知道"])
def test_what_is_no_score_on_any_scale_stays_unread(text: str) -> None:
    assert read_rating(text, None, 5) is None


def test_words_are_never_read_on_the_other_scale() -> None:
    """会推荐 is an 8 on the 0–10 question, nothing on a 1–5 one."""
    assert read_rating("会推荐", None, 5) is None


def test_the_strict_reading_stays_on_its_scale() -> None:
    """parse_score is the held-out contract: out of range stays None there."""
    assert parse_score("10分", 5) is None
    assert parse_score("6", 5) is None


def test_the_nlu_span_is_read_when_the_whole_answer_says_nothing() -> None:
    assert read_rating("嗯这个嘛", "8分", 5) == Rating(4, "8 分")


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("满分10分", 5, Rating(5, "满分 10 分")),
    ("满分十分", 5, Rating(5, "满分 10 分")),
    ("满分100分", 10, Rating(10, "满分 100 分")),
    ("满分5分", 5, Rating(5)),
    ("满分", 5, Rating(5)),
])
def test_full_marks_on_another_scale_are_said_back(text: str, scale: int, expected: Rating
                                                   ) -> None:
    assert read_rating(text, None, scale) == expected
