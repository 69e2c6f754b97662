"""Rasa's own checks, run on the real trained model: `rasa data validate`, `rasa test nlu` on
the held-out file, the dev file and the independent file (none of them trained on; only the
independent one was never read while the training data was written or choices were made, see
docs/nlu.md) and `rasa test core` on the conversation test stories."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

from huifang.app.model_build import RASA_BIN, RASA_DATA, RASA_MODEL
from huifang.app.nlu_evaluation import DEV_NLU, HELD_OUT_NLU, NluScores, evaluate_all
from huifang.settings import PROJECT_ROOT

pytestmark = pytest.mark.rasa

TEST_STORIES = PROJECT_ROOT / "tests" / "stories"
DEV_SHARED = PROJECT_ROOT / "data" / "dev" / "shared-with-training.txt"
# The held-out file guards against regressions. Session 4 relabelled "a rating with its reason"
# by guide rule 9 (praise/complain, not inform_score), which moved some held-out boundaries:
# 0.964 → 0.947 accuracy, 0.948 macro-F1, while the independent file reached its goal.
INTENT_ACCURACY_MIN = 0.94
MACRO_F1_MIN = 0.94
# The dev file was the independent file until session 3; choices are made on it now, so it
# only guards against regressions (docs/nlu.md has the measured numbers).
DEV_ACCURACY_MIN = 0.96
# The goal of issue 13, on utterances nobody on the project wrote or read (a new set by an
# author who never saw the training data; see tests/independent/README-nlu.md).
INDEPENDENT_ACCURACY_MIN = 0.96


def _rasa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA_BIN), *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=900, env={"TF_CPP_MIN_LOG_LEVEL": "2",
                                                       "PATH": "/usr/bin:/bin"})


_to_simplified = OpenCC("t2s")
_ENTITY = re.compile(r"\[([^\]]*)\]\(\w+\)")  # [4分](score) → 4分


def _normalised(text: str) -> str:
    """One spelling per utterance: no entity markup, Simplified, case-folded, without spaces or
    punctuation."""
    text = _to_simplified.convert(_ENTITY.sub(r"\1", text)).casefold()
    return "".join(c for c in text
                   if not c.isspace() and not unicodedata.category(c).startswith("P"))


def _examples(path: Path) -> set[str]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    return {_normalised(line.removeprefix("- ")) for item in items if "intent" in item
            for line in item["examples"].splitlines() if line.strip()}


def _training_examples() -> set[str]:
    return set().union(*(_examples(p) for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")))


def test_training_data_validates_with_only_the_external_intent_warnings() -> None:
    result = _rasa("data", "validate", "--domain", "domain.yml", "--config", "config.yml",
                   "--data", *RASA_DATA)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "UserWarning" in line]
    # Intents the scheduler triggers and the button-only `skip` (typed "跳过" is read by the
    # actions) have (rightly) no NLU examples; nothing else may warn.
    assert all("'EXTERNAL_" in line or "'skip'" in line for line in warnings), warnings


def test_the_normalised_spelling_ignores_script_case_spaces_and_punctuation() -> None:
    assert _normalised("沒了，謝謝！") == _normalised("没了谢谢") == "没了谢谢"
    assert _normalised("OK 👌") == "ok👌"
    assert _normalised("给[8分](score)吧") == "给8分吧"


def test_held_out_examples_are_not_in_the_training_data() -> None:
    assert not _examples(HELD_OUT_NLU) & _training_examples()


def test_dev_examples_are_not_in_the_training_data_beyond_those_shared_at_the_split() -> None:
    lines = DEV_SHARED.read_text(encoding="utf-8").splitlines()
    shared_at_split = {line for line in lines if line and not line.startswith("#")}
    assert not (_examples(DEV_NLU) & _training_examples()) - shared_at_split


@pytest.fixture(scope="module")
def nlu_scores(trained_models: None) -> dict[str, NluScores]:
    """Both files in one `rasa test nlu` run, scored per file (huifang.app.nlu_evaluation)."""
    return {scores.name: scores for scores in evaluate_all()}


def test_nlu_on_the_held_out_file(nlu_scores: dict[str, NluScores]) -> None:
    scores = nlu_scores["held-out"]
    print(f"held-out intent accuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}")
    assert scores.accuracy >= INTENT_ACCURACY_MIN
    assert scores.macro_f1 >= MACRO_F1_MIN


def test_nlu_on_the_dev_file(nlu_scores: dict[str, NluScores]) -> None:
    scores = nlu_scores["dev"]
    print(f"dev intent accuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}")
    assert scores.examples >= 300
    assert scores.accuracy >= DEV_ACCURACY_MIN


def test_nlu_on_the_independent_file(nlu_scores: dict[str, NluScores]) -> None:
    scores = nlu_scores["independent"]
    print(f"independent intent accuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f} "
          f"on {scores.examples} utterances")
    assert scores.examples >= 300
    assert scores.accuracy >= INDEPENDENT_ACCURACY_MIN


def test_core_on_the_conversation_test_stories(trained_models: None, tmp_path: Path) -> None:
    result = _rasa("test", "core", "--model", str(RASA_MODEL), "--stories", str(TEST_STORIES),
                   "--out", str(tmp_path), "--no-plot")
    assert result.returncode == 0, result.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    report = json.loads((tmp_path / "story_report.json").read_text())
    print(f"story action accuracy {report['accuracy']:.3f}")
    assert "stories:" not in failed, failed
    assert report["accuracy"] == 1.0
