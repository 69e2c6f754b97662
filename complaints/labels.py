"""The label sets the classifier predicts (codes are stored in the database and reports)."""

from __future__ import annotations

from huifang.complaint_categories import CATEGORY_NAMES

CATEGORIES: tuple[str, ...] = tuple(CATEGORY_NAMES)
# "mixed": praise and complaint in one text (先褒后贬, 虽然…但是…); its categories are the
# complained-about aspects. "none": no complaint and no suggestion.
SENTIMENTS: tuple[str, ...] = ("negative", "mixed", "neutral", "positive")
COMPLAINING: frozenset[str] = frozenset({"negative", "mixed"})
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "none")
