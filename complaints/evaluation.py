"""Scores of the classifier on labelled texts (`huifang classify --evaluate [FILE]`): JSON lines
in the data/complaints format or the independent test set's format, or a hand-written TSV.
Without FILE: the standard sets, each labelled with what it is (STANDARD_SETS).

Reported: per-category precision/recall/F1 and their macro average, a category confusion table
(for each gold category, which categories were predicted on those texts), the 4-way sentiment
accuracy with its confusion matrix, negative-vs-not accuracy (negative or mixed against the
rest), severity accuracy and high-severity recall. Where a text carries the customer's overall
score, it is passed to the classifier, as the conversation does.

`huifang classify --evaluate --agreement` scores, the same way, a second annotator's blind
labels of dev texts against the first (SECOND_ANNOTATIONS).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.table import Table

from complaints.dataset import LabelledText, read_labelled
from complaints.labels import CATEGORIES, CATEGORY_NAMES, COMPLAINING, SENTIMENTS
from complaints.pipeline import ComplaintClassifier, load
from complaints.training import AUTHORS_DEV_FILE, DEV_FILE, GENERATOR_TEST, OUTSIDE_DEV_FILE
from huifang.settings import PROJECT_ROOT

NO_CATEGORY = "(none)"
# Written by an author who never saw the training data; read only to report, never to choose.
INDEPENDENT = PROJECT_ROOT / "tests" / "independent" / "complaints.jsonl"
STANDARD_SETS: list[tuple[str, Path]] = [
    ("generator split: template texts, clause realisations unseen in training", GENERATOR_TEST),
    ("hand-written dev split: used for choices", DEV_FILE),
    ("authors dev set: a fifth of each outside author's texts, used for choices",
     AUTHORS_DEV_FILE),
    ("outside dev set: the former independent set, used for choices, never trained on",
     OUTSIDE_DEV_FILE),
    ("independent set: never used for any choice", INDEPENDENT),
]
# Dev texts labelled a second time, blind (data/dev/second-annotation/README.md): how far two
# people applying the labelling guide agree, the ceiling a model can be held to.
SECOND_ANNOTATION_DIR = PROJECT_ROOT / "data" / "dev" / "second-annotation"
SECOND_ANNOTATIONS: list[tuple[str, Path, Path]] = [
    ("outside dev set", OUTSIDE_DEV_FILE, SECOND_ANNOTATION_DIR / "outside-dev.tsv"),
    ("authors dev set, 400 texts drawn at random", AUTHORS_DEV_FILE,
     SECOND_ANNOTATION_DIR / "authors-dev-sample.tsv"),
]


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
    negative_accuracy: float
    severity_accuracy: float
    high_recall: float | None
    high_precision: float | None
    high_support: int
    # gold sentiment → predicted sentiment → texts
    sentiment_confusion: dict[str, dict[str, int]]
    # gold category (or "(none)") → predicted category (or "(none)") → texts
    category_confusion: dict[str, dict[str, int]]


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


def confusion(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
              ) -> dict[str, dict[str, int]]:
    table = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted):
        table[g][p] += 1
    return table


def category_confusion(gold: list[frozenset[str]], predicted: list[set[str]]
                       ) -> dict[str, dict[str, int]]:
    """Texts with gold category g (row) on which category p (column) was predicted; the
    "(none)" row and column hold texts without any gold / predicted category."""
    labels = [*CATEGORIES, NO_CATEGORY]
    table = {g: dict.fromkeys(labels, 0) for g in labels}
    for g_set, p_set in zip(gold, predicted):
        for g in g_set or {NO_CATEGORY}:
            for p in p_set or {NO_CATEGORY}:
                table[g][p] += 1
    return table


class Labels(Protocol):
    """What is scored against the gold labels: a classifier's Result or another annotator's
    LabelledText."""

    @property
    def categories(self) -> Collection[str]: ...

    @property
    def sentiment(self) -> str: ...

    @property
    def severity(self) -> str: ...


def evaluate(items: Sequence[LabelledText], classifier: ComplaintClassifier,
             threshold: float | None = None) -> Report:
    return compare(items, classifier.classify([item.text for item in items], threshold,
                                              overall=[item.overall for item in items]))


def compare(items: Sequence[LabelledText], results: Sequence[Labels]) -> Report:
    """results[i] scored against items[i]'s gold labels."""
    gold = [item.categories for item in items]
    predicted = [set(result.categories) for result in results]
    per_category = [category_score(code, gold, predicted) for code in CATEGORIES]
    # A code nobody used (no gold, no prediction) says nothing and is left out of the average.
    scored = [c for c in per_category if c.support or c.predicted]
    high_gold = [r.severity == "high" for item, r in zip(items, results) if item.severity == "high"]
    high_made = [i.severity == "high" for i, r in zip(items, results) if r.severity == "high"]
    pairs = list(zip(items, results))
    return Report(
        texts=len(items),
        categories=per_category,
        macro_f1=sum(c.f1 for c in scored) / len(scored) if scored else 0.0,
        sentiment_accuracy=sum(i.sentiment == r.sentiment for i, r in pairs) / len(items),
        negative_accuracy=sum((i.sentiment in COMPLAINING) == (r.sentiment in COMPLAINING)
                              for i, r in pairs)
        / len(items),
        severity_accuracy=sum(i.severity == r.severity for i, r in pairs) / len(items),
        high_recall=_ratio(sum(high_gold), len(high_gold)),
        high_precision=_ratio(sum(high_made), len(high_made)),
        high_support=len(high_gold),
        sentiment_confusion=confusion([i.sentiment for i in items],
                                      [r.sentiment for r in results], SENTIMENTS),
        category_confusion=category_confusion(gold, predicted),
    )


