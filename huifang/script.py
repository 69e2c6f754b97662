"""Simplified and Traditional Chinese: the one place the app converts between the two scripts
(OpenCC) and tells which one a customer writes.

The customer-facing texts are written once in Simplified and rendered in Traditional for
customers who write it: in Taiwan's standard forms and wording (OpenCC s2twp: 為, 裡, 訊息,
聯絡), or in Hong Kong's forms (s2hk: 為, 裏, 説) for customers who write Cantonese.
OpenCC's plain s2t gives neither region's forms (爲, 覈, 纔). Everything read is converted to
Simplified before it is understood. The Rasa-side NLU component
(nlu_components/traditional_to_simplified.py) keeps its own converter because it runs in the
Rasa virtualenv, which cannot import this package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import opencc
from opencc import OpenCC

from huifang.db.models import Locale

SIMPLIFIED = Locale.SIMPLIFIED
TRADITIONAL = Locale.TRADITIONAL
TRADITIONAL_HK = Locale.TRADITIONAL_HK
# Characters of written Cantonese that standard written Chinese does not use (係 is not one:
# 關係 is standard): a Traditional writer using them reads Hong Kong's forms.
CANTONESE = frozenset("咗嘅唔冇喺啲嚟佢嘢嗰睇噉咩哋嘥攞揾搵冧")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=2)
def _s2t(region: Locale) -> OpenCC:
    return OpenCC("s2hk" if region == TRADITIONAL_HK else "s2twp")


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


# s2twp's IT vocabulary where everyday Taiwanese usage says otherwise ("綁定信用卡", "優化流程").
TAIWAN_EVERYDAY = {"繫結": "綁定", "最佳化": "優化"}


def to_traditional(text: str, region: Locale = TRADITIONAL) -> str:
    converted = _s2t(region).convert(text)
    if region == TRADITIONAL:
        for technical, everyday in TAIWAN_EVERYDAY.items():
            converted = converted.replace(technical, everyday)
    return converted


def writes_traditional(text: str | None) -> bool:
    """Whether `text` has Traditional characters (or phrases) that Simplified writes otherwise."""
    return text is not None and to_simplified(text) != text


def is_traditional(script: Locale | str | None) -> bool:
    return script in (TRADITIONAL, TRADITIONAL_HK)


def script_of(text: str | None, current: Locale | str | None = None) -> Locale:
    """Traditional as soon as someone writes Traditional, in Hong Kong's forms once a
    Traditional writer writes Cantonese ("搞掂咗" has no Traditional character of its own; a
    Simplified writer of Cantonese stays Simplified); else the script they had (`current`),
    Simplified for someone new."""
    writes = writes_traditional(text)
    if (writes or is_traditional(current)) and (
            current == TRADITIONAL_HK or not CANTONESE.isdisjoint(text or "")):
        return TRADITIONAL_HK
    if writes:
        return TRADITIONAL
    return Locale(current) if current else SIMPLIFIED


def rendered(text: str, script: Locale | str | None) -> str:
    """A Simplified text as a reader of `script` reads it."""
    return to_traditional(text, Locale(script)) if is_traditional(script) else text
