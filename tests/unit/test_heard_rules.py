"""When a typed text counts as a complaint (actions/free_text.Heard), on fixed classifier
readings: the model is trained on complaints and reads many other messages as negative, so
the conversation trusts it only where the intent and the answer do not say otherwise."""

from __future__ import annotations

import pytest

from actions.free_text import Heard
from huifang.survey_answers import Classification


def reading(sentiment: str = "negative", categories: tuple[str, ...] = ("quality",),
            severity: str = "medium", signals: tuple[str, ...] = ()) -> Classification:
    return Classification(categories=list(categories), scores={c: 0.9 for c in categories},
                          sentiment=sentiment, severity=severity, signals=list(signals))


LONG = "这句话足足有八个以上的汉字了"


@pytest.mark.parametrize("intent", ["busy_later", "opt_out", "wrong_person", "ask_purpose",
                                    "greet"])
def test_interruptions_are_no_complaint_on_the_model_alone(intent: str) -> None:
    heard = Heard(LONG, reading(severity="high"), intent)
    assert not heard.is_complaint and not heard.high_severity
    assert heard.complaint_categories == []
    assert not Heard(LONG, reading("mixed"), intent).is_complaint


@pytest.mark.parametrize("intent", ["praise", "thank"])
def test_praise_and_thanks_are_a_complaint_only_with_a_but(intent: str) -> None:
    """All-negative praise is a misreading; a mixed reading is praise with a complaint."""
    assert not Heard(LONG, reading(severity="high"), intent).is_complaint
    assert Heard(LONG, reading("mixed"), intent).is_complaint


@pytest.mark.parametrize("intent", ["busy_later", "opt_out", "praise", "thank"])
def test_a_severity_rule_makes_any_message_a_complaint(intent: str) -> None:
    heard = Heard(LONG, reading(severity="high", signals=("external:12315",)), intent)
    assert heard.is_complaint and heard.high_severity and heard.worth_keeping()


def test_a_long_negative_answer_is_a_complaint() -> None:
    assert Heard(LONG, reading(), "inform_score").is_complaint
    assert not Heard("太慢", reading(), "inform_score").is_complaint  # too short to trust
    assert Heard("太慢", reading(), "complain").is_complaint          # the NLU heard one too


def test_a_favourable_answer_takes_back_an_all_negative_reading_but_not_a_mixed_one() -> None:
    assert not Heard(LONG, reading(), "affirm", answered=True).is_complaint
    assert Heard(LONG, reading("mixed"), "inform_score", answered=True).is_complaint
    assert Heard(LONG, reading(), "complain", answered=True).is_complaint


def test_words_beside_an_unfavourable_answer_say_what_went_wrong_however_short() -> None:
    """"解决个屁，还是响" at "solved?": the no is the answer, 还是响 is the problem."""
    heard = Heard("解决个屁，还是响", reading(), "deny", answered=False)
    assert heard.is_complaint and heard.complaint_categories == ["quality"]
    assert not Heard("解决个屁", reading(), "deny").is_complaint  # no answer: too short


@pytest.mark.parametrize("text", ["还是漏水", "车还是有异响", "又坏了", "仲係唔得", "解决个屁，还是响"])
def test_a_fault_said_to_be_still_there_is_a_complaint_however_short(text: str) -> None:
    """Seen: "还是漏水" at the first question and "车还是有异响" at a rating got "抱歉，我没太看懂"
    and were not kept."""
    assert Heard(text, reading(), "inform_score").is_complaint
    assert Heard(text, reading(categories=("parts",)), None).is_complaint


def test_still_without_a_fault_or_a_complaint_is_nothing() -> None:
    assert not Heard("还是老样子", reading(categories=("timeliness",)), None).is_complaint
    assert not Heard("还是很满意", reading("positive", ()), None).is_complaint
    assert not Heard("还是不行", reading(), "busy_later").is_complaint
    assert not Heard("没解决", reading(), "deny", answered=False).is_complaint  # a bare no
    assert not Heard("没有啊", reading(), "deny", answered=False).is_complaint


def test_a_remark_about_reading_the_chat_is_not_kept() -> None:
    heard = Heard("我眼睛不好，这字太小了看不清", reading(), "complain")
    assert not heard.is_complaint and not heard.worth_keeping() and heard.about_the_chat


def test_praise_the_model_took_for_a_complaint_is_kept_as_praise() -> None:
    heard = Heard(LONG, reading(categories=("attitude",)), "praise")
    assert heard.worth_keeping()
    stored = heard.stored_reading()
    assert stored is not None
    assert (stored.sentiment, stored.severity, stored.categories) == ("positive", "none", [])


def test_a_trusted_complaint_is_stored_as_the_classifier_read_it() -> None:
    heard = Heard(LONG, reading(categories=("price",)), "complain")
    assert heard.stored_reading() == heard.classification


@pytest.mark.parametrize(("classification", "persists"), [
    (reading(categories=("quality",)), True),
    (reading(categories=("parts",)), True),
    (reading(categories=("attitude",), signals=("safety:刹车",)), True),
    (reading(categories=("attitude",), signals=("repeat:又坏了",)), True),
    (reading(categories=("attitude",)), False),
    (reading(categories=("price",), signals=("external:12315",)), False),
])
def test_which_complaints_say_the_problem_is_still_there(classification: Classification,
                                                         persists: bool) -> None:
    assert Heard(LONG, classification, "complain").says_problem_persists is persists


def test_a_refund_demand() -> None:
    assert Heard(LONG, reading(signals=("refund:钱退",)), "opt_out").demands_refund
    assert not Heard(LONG, reading(signals=("external:消协",)), "opt_out").demands_refund
