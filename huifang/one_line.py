"""Outside text (a customer's words, names from the ticketing system or from Telegram) shown
inside a message to supervisors: one line, no control characters, so that nobody can add a line
of their own — a forged "控制台：https://…" link or a fake status under an alert."""

from __future__ import annotations

import re
import unicodedata

# Line and paragraph separators, and every control or format character except the zero-width
# joiner (U+200D, part of emoji sequences). Bidirectional overrides are format characters.
_BREAKING_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_KEPT = frozenset({"\u200d"})
_SPACES = re.compile(r"\s+")


def one_line(text: str | None, limit: int | None = None) -> str:
    """`text` with every line break and control character turned into one space, runs of
    white space collapsed, cut to `limit` characters (an ellipsis marks the cut)."""
    if not text:
        return ""
    cleaned = "".join(
        " " if unicodedata.category(ch) in _BREAKING_CATEGORIES and ch not in _KEPT else ch
        for ch in text)
    flat = _SPACES.sub(" ", cleaned).strip()
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat
