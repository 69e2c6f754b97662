"""Texts cut to fit their column, in one place: a reason or an error that is longer than its
column must never make the write that records it fail (on PostgreSQL it would; SQLite would
store it whole)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

CUT_MARK = "…"
TEXT_LIMIT = 4000  # for unbounded (Text) columns: an error text must not grow without bound


def fit(column: InstrumentedAttribute[Any], text: str | None) -> str | None:
    """`text` cut to what `column` holds (its String length, else TEXT_LIMIT), marked with …"""
    if text is None:
        return None
    limit = getattr(column.type, "length", None) or TEXT_LIMIT
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK
