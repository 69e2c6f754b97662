"""The labelled-text format of data/complaints/*.jsonl (see data/complaints/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from complaints.labels import CATEGORIES, SENTIMENTS, SEVERITIES


@dataclass(frozen=True)
class LabelledText:
    text: str
    categories: frozenset[str]
    sentiment: str
    severity: str

    @property
    def cats(self) -> dict[str, float]:
        """doc.cats for training: every label of every head, 1.0 for the gold ones."""
        gold = self.categories | {self.sentiment, self.severity}
        return {label: float(label in gold) for label in (*CATEGORIES, *SENTIMENTS, *SEVERITIES)}


def read_labelled(path: Path) -> list[LabelledText]:
    items = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            item = LabelledText(row["text"], frozenset(row["categories"]), row["sentiment"],
                                row["severity"])
            unknown = (item.categories - set(CATEGORIES)) | (
                {item.sentiment} - set(SENTIMENTS)) | ({item.severity} - set(SEVERITIES))
            if unknown or not item.text.strip():
                raise ValueError(f"{path.name}:{number}: empty text or unknown labels "
                                 f"{sorted(unknown)}")
            items.append(item)
    return items
