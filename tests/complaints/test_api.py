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
        assert result.categories == [c for c in CATEGORIES if result.scores[c] >= 0.5]
        assert result.sentiment in SENTIMENTS
        assert result.severity in SEVERITIES


def test_batching_does_not_change_answers(classifier: ComplaintClassifier) -> None:
    one_by_one = [classifier.classify([t])[0] for t in TEXTS]
    assert classifier.classify(TEXTS, batch_size=2) == one_by_one


def test_typical_answers(classifier: ComplaintClassifier) -> None:
    mixed, waiting, praise, crowded = complaints.classify(TEXTS)
    assert mixed.categories == ["price"] and mixed.sentiment == "negative"
    assert waiting.categories == ["timeliness"] and waiting.severity == "medium"
    assert praise.categories == [] and praise.sentiment == "positive"
    assert {"timeliness", "attitude"} <= set(crowded.categories)


def test_threshold_controls_reported_categories(classifier: ComplaintClassifier) -> None:
    everything = classifier.classify(TEXTS[:1], threshold=0.0)[0]
    assert everything.categories == list(CATEGORIES)
    assert classifier.classify(TEXTS[:1], threshold=1.0)[0].categories == []


@pytest.mark.parametrize("bad", ["", "   ", None, 42, ["太贵了"]])
def test_empty_or_non_text_input_is_refused(classifier: ComplaintClassifier, bad: object) -> None:
    with pytest.raises(InvalidText):
        classifier.classify(["太贵了", bad])


def test_result_json_has_the_documented_fields(classifier: ComplaintClassifier) -> None:
    data = classifier.classify(["刹车失灵了，我要找律师"])[0].to_json()
    assert set(data) == {"text", "categories", "scores", "sentiment", "severity", "signals"}
    assert data["severity"] == "high"
    assert data["signals"] == ["safety:刹车失灵", "external:律师"]
