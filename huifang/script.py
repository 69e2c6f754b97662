"""Simplified and Traditional Chinese: the one place the app converts between the two scripts
(OpenCC) and tells which one a customer writes.

The customer-facing texts are written once in Simplified and rendered in Traditional for
customers who write it; everything read is converted to Simplified before it is understood.
The Rasa-side NLU component (nlu_components/traditional_to_simplified.py) keeps its own
converter because it runs in the Rasa virtualenv, which cannot import this package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import opencc
from opencc import OpenCC

from huifang.db.models import Locale

SIMPLIFIED = Locale.SIMPLIFIED
TRADITIONAL = Locale.TRADITIONAL


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> OpenCC:
    return OpenCC("s2t")


@lru_cache(maxsize=1)
def _convertible() -> frozenset[str]:
    """The Traditional characters t2s converts. A text with none of them comes out of the
    conversion unchanged, except for two phrases of 沈 (沈船, 沈默), kept here by hand."""
    table = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    lines = table.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("\t", 1)[0] for line in lines if line) | {"沈"}


def to_simplified(text: str) -> str:
    """`text` in Simplified Chinese (returned as is when there is nothing to convert)."""
    # The pure-Python converter costs ~0.1 ms a text; most texts are Simplified already.
    if _convertible().isdisjoint(text):
        return text
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def writes_traditional(text: str | None) -> bool:
    """Whether `text` has Traditional characters (or phrases) that Simplified writes otherwise."""
    return text is not None and to_simplified(text) != text


def script_of(text: str | None, current: Locale | str | None = None) -> Locale:
    """Traditional as soon as someone writes Traditional; else the script they had
    (`current`), Simplified for someone new."""
    if writes_traditional(text):
        return TRADITIONAL
    return Locale(current) if current else SIMPLIFIED


def rendered(text: str, script: Locale | str | None) -> str:
    """A Simplified text as a reader of `script` reads it."""
    return to_traditional(text) if script == TRADITIONAL else text
