"""Rasa's own checks, run on the real trained model: `rasa data validate`, `rasa test nlu` on
the held-out file (never trained on) and `rasa test core` on the conversation test stories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from huifang.model_build import RASA_BIN, RASA_DATA, RASA_MODEL
from huifang.settings import PROJECT_ROOT

pytestmark = pytest.mark.rasa

HELD_OUT = PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml"
TEST_STORIES = PROJECT_ROOT / "tests" / "stories"
INTENT_ACCURACY_MIN = 0.95
MACRO_F1_MIN = 0.95


def _rasa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA_BIN), *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=900, env={"TF_CPP_MIN_LOG_LEVEL": "2",
                                                       "PATH": "/usr/bin:/bin"})


def _examples(path: Path) -> set[str]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    return {line.removeprefix("- ").strip() for item in items
            for line in item.get("examples", "").splitlines() if line.strip()}


def test_training_data_validates_with_only_the_external_intent_warnings() -> None:
    result = _rasa("data", "validate", "--domain", "domain.yml", "--config", "config.yml",
                   "--data", *RASA_DATA)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "UserWarning" in line]
    # Intents the scheduler triggers have (rightly) no NLU examples; nothing else may warn.
    assert all("'EXTERNAL_" in line for line in warnings), warnings


def test_held_out_examples_are_not_in_the_training_data() -> None:
    training = set().union(*(_examples(p) for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")))
    assert not _examples(HELD_OUT) & training


def test_nlu_on_the_held_out_file(trained_models: None, tmp_path: Path) -> None:
    result = _rasa("test", "nlu", "--model", str(RASA_MODEL), "--nlu", str(HELD_OUT),
                   "--out", str(tmp_path), "--no-plot")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    accuracy, macro_f1 = report["accuracy"], report["macro avg"]["f1-score"]
    print(f"held-out intent accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    assert accuracy >= INTENT_ACCURACY_MIN
    assert macro_f1 >= MACRO_F1_MIN


def test_core_on_the_conversation_test_stories(trained_models: None, tmp_path: Path) -> None:
    result = _rasa("test", "core", "--model", str(RASA_MODEL), "--stories", str(TEST_STORIES),
                   "--out", str(tmp_path), "--no-plot")
    assert result.returncode == 0, result.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    report = json.loads((tmp_path / "story_report.json").read_text())
    print(f"story action accuracy {report['accuracy']:.3f}")
    assert "stories:" not in failed, failed
    assert report["accuracy"] == 1.0
