"""The done-criteria on the held-out test split, and the metric arithmetic."""

from __future__ import annotations

import pytest

from complaints.dataset import read_labelled
from complaints.evaluation import Report, category_score, evaluate
from complaints.pipeline import ComplaintClassifier
from complaints.training import DATA_DIR


@pytest.fixture(scope="module")
def report(classifier: ComplaintClassifier) -> Report:
    return evaluate(read_labelled(DATA_DIR / "test.jsonl"), classifier)


def test_macro_f1_over_categories(report: Report) -> None:
    assert report.macro_f1 >= 0.85


def test_sentiment_accuracy(report: Report) -> None:
    assert report.sentiment_accuracy >= 0.90


def test_high_severity_recall(report: Report) -> None:
    assert report.high_support >= 50
    assert report.high_recall is not None and report.high_recall >= 0.98


def test_category_score_arithmetic() -> None:
    gold = [frozenset({"price"}), frozenset({"price", "quality"}), frozenset(), frozenset()]
    predicted = [{"price"}, {"quality"}, {"price"}, set()]
    score = category_score("price", gold, predicted)
    assert (score.precision, score.recall, score.support, score.predicted) == (0.5, 0.5, 2, 2)
    assert score.f1 == pytest.approx(0.5)
    assert category_score("parts", gold, predicted).f1 == 0.0
