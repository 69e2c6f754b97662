from __future__ import annotations

import pytest

import complaints
from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES
from complaints.pipeline import ComplaintClassifier, InvalidText, Result

TEXTS = [
    "师傅很专业就是太贵了",
    "等了三个小时，连个人影都没有",
    "師傅態度很好，謝謝",
    "等了两个小时，客服态度也很差",
]


def test_classify_returns_one_result_per_text_in_order(classifier: ComplaintClassifier) -> None:
    results = complaints.classify(TEXTS)
    assert [r.text for r in results] == TEXTS
    for result in results:
        assert isinstance(result, Result)
        assert set(result.scores) == set(CATEGORIES)
        assert all(0.0 <= p <= 1.0 for p in result.scores.values())
        thresholds = classifier.decision.thresholds
        if result.is_complaint:
            assert set(result.categories) >= {c for c in CATEGORIES
                                              if result.scores[c] >= thresholds[c]}
        else:
            assert result.categories == []
        assert result.sentiment in SENTIMENTS
        assert result.severity in SEVERITIES


def test_batching_does_not_change_answers(classifier: ComplaintClassifier) -> None:
    one_by_one = [classifier.classify([t])[0] for t in TEXTS]
    assert classifier.classify(TEXTS, batch_size=2) == one_by_one


def test_typical_answers(classifier: ComplaintClassifier) -> None:
    mixed, waiting, praise, crowded = complaints.classify(TEXTS)
    assert mixed.categories == ["price"] and mixed.sentiment == "mixed"
    assert waiting.categories == ["timeliness"] and waiting.severity == "medium"
    assert praise.categories == [] and praise.sentiment == "positive"
    assert praise.severity == "none"
    assert {"timeliness", "attitude"} <= set(crowded.categories)


# Praise that names an aspect is no complaint about it (issue 13).
ASPECT_PRAISE = ["安装小哥很准时，收费也透明", "收费也合理", "价格实惠，等得不久",
                 "師傅很準時，收費也很透明"]


@pytest.mark.parametrize("text", ASPECT_PRAISE)
def test_praise_of_an_aspect_is_no_complaint(classifier: ComplaintClassifier, text: str) -> None:
    result = classifier.classify([text])[0]
    assert (result.sentiment, result.categories, result.is_complaint) == ("positive", [], False)


def test_the_overall_score_is_optional_and_one_per_text(classifier: ComplaintClassifier) -> None:
    with_scores = classifier.classify(TEXTS, overall=[3, None, 5, 1])
    assert [r.text for r in with_scores] == TEXTS
    assert with_scores[1] == classifier.classify(TEXTS[1:2])[0]  # None: as if not given
    with pytest.raises(ValueError, match="overall"):
        classifier.classify(TEXTS, overall=[5])


def test_threshold_controls_reported_categories(classifier: ComplaintClassifier) -> None:
    everything = classifier.classify(TEXTS[:1], threshold=0.0)[0]
    assert everything.categories == list(CATEGORIES)
    assert classifier.classify(TEXTS[:1], threshold=1.0)[0].categories == []
    # a text that complains gets at least its best category under the stored thresholds
    assert classifier.classify(TEXTS[:1])[0].categories != []


@pytest.mark.parametrize("bad", ["", "   ", None, 42, ["太贵了"]])
def test_empty_or_non_text_input_is_refused(classifier: ComplaintClassifier, bad: object) -> None:
    with pytest.raises(InvalidText):
        classifier.classify(["太贵了", bad])


def test_result_json_has_the_documented_fields(classifier: ComplaintClassifier) -> None:
    data = classifier.classify(["刹车失灵了，我要找律师"])[0].to_json()
    assert set(data) == {"text", "categories", "scores", "sentiment", "severity", "signals"}
    assert data["severity"] == "high"
    assert data["signals"] == ["safety:刹车失灵", "external:律师"]


# Misreadings seen in conversations (issue 13): Cantonese 冇-complaints, a rude "not solved",
# a problem reported as solved, greetings and bare ratings.
@pytest.mark.parametrize(("text", "category"), [
    ("部洗衣機冇修好", "quality"), ("冇人理，等咗好耐", "attitude"), ("解决个屁，还是响", "quality")])
def test_complaints_said_rudely_or_in_cantonese(classifier: ComplaintClassifier, text: str,
                                                category: str) -> None:
    result = classifier.classify([text])[0]
    assert result.is_complaint and category in result.categories


@pytest.mark.parametrize(("text", "categories"), [
    ("我要找真人客服，不要機器人", [["communication"], ["other"]]),  # no aspect named as such
    ("客服全是机器人，说了半天没用", [["communication"]])])
def test_a_chat_robot_is_not_a_part(classifier: ComplaintClassifier, text: str,
                                    categories: list[list[str]]) -> None:
    """机器 names a machine (a part); 机器人 is the customer service's chat robot (seen in a
    conversation: parts)."""
    result = classifier.classify([text])[0]
    assert result.is_complaint and result.categories in categories


@pytest.mark.parametrize("text", ["漏水已经修好了，谢谢师傅", "网络的问题已经解决了", "你好", "好",
                                  "5分", "嗯嗯好的", "冇問題，多謝"])
def test_solved_problems_greetings_and_good_ratings_are_no_complaint(
        classifier: ComplaintClassifier, text: str) -> None:
    result = classifier.classify([text])[0]
    assert (result.is_complaint, result.categories, result.severity) == (False, [], "none")


def test_a_bare_low_rating_is_not_high_severity(classifier: ComplaintClassifier) -> None:
    assert classifier.classify(["1分"])[0].severity != "high"


@pytest.mark.parametrize("text", [
    "分期手续费说是0.6%，自己一算年化快百分之十三了，这不是误导人吗",
    "0.6",
    "电费单价0.56元，怎么算出来这么多",
    "1.",
    "...",
])
def test_a_clause_cut_inside_a_word_is_read(classifier: ComplaintClassifier, text: str) -> None:
    """A full stop inside a number ends a clause in the middle of jieba's word "0.6"; the
    clause then has characters but no word of its own (it crashed the classifier)."""
    [result] = classifier.classify([text])
    assert result.sentiment in SENTIMENTS
