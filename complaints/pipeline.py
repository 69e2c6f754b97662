"""Load the trained pipeline and classify texts.

Design (config in complaints/config.cfg): `spacy.blank("zh")` with the jieba tokenizer and the
project's user dictionaries (complaints.tokenizer), three linear heads over word n-grams,
character n-grams and per-clause cue features (complaints.ngrams, complaints.cues) —
`categories` (multi-label over the nine codes), `sentiment` (negative / mixed / neutral /
positive) and `severity` — and a rule layer for high-severity signals. Each text and each of
its clauses is scored (complaints.scoring); complaints.decision turns the probabilities into
labels: categories only when the text complains (praise of an aspect is no complaint about
it), per-category thresholds chosen on the dev sets, and the customer's overall score where it
is known.

Severity is the model's answer *unless* the rule layer (complaints.severity_rules, regular
expressions run as a pipeline component) found a high-risk signal in a complaining text —
external complaint threat, safety risk, repeat failure, refund/compensation demand — in which
case it is "high" whatever the model says. Those must never be missed, and a few thousand
training texts cannot teach a model every way of saying 12315 or 漏电; rules do not forget a
rare phrasing. The model still decides medium vs low, and may call a text high on its own.

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
from complaints.decision import Decision
from complaints.labels import COMPLAINING
from complaints.scoring import TextScores, score
from huifang.script import to_simplified
from complaints.severity_rules import signals
from huifang.settings import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "models" / "complaints"
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

    @property
    def is_complaint(self) -> bool:
        """The text complains about something (negative, or mixed praise and complaint)."""
        return self.sentiment in COMPLAINING

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
    def __init__(self, nlp: Language, decision: Decision | None = None) -> None:
        self.nlp = nlp
        self.decision = decision or Decision()
        self.rules = nlp.get_pipe("severity_rules")
        self._docs(["预热"])  # build jieba's prefix dictionary now, not on the first text

    def classify(self, texts: Iterable[object], threshold: float | None = None,
                 batch_size: int = BATCH_SIZE,
                 overall: Sequence[int | None] | None = None) -> list[Result]:
        """threshold: one probability for every category instead of the per-category ones
        chosen in training. overall: the customers' 1-5 survey scores (None where unknown),
        one per text."""
        originals = [checked_text(t) for t in texts]
        scores_given = list(overall) if overall is not None else [None] * len(originals)
        if len(scores_given) != len(originals):
            raise ValueError(f"{len(scores_given)} overall scores for {len(originals)} texts")
        results: list[Result] = []
        for start in range(0, len(originals), batch_size):
            batch = originals[start:start + batch_size]
            docs = self._docs(batch)
            results += [self._result(*row, threshold) for row in zip(
                batch, docs, score(self.nlp, docs), scores_given[start:start + batch_size])]
        return results

    def raw(self, texts: Iterable[str]) -> list[TextScores]:
        """The heads' probabilities for each text and its clauses, before any decision."""
        docs = self._docs([checked_text(t) for t in texts])
        return score(self.nlp, docs)

    def _docs(self, texts: Sequence[str]) -> list[Doc]:
        # Only the tokenizer and the rule layer run per Doc; the heads are read in one batch
        # for whole texts and clauses together (complaints.scoring).
        return [self.rules(self.nlp.make_doc(to_simplified(t))) for t in texts]

    def _result(self, text: str, doc: Doc, scored: TextScores, overall: int | None,
                threshold: float | None) -> Result:
        found = signals(doc)
        sentiment = self.decision.sentiment(scored.probs, overall)
        scores = scored.category_scores(self.decision.clauses)
        return Result(
            text=text,
            categories=self.decision.categories(scores, sentiment, threshold),
            scores=scores,
            sentiment=sentiment,
            severity=self.decision.severity(scored.probs, sentiment, found),
            signals=found,
        )


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> ComplaintClassifier:
    """The classifier in `path` (default models/complaints/), loaded once per path."""
    model_dir = path or MODEL_DIR
    if not (model_dir / "config.cfg").exists():
        raise ModelMissing(f"no complaint model in {model_dir}: run `huifang models build` "
                           "(or `python -m complaints.training`)")
    return ComplaintClassifier(spacy.load(model_dir), Decision.load(model_dir))


def classify(texts: Sequence[object], threshold: float | None = None,
             overall: Sequence[int | None] | None = None) -> list[Result]:
    """Classify texts with the default model (batched through nlp.pipe); `overall` holds the
    customers' survey scores where known."""
    return load().classify(texts, threshold, overall=overall)
