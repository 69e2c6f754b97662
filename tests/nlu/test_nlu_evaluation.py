"""The NLU evaluation module without a model run: what it refuses, and what it prints. Its real
runs on the trained model are tests/conversation/test_rasa_evaluation.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from huifang.app import nlu_evaluation
from huifang.app.nlu_evaluation import (DEV_NLU, HELD_OUT_NLU, INDEPENDENT_NLU, NLU_TEST_FILES,
                                         NluEvaluationFailed, NluScores, evaluate_nlu, render)


def test_a_missing_test_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nlu.yml"
    with pytest.raises(NluEvaluationFailed, match="no NLU test file"):
        evaluate_nlu("independent", missing)


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    test_file = tmp_path / "nlu.yml"
    test_file.write_text('version: "3.1"\nnlu: []\n', encoding="utf-8")
    with pytest.raises(NluEvaluationFailed, match="huifang models build"):
        evaluate_nlu("held-out", test_file, model=tmp_path / "absent.tar.gz")


def test_render_prints_accuracy_and_macro_f1_per_file() -> None:
    console = Console(record=True, width=100)
    render([NluScores("held-out", 300, 0.9712, 0.9655),
            NluScores("independent", 320, 0.9581, 0.9402)], console)
    text = console.export_text()
    assert "held-out" in text and "0.971" in text and "0.966" in text
    assert "independent" in text and "320" in text and "0.958" in text and "0.940" in text


def test_the_evaluation_covers_the_held_out_dev_and_independent_files() -> None:
    assert NLU_TEST_FILES == {"held-out": HELD_OUT_NLU, "dev": DEV_NLU,
                              "independent": INDEPENDENT_NLU}
    assert DEV_NLU.is_file() and HELD_OUT_NLU.is_file()


def test_one_run_is_scored_per_file_as_rasa_scores_one_file(tmp_path: Path) -> None:
    """Per-utterance predictions → accuracy and macro-F1 over every label or prediction (the
    numbers of Rasa's intent report), per file; a Traditional text may come back Simplified,
    full-width digits as ASCII."""
    test_file = tmp_path / "nlu.yml"
    test_file.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: affirm\n  examples: |\n    - 是的\n    - 對頭\n"
        "- intent: deny\n  examples: |\n    - 没有\n"
        "- intent: inform_score\n  examples: |\n    - 给[4](score)分\n    - [１０分](score)\n",
        encoding="utf-8")
    labelled = nlu_evaluation._labelled(test_file)
    assert labelled == [("是的", "affirm"), ("對頭", "affirm"), ("没有", "deny"),
                        ("给4分", "inform_score"), ("１０分", "inform_score")]
    predicted = {"是的": "affirm", "对头": "deny", "没有": "deny", "给4分": "inform_score",
                 "10分": "inform_score"}
    scores = nlu_evaluation._scores("x", labelled, predicted)
    # affirm P=1 R=1/2 F1=2/3; deny P=1/2 R=1 F1=2/3; inform_score F1=1
    assert (scores.examples, scores.accuracy) == (5, 0.8)
    assert abs(scores.macro_f1 - (2 / 3 + 2 / 3 + 1) / 3) < 1e-9
    with pytest.raises(NluEvaluationFailed, match="nothing for '没有'"):
        nlu_evaluation._scores("x", labelled, {"是的": "affirm", "对头": "affirm"})
