from __future__ import annotations

import shutil
from pathlib import Path

from spacy.util import load_config

from complaints import training
from complaints.decision import FILE_NAME, THRESHOLD_GRID, WEIGHT_GRID, Decision
from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES
from complaints.pipeline import ComplaintClassifier


def test_config_labels_match_the_code() -> None:
    config = load_config(training.CONFIG, interpolate=False)
    labels = config["initialize"]["components"]
    assert tuple(labels["categories"]["labels"]) == CATEGORIES
    assert tuple(labels["sentiment"]["labels"]) == SENTIMENTS
    assert tuple(labels["severity"]["labels"]) == SEVERITIES
    assert isinstance(config["system"]["seed"], int)  # reproducible
    assert config["training"]["seed"] == "${system.seed}"


def test_the_decision_is_chosen_and_stored_with_the_model(classifier: ComplaintClassifier
                                                         ) -> None:
    decision = Decision.load(training.MODEL_DIR)
    assert (training.MODEL_DIR / FILE_NAME).exists()
    assert set(decision.thresholds) == set(CATEGORIES)
    assert set(decision.thresholds.values()) <= set(THRESHOLD_GRID)
    assert decision.overall_weight in WEIGHT_GRID
    assert set(decision.overall_ratio) == {"1", "2", "3", "4", "5"}
    assert classifier.decision == decision


def test_staleness_follows_the_inputs(classifier: ComplaintClassifier, tmp_path: Path) -> None:
    copy = tmp_path / "complaints"
    shutil.copytree(training.MODEL_DIR, copy)
    assert not training.is_stale(copy)
    training.model_stamp(copy).stamp_file.write_text("0" * 64 + "\n")
    assert training.is_stale(copy)
    assert training.is_stale(tmp_path / "missing")


def test_model_keeps_the_user_dictionary(classifier: ComplaintClassifier) -> None:
    words = [t.text for t in classifier.nlp.make_doc("不给退款我就打12315找消协")]
    assert {"退款", "12315", "消协"} <= set(words)
