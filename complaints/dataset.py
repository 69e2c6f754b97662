"""The labelled-text formats (see data/complaints/README.md): JSON lines (generator splits and
the independent test set) and the hand-written TSV files (text, categories, sentiment,
severity, overall, industry)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES


@dataclass(frozen=True)
class LabelledText:
    text: str
    categories: frozenset[str]
    sentiment: str
    severity: str
    overall: int | None = None  # the customer's 1-5 survey score, where known

    @property
    def cats(self) -> dict[str, float]:
        """doc.cats for training: every label of every head, 1.0 for the gold ones."""
        gold = self.categories | {self.sentiment, self.severity}
        return {label: float(label in gold) for label in (*CATEGORIES, *SENTIMENTS, *SEVERITIES)}


def _overall(value: Any) -> int | None:
    if value in (None, ""):
        return None
    score = int(value)
    if not 1 <= score <= 5:
        raise ValueError(f"overall must be 1-5, got {score}")
    return score


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        if path.suffix == ".tsv":
            return [{**row, "categories": list(filter(None, row["categories"].split(",")))}
                    for row in csv.DictReader(handle, delimiter="\t")]
        return [json.loads(line) if line.strip() else {} for line in handle]


def read_labelled(path: Path) -> list[LabelledText]:
    items = []
    for number, row in enumerate(_rows(path), 1):
        if not row:
            continue
        try:
            item = LabelledText(row["text"], frozenset(row["categories"]), row["sentiment"],
                                row["severity"], _overall(row.get("overall")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}:{number}: {exc!r}") from exc
        unknown = (item.categories - set(CATEGORIES)) | (
            {item.sentiment} - set(SENTIMENTS)) | ({item.severity} - set(SEVERITIES))
        if unknown or not item.text.strip():
            raise ValueError(f"{path.name}:{number}: empty text or unknown labels "
                             f"{sorted(unknown)}")
        items.append(item)
    return items