def evaluate_file(path: Path, threshold: float | None = None) -> Report:
    return evaluate(read_labelled(path), load(), threshold)


def agreement(gold_path: Path, second_path: Path) -> Report:
    """A second annotator's labels (second_path, a sample of gold_path's texts labelled blind
    by the guide) scored against gold_path's, as if they were a model's."""
    gold = {item.text: item for item in read_labelled(gold_path)}
    second = read_labelled(second_path)
    unknown = [item.text for item in second if item.text not in gold]
    if unknown:
        raise ValueError(f"{second_path.name}: {len(unknown)} texts not in {gold_path.name}, "
                         f"first {unknown[0]!r}")
    return compare([gold[item.text] for item in second], second)


def render_agreement(console: Console) -> None:
    for title, gold_path, second_path in SECOND_ANNOTATIONS:
        render(agreement(gold_path, second_path), console,
               f"{title}: second annotator against {gold_path.relative_to(PROJECT_ROOT)}")


def render_standard_sets(console: Console, threshold: float | None = None) -> None:
    """Each standard set in full, then one summary table; a set whose file is absent is
    named as missing."""
    summary = Table(title="summary")
    for column in ("set", "texts", "macro-F1", "sentiment acc.", "negative-vs-not",
                   "high recall"):
        summary.add_column(column, justify="left" if column == "set" else "right")
    for title, path in STANDARD_SETS:
        if not path.exists():
            console.print(f"[yellow]{title}: {path} not found[/yellow]")
            summary.add_row(title, "-", "-", "-", "-", "-")
            continue
        report = evaluate_file(path, threshold)
        render(report, console, f"{title} ({path.relative_to(PROJECT_ROOT)})")
        summary.add_row(title, str(report.texts), _pct(report.macro_f1),
                        _pct(report.sentiment_accuracy), _pct(report.negative_accuracy),
                        f"{_pct(report.high_recall)} ({report.high_support})")
    console.print(summary)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _matrix(title: str, table: dict[str, dict[str, int]]) -> Table:
    columns = list(next(iter(table.values())))
    matrix = Table(title=title)
    matrix.add_column("gold \\ predicted")
    for column in columns:
        matrix.add_column(column, justify="right")
    for row, counts in table.items():
        matrix.add_row(row, *(str(counts[c]) for c in columns))
    return matrix


def render(report: Report, console: Console, title: str) -> None:
    table = Table(title=f"{title} — {report.texts} texts")
    for column in ("category", "名称", "precision", "recall", "F1", "support", "predicted"):
        table.add_column(column, justify="left" if column in ("category", "名称") else "right")
    for c in report.categories:
        table.add_row(c.code, CATEGORY_NAMES[c.code], _pct(c.precision), _pct(c.recall),
                      _pct(c.f1), str(c.support), str(c.predicted))
    console.print(table)
    console.print(_matrix("category confusion (texts)", report.category_confusion))
    console.print(_matrix("sentiment confusion", report.sentiment_confusion))
    console.print(f"macro-F1 (categories):     {report.macro_f1:.3f}")
    console.print(f"sentiment accuracy (4-way): {report.sentiment_accuracy:.3f}")
    console.print(f"negative-vs-not accuracy:  {report.negative_accuracy:.3f}")
    console.print(f"severity accuracy:         {report.severity_accuracy:.3f}")
    console.print(f"high-severity recall:      {_pct(report.high_recall)} "
                  f"(precision {_pct(report.high_precision)}, {report.high_support} high texts)")
