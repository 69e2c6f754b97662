"""The classifier on the independent test set, and the metric arithmetic.

tests/independent/complaints.jsonl is written by an author who never saw the training data or
the dev sets; it is read only here and by `huifang classify --evaluate`, never to choose
anything. Issue #13's goals are macro-F1 >= 0.88, 4-way sentiment accuracy >= 0.90 (mixed
texts counted), high-severity recall >= 0.98. Sentiment and high-severity recall meet them and
are asserted as they are; macro-F1 does not yet (0.824 for the model averaged over three
seeds, evaluated once after the choice was frozen on the dev sets; single seeds range 0.804 to
0.831), so its test asserts a floor below that figure — a regression guard, not the goal —
and prints the goal beside it.
"""

from __future__ import annotations

import pytest

from complaints.dataset import LabelledText, read_labelled
from complaints.evaluation import (
    INDEPENDENT,
    NO_CATEGORY,
    Report,
    category_confusion,
    category_score,
    confusion,
    evaluate,
)
from complaints.labels import SENTIMENTS
from complaints.pipeline import ComplaintClassifier

GOAL_MACRO_F1 = 0.88
GOAL_SENTIMENT_ACCURACY = 0.90
GOAL_HIGH_RECALL = 0.98
FLOOR_MACRO_F1 = 0.80  # measured 0.824 (goal not met)


@pytest.fixture(scope="module")
def independent(classifier: ComplaintClassifier) -> Report:
    return evaluate(read_labelled(INDEPENDENT), classifier)


def test_the_independent_set_is_large_enough(independent: Report) -> None:
    assert independent.texts >= 300
    assert independent.high_support >= 20


def test_macro_f1_over_categories(independent: Report) -> None:
    print(f"independent macro-F1 {independent.macro_f1:.3f} (goal {GOAL_MACRO_F1})")
    assert independent.macro_f1 >= FLOOR_MACRO_F1


def test_sentiment_accuracy_with_mixed_texts_counted(independent: Report) -> None:
    print(f"independent sentiment accuracy {independent.sentiment_accuracy:.3f}")
    assert independent.sentiment_accuracy >= GOAL_SENTIMENT_ACCURACY


def test_high_severity_recall(independent: Report) -> None:
    assert independent.high_recall is not None
    print(f"independent high-severity recall {independent.high_recall:.3f} (goal {GOAL_HIGH_RECALL})")
    assert independent.high_recall >= GOAL_HIGH_RECALL


def test_category_score_arithmetic() -> None:
    gold = [frozenset({"price"}), frozenset({"price", "quality"}), frozenset(), frozenset()]
    predicted = [{"price"}, {"quality"}, {"price"}, set()]
    score = category_score("price", gold, predicted)
    assert (score.precision, score.recall, score.support, score.predicted) == (0.5, 0.5, 2, 2)
    assert score.f1 == pytest.approx(0.5)
    assert category_score("parts", gold, predicted).f1 == 0.0
    table = category_confusion(gold, predicted)
    assert table["price"]["price"] == 1 and table["price"]["quality"] == 1
    assert table["quality"] == {**dict.fromkeys(table, 0), "quality": 1}
    assert table[NO_CATEGORY]["price"] == 1 and table[NO_CATEGORY][NO_CATEGORY] == 1


def test_sentiment_confusion_counts_every_pair() -> None:
    table = confusion(["mixed", "mixed", "positive"], ["negative", "mixed", "positive"],
                      SENTIMENTS)
    assert table["mixed"] == {"negative": 1, "mixed": 1, "neutral": 0, "positive": 0}
    assert sum(map(sum, (row.values() for row in table.values()))) == 3


def test_mixed_counts_as_negative_in_negative_vs_not(classifier: ComplaintClassifier) -> None:
    items = [LabelledText("师傅很专业就是太贵了", frozenset({"price"}), "negative", "medium")]
    report = evaluate(items, classifier)
    assert report.negative_accuracy == 1.0  # predicted mixed: still a complaint
    assert report.sentiment_accuracy == 0.0
