"""Traditional → Simplified before anything else, so 繁體 texts get the same answers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import opencc
from opencc import OpenCC



@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _convertible() -> frozenset[str]:
    """The Traditional characters t2s converts. A text with none of them comes out of the
    conversion unchanged, except for two phrases of 沈 (沈船, 沈默), kept here by hand."""
    table = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    lines = table.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("\t", 1)[0] for line in lines if line) | {"沈"}


def to_simplified(text: str) -> str:
    # The pure-Python converter costs ~0.1 ms a text; most texts are Simplified already.
    if _convertible().isdisjoint(text):
        return text
    return _converter().convert(text)
