"""Cells that a spreadsheet will show as text, never run as a formula (CSV/formula injection).

Every CSV and Excel export passes its cells through `formula_safe`: customer comments, agent
and branch names come from outside and must not become `=HYPERLINK(...)` in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_PREFIX = "'"


def formula_safe(value: Any) -> Any:
    """A text cell that would start a formula gets a leading apostrophe; numbers, dates and
    other text pass unchanged (a negative number stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + value
    return value


def formula_safe_row(values: Iterable[Any]) -> list[Any]:
    return [formula_safe(v) for v in values]
