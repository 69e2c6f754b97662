"""The label sets the classifier predicts (codes are stored in the database and reports)."""

from __future__ import annotations

from huifang.complaint_categories import CATEGORY_NAMES

CATEGORIES: tuple[str, ...] = tuple(CATEGORY_NAMES)
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
