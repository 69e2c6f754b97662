from __future__ import annotations

import shutil
from pathlib import Path

import numpy
import spacy
from spacy.util import load_config

from complaints import training
from complaints.decision import FILE_NAME, THRESHOLD_GRID, WEIGHT_GRID, Decision
from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES
from complaints.ngrams import _batch, text_keys
from complaints.pipeline import ComplaintClassifier
from complaints.run_average import average_heads


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


def test_averaged_runs_score_the_mean_of_their_logits() -> None:
    runs = [spacy.load(training.MODEL_DIR) for _ in range(2)]
    other = runs[1].get_pipe("categories").model.get_ref("output_layer")
    other.set_param("W", 0.5 - other.get_param("W"))  # any other weights
    other.set_param("b", other.get_param("b") + 1.0)
    keys = [text_keys(doc).text for doc in runs[0].pipe(["等了三个小时，客服也不回电话",
                                                         "收费也透明，师傅很准时"])]
    logits = [run.get_pipe("categories").model.get_ref("output_layer").predict(_batch(keys))
              for run in runs]
    averaged = average_heads(runs).get_pipe("categories").model.get_ref("output_layer")
    assert not numpy.allclose(logits[0], logits[1])
    assert numpy.allclose(averaged.predict(_batch(keys)), (logits[0] + logits[1]) / 2, atol=1e-5)


def test_the_shipped_model_is_the_average_of_its_seeds(classifier: ComplaintClassifier) -> None:
    assert classifier.nlp.meta["huifang_training_seeds"] == list(training.SEEDS)
    assert len(training.SEEDS) > 1
