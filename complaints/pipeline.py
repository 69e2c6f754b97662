"""Load the trained pipeline and classify texts.

Design (config in complaints/config.cfg): `spacy.blank("zh")` with the jieba tokenizer and the
project's user dictionaries (complaints.tokenizer), then three heads trained together —
`categories` (textcat_multilabel over the nine codes; a code is reported when its probability
reaches the threshold), `sentiment` and `severity` (exclusive heads). Categories and severity
combine a small CNN over shared token vectors with a bag of word and character n-grams;
sentiment uses the n-gram bag alone. Character n-grams matter for Chinese: customers write
贵得离谱 / 太贵了 / 收费贵, which jieba splits differently but which share 贵.

Severity is the model's answer *unless* the rule layer (complaints.severity_rules, a spaCy
Matcher component in the same pipeline) found a high-risk signal — external complaint threat,
safety risk, repeat failure, refund/compensation demand — in which case it is "high" whatever
the model says. Those must never be missed, and a few thousand training texts cannot teach a
model every way of saying 12315 or 漏电; rules do not forget a rare phrasing. The model still
decides medium vs low, and may call a text high on its own.

Input in Traditional script is converted to Simplified first (OpenCC t2s), the script the model
was trained on, so 繁體 texts get the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from complaints import components  # noqa: F401  (registers the pipeline's factories)
from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES
from complaints.script import to_simplified
from complaints.severity_rules import signals
from huifang.settings import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "models" / "complaints"
DEFAULT_THRESHOLD = 0.5
BATCH_SIZE = 256


class InvalidText(ValueError):
    """The input is not a non-empty string."""


class ModelMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Result:
    text: str
    categories: list[str]
    scores: dict[str, float]
    sentiment: str
    severity: str
    signals: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "categories": self.categories,
                "scores": {code: round(p, 4) for code, p in self.scores.items()},
                "sentiment": self.sentiment, "severity": self.severity,
                "signals": self.signals}


def checked_text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidText(f"text must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidText("text is empty")
    return value


class ComplaintClassifier:
    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        nlp("预热")  # build jieba's prefix dictionary now, not on the first customer's text

    def classify(self, texts: Iterable[object], threshold: float = DEFAULT_THRESHOLD,
                 batch_size: int = BATCH_SIZE) -> list[Result]:
        originals = [checked_text(t) for t in texts]
        docs = self.nlp.pipe((to_simplified(t) for t in originals), batch_size=batch_size)
        return [self._result(text, doc, threshold) for text, doc in zip(originals, docs)]

    @staticmethod
    def _result(text: str, doc: Doc, threshold: float) -> Result:
        scores = {code: float(doc.cats[code]) for code in CATEGORIES}
        found = signals(doc)
        severity = "high" if found else max(SEVERITIES, key=lambda s: doc.cats[s])
        return Result(
            text=text,
            categories=[code for code in CATEGORIES if scores[code] >= threshold],
            scores=scores,
            sentiment=max(SENTIMENTS, key=lambda s: doc.cats[s]),
            severity=severity,
            signals=found,
        )


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> ComplaintClassifier:
    """The classifier in `path` (default models/complaints/), loaded once per path."""
    model_dir = path or MODEL_DIR
    if not (model_dir / "config.cfg").exists():
        raise ModelMissing(f"no complaint model in {model_dir}: run `huifang models build` "
                           "(or `python -m complaints.training`)")
    return ComplaintClassifier(spacy.load(model_dir))


def classify(texts: Sequence[object], threshold: float = DEFAULT_THRESHOLD) -> list[Result]:
    """Classify texts with the default model (batched through nlp.pipe)."""
    return load().classify(texts, threshold)
