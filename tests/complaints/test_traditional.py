"""Traditional input (Taiwan and Hong Kong wording) is converted to Simplified first and must
then be read as well as Simplified text."""

from __future__ import annotations

from complaints.dataset import read_labelled
from complaints.labels import COMPLAINING
from complaints.pipeline import ComplaintClassifier
from huifang.script import to_simplified
from complaints.training import DEV_FILE


def test_to_simplified() -> None:
    assert to_simplified("師傅態度很好，電線冒煙了") == "师傅态度很好，电线冒烟了"
    assert to_simplified("再唔處理我就去消委會") == "再唔处理我就去消委会"
    assert to_simplified("沈默") == "沉默"  # a phrase whose characters are all shared
    simplified = "师傅态度很好"
    assert to_simplified(simplified) is simplified  # nothing to convert: returned as is


def test_traditional_dev_texts_are_read_like_simplified_ones(
        classifier: ComplaintClassifier) -> None:
    traditional = [item for item in read_labelled(DEV_FILE)
                   if to_simplified(item.text) != item.text]
    assert len(traditional) >= 20
    results = classifier.classify([item.text for item in traditional])
    sentiment = sum(i.sentiment == r.sentiment for i, r in zip(traditional, results))
    complaint = sum((i.sentiment in COMPLAINING) == r.is_complaint
                    for i, r in zip(traditional, results))
    assert sentiment / len(traditional) >= 0.8
    assert complaint / len(traditional) >= 0.9
