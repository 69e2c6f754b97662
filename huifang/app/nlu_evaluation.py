"""Intent accuracy and macro-F1 of the trained Rasa model on a labelled NLU file, measured by
Rasa's own `rasa test nlu` (the numbers the evaluation tests assert and `huifang classify
--evaluate FILE --nlu` prints). Rasa runs in its own virtualenv, so this calls its command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from huifang.app.model_build import RASA_BIN, RASA_MODEL
from huifang.script import to_simplified
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
    return evaluate_files({name: path}, model)[0]


def evaluate_files(files: dict[str, Path], model: Path = RASA_MODEL) -> list[NluScores]:
    """Every file in one `rasa test nlu` run (Rasa and the model load once, the slow part),
    scored per file from the per-utterance predictions the way Rasa's own intent report scores
    one file: accuracy, and macro-F1 over every intent that is a label or a prediction."""
    for path in files.values():
        if not path.is_file():
            raise NluEvaluationFailed(f"no NLU test file at {path}")
    if not model.is_file():
        raise NluEvaluationFailed(f"no Rasa model at {model}; run `huifang models build`")
    with tempfile.TemporaryDirectory(prefix="huifang-nlu-") as work:
        data = Path(work) / "data"
        data.mkdir()
        for number, path in enumerate(files.values()):
            shutil.copyfile(path, data / f"{number}-{path.name}")
        out = Path(work) / "out"
        result = subprocess.run(
            [str(RASA_BIN), "test", "nlu", "--model", str(model), "--nlu", str(data),
             "--out", str(out), "--no-plot", "--successes"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
            env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"})
        if result.returncode != 0 or not (out / "intent_successes.json").is_file():
            names = ", ".join(map(str, files.values()))
            raise NluEvaluationFailed(f"rasa test nlu failed on {names}:\n{result.stderr[-2000:]}")
        predicted = _predictions(out)
    return [_scores(name, _labelled(path), predicted) for name, path in files.items()]


_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def _labelled(path: Path) -> list[tuple[str, str]]:
    """(text, intent) of every example of an NLU file, entity annotations taken out."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
    return [(_ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip()), item["intent"])
            for item in items if "intent" in item
            for line in str(item.get("examples", "")).splitlines() if line.strip()]


def _predictions(out: Path) -> dict[str, str | None]:
    """Text → predicted intent, keyed by `_key`. The model reads a text the same way every
    time, so an utterance in two files has one prediction; Rasa reports the text after the
    pipeline's first step (Traditional → Simplified, full-width digits → ASCII), which `_key`
    folds the labelled text to as well."""
    predicted: dict[str, str | None] = {}
    for report in ("intent_successes.json", "intent_errors.json"):
        path = out / report
        for entry in json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []:
            predicted[_key(entry["text"])] = (entry.get("intent_prediction") or {}).get("name")
    return predicted


def _key(text: str) -> str:
    """One spelling for a text and what the NLU pipeline's first step makes of it: Simplified,
    half-width."""
    return unicodedata.normalize("NFKC", to_simplified(text.strip()))


def _scores(name: str, labelled: list[tuple[str, str]], predicted: dict[str, str | None]
            ) -> NluScores:
    pairs = []
    for text, intent in labelled:
        guess = predicted.get(_key(text), _MISSING)
        if guess is _MISSING:
            raise NluEvaluationFailed(f"rasa test nlu reported nothing for {text!r} ({name})")
        pairs.append((intent, guess))
    if not pairs:
        raise NluEvaluationFailed(f"no labelled examples in the {name} file")
    f1s = []
    for label in {label for pair in pairs for label in pair}:
        hits = sum(1 for truth, guess in pairs if truth == guess == label)
        claimed = sum(1 for _, guess in pairs if guess == label)
        actual = sum(1 for truth, _ in pairs if truth == label)
        precision = hits / claimed if claimed else 0.0
        recall = hits / actual if actual else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if hits else 0.0)
    accuracy = sum(1 for truth, guess in pairs if truth == guess) / len(pairs)
    return NluScores(name, len(pairs), accuracy, sum(f1s) / len(f1s))


_MISSING = object()


def evaluate_all(files: dict[str, Path] = NLU_TEST_FILES) -> list[NluScores]:
    return evaluate_files(files)


def render(scores: list[NluScores], console: Console) -> None:
    table = Table(title="NLU intents (Rasa model)")
    for column in ("test file", "utterances", "accuracy", "macro-F1"):
        table.add_column(column, justify="left" if column == "test file" else "right")
    for s in scores:
        table.add_row(s.name, str(s.examples), f"{s.accuracy:.3f}", f"{s.macro_f1:.3f}")
    console.print(table)
