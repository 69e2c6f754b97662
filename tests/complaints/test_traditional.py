"""Traditional input is converted to Simplified first, so it gets the same answers."""

from __future__ import annotations

import json

from opencc import OpenCC

from complaints.pipeline import ComplaintClassifier
from complaints.script import to_simplified
from complaints.training import DATA_DIR


def test_to_simplified() -> None:
    assert to_simplified("師傅態度很好，電線冒煙了") == "师傅态度很好，电线冒烟了"
    assert to_simplified("师傅态度很好") == "师傅态度很好"


def test_traditional_and_simplified_texts_get_the_same_answers(
        classifier: ComplaintClassifier) -> None:
    with (DATA_DIR / "test.jsonl").open(encoding="utf-8") as handle:
        simplified = [to_simplified(json.loads(line)["text"]) for line in handle][:200]
    to_traditional = OpenCC("s2t").convert
    traditional = [to_traditional(text) for text in simplified]
    assert sum(t != s for t, s in zip(traditional, simplified)) > 150  # really converted
    assert all(to_simplified(t) == s for t, s in zip(traditional, simplified))
    for s, t in zip(classifier.classify(simplified), classifier.classify(traditional)):
        assert (t.categories, t.scores, t.sentiment, t.severity, t.signals) == (
            s.categories, s.scores, s.sentiment, s.severity, s.signals), t.text
