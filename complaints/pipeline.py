"""Load the trained pipeline and classify texts.

Design (config in complaints/config.cfg): `spacy.blank("zh")` with the jieba tokenizer and the
project's user dictionaries (complaints.tokenizer), then three linear heads over word and
character n-grams — `categories` (textcat_multilabel over the nine codes), `sentiment`
(negative / mixed / neutral / positive) and `severity` (exclusive heads). Character n-grams
matter for Chinese: customers write 贵得离谱 / 太贵了 / 收费贵, which jieba splits differently
but which share 贵. complaints.decision turns the probabilities into labels: categories only
when the text complains (praise of an aspect is no complaint about it), per-category
thresholds chosen on the dev split, and the customer's overall score where it is known.

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
from complaints.clauses import category_scores
from complaints.decision import Decision
from complaints.labels import CATEGORIES, COMPLAINING
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
        nlp("预热")  # build jieba's prefix dictionary now, not on the first customer's text

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
        docs = self._docs(originals, batch_size)
        scores = self._category_scores(docs, self.decision.clauses)
        return [self._result(*row, threshold)
                for row in zip(originals, docs, scores, scores_given)]

    def raw(self, texts: Iterable[str], clauses: bool, batch_size: int = BATCH_SIZE
            ) -> list[dict[str, float]]:
        """The heads' probabilities for each text before any decision (doc.cats; category
        scores from the clauses too when `clauses`)."""
        docs = self._docs([checked_text(t) for t in texts], batch_size)
        return [{**doc.cats, **scores}
                for doc, scores in zip(docs, self._category_scores(docs, clauses))]

    def _docs(self, texts: Sequence[str], batch_size: int) -> list[Doc]:
        return list(self.nlp.pipe((to_simplified(t) for t in texts), batch_size=batch_size))

    def _category_scores(self, docs: list[Doc], clauses: bool) -> list[dict[str, float]]:
        if clauses:
            return category_scores(self.nlp, docs)
        return [{code: float(doc.cats[code]) for code in CATEGORIES} for doc in docs]

    def _result(self, text: str, doc: Doc, scores: dict[str, float], overall: int | None,
                threshold: float | None) -> Result:
        found = signals(doc)
        sentiment = self.decision.sentiment(doc.cats, overall)
        return Result(
            text=text,
            categories=self.decision.categories(scores, sentiment, threshold),
            scores=scores,
            sentiment=sentiment,
            severity=self.decision.severity(doc.cats, sentiment, found),
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
