"""A second annotator's blind labels of dev texts against the first
(data/dev/second-annotation/README.md): the agreement issue #13's macro-F1 goal is measured
against, and the scoring of one label set against another."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaints.dataset import LabelledText
from complaints.evaluation import SECOND_ANNOTATIONS, agreement, compare

# Measured in issue #13 part 6: 0.927 (outside dev) and 0.915 (authors dev sample). Two people
# applying the guide agree above the goal of 0.88, so the goal is not above what the labels
# can support.
GOAL_MACRO_F1 = 0.88


@pytest.mark.parametrize(("title", "gold", "second"), SECOND_ANNOTATIONS)
def test_two_annotators_agree_above_the_model_goal(title: str, gold: Path,
                                                   second: Path) -> None:
    report = agreement(gold, second)
    print(f"{title}: second annotator macro-F1 {report.macro_f1:.3f}, "
          f"sentiment {report.sentiment_accuracy:.3f}")
    assert report.texts >= 400
    assert report.macro_f1 >= GOAL_MACRO_F1
    assert report.negative_accuracy >= 0.99


def test_labels_compared_with_themselves_agree_fully() -> None:
    items = [LabelledText("等了三天，还多收钱", frozenset({"timeliness", "price"}), "negative",
                          "medium"),
             LabelledText("挺好的", frozenset(), "positive", "none")]
    report = compare(items, items)
    assert (report.macro_f1, report.sentiment_accuracy, report.severity_accuracy) == (1, 1, 1)
    other = [items[0], LabelledText("挺好的", frozenset({"price"}), "mixed", "low")]
    worse = compare(items, other)
    assert worse.sentiment_accuracy == 0.5 and worse.negative_accuracy == 0.5
    assert next(c for c in worse.categories if c.code == "price").precision == 0.5


def test_a_second_label_for_a_text_the_gold_set_lacks_is_refused(tmp_path: Path) -> None:
    gold, second = SECOND_ANNOTATIONS[0][1], tmp_path / "second.tsv"
    second.write_text("text\tcategories\tsentiment\tseverity\toverall\tindustry\n"
                      "这句话不在开发集里\tprice\tnegative\tmedium\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1 texts not in"):
        agreement(gold, second)
