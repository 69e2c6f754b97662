"""Intent accuracy and macro-F1 of the trained Rasa model on a labelled NLU file, measured by
Rasa's own `rasa test nlu` (the numbers the evaluation tests assert and `huifang classify
--evaluate FILE --nlu` prints). Rasa runs in its own virtualenv, so this calls its command."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from huifang.app.model_build import RASA_BIN, RASA_MODEL
from huifang.settings import PROJECT_ROOT

HELD_OUT_NLU = PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml"
DEV_NLU = PROJECT_ROOT / "data" / "dev" / "nlu.yml"
INDEPENDENT_NLU = PROJECT_ROOT / "tests" / "independent" / "nlu.yml"
# name → file, none of them trained on. The held-out file was read while the training data was
# written; the dev file (a former independent set) is used for error analysis and choices; the
# independent one is never read by anyone who writes training data or makes choices
# (see docs/nlu.md).
NLU_TEST_FILES = {"held-out": HELD_OUT_NLU, "dev": DEV_NLU, "independent": INDEPENDENT_NLU}


class NluEvaluationFailed(RuntimeError):
    """`rasa test nlu` could not run (no model, unreadable file)."""


@dataclass(frozen=True)
class NluScores:
    name: str
    examples: int
    accuracy: float
    macro_f1: float


def evaluate_nlu(name: str, path: Path, model: Path = RASA_MODEL) -> NluScores:
    if not path.is_file():
        raise NluEvaluationFailed(f"no NLU test file at {path}")
    if not model.is_file():
        raise NluEvaluationFailed(f"no Rasa model at {model}; run `huifang models build`")
    with tempfile.TemporaryDirectory(prefix="huifang-nlu-") as out:
        result = subprocess.run(
            [str(RASA_BIN), "test", "nlu", "--model", str(model), "--nlu", str(path),
             "--out", out, "--no-plot"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
            env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"})
        report_path = Path(out) / "intent_report.json"
        if result.returncode != 0 or not report_path.is_file():
            raise NluEvaluationFailed(f"rasa test nlu failed on {path}:\n{result.stderr[-2000:]}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    macro = report["macro avg"]
    return NluScores(name, int(macro["support"]), report["accuracy"], macro["f1-score"])


def evaluate_all(files: dict[str, Path] = NLU_TEST_FILES) -> list[NluScores]:
    return [evaluate_nlu(name, path) for name, path in files.items()]


def render(scores: list[NluScores], console: Console) -> None:
    table = Table(title="NLU intents (Rasa model)")
    for column in ("test file", "utterances", "accuracy", "macro-F1"):
        table.add_column(column, justify="left" if column == "test file" else "right")
    for s in scores:
        table.add_row(s.name, str(s.examples), f"{s.accuracy:.3f}", f"{s.macro_f1:.3f}")
    console.print(table)
