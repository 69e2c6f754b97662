"""Query-string values from HTML forms, where an empty field means "no filter"."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def optional_str(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def optional_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def enum_or(kind: type[E], value: str | None, default: E) -> E:
    try:
        return kind(value) if value else default
    except ValueError:
        return default
