"""Scores of the classifier on a labelled JSONL file (`huifang classify --evaluate FILE`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from complaints.dataset import LabelledText, read_labelled
from complaints.labels import CATEGORIES, CATEGORY_NAMES
from complaints.pipeline import DEFAULT_THRESHOLD, ComplaintClassifier, load


@dataclass(frozen=True)
class CategoryScore:
    code: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class Report:
    texts: int
    categories: list[CategoryScore]
    macro_f1: float
    sentiment_accuracy: float
    severity_accuracy: float
    high_recall: float | None
    high_precision: float | None
    high_support: int


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def category_score(code: str, gold: list[frozenset[str]], predicted: list[set[str]]
                   ) -> CategoryScore:
    tp = sum(code in g and code in p for g, p in zip(gold, predicted))
    support = sum(code in g for g in gold)
    made = sum(code in p for p in predicted)
    precision = tp / made if made else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CategoryScore(code, precision, recall, f1, support, made)


def evaluate(items: Sequence[LabelledText], classifier: ComplaintClassifier,
             threshold: float = DEFAULT_THRESHOLD) -> Report:
    results = classifier.classify([item.text for item in items], threshold)
    gold = [item.categories for item in items]
    predicted = [set(result.categories) for result in results]
    per_category = [category_score(code, gold, predicted) for code in CATEGORIES]
    # A code nobody used (no gold, no prediction) says nothing and is left out of the average.
    scored = [c for c in per_category if c.support or c.predicted]
    high_gold = [r.severity == "high" for item, r in zip(items, results) if item.severity == "high"]
    high_made = [i.severity == "high" for i, r in zip(items, results) if r.severity == "high"]
    return Report(
        texts=len(items),
        categories=per_category,
        macro_f1=sum(c.f1 for c in scored) / len(scored) if scored else 0.0,
        sentiment_accuracy=sum(i.sentiment == r.sentiment for i, r in zip(items, results))
        / len(items),
        severity_accuracy=sum(i.severity == r.severity for i, r in zip(items, results))
        / len(items),
        high_recall=_ratio(sum(high_gold), len(high_gold)),
        high_precision=_ratio(sum(high_made), len(high_made)),
        high_support=len(high_gold),
    )


def evaluate_file(path: Path, threshold: float = DEFAULT_THRESHOLD) -> Report:
    return evaluate(read_labelled(path), load(), threshold)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(report: Report, console: Console, title: str) -> None:
    table = Table(title=f"{title} — {report.texts} texts")
    for column in ("category", "名称", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column in ("category", "名称") else "right")
    for c in report.categories:
        table.add_row(c.code, CATEGORY_NAMES[c.code], _pct(c.precision), _pct(c.recall),
                      _pct(c.f1), str(c.support))
    console.print(table)
    console.print(f"macro-F1 (categories): {report.macro_f1:.3f}")
    console.print(f"sentiment accuracy:    {report.sentiment_accuracy:.3f}")
    console.print(f"severity accuracy:     {report.severity_accuracy:.3f}")
    console.print(f"high-severity recall:  {_pct(report.high_recall)} "
                  f"(precision {_pct(report.high_precision)}, {report.high_support} high texts)")
