"""Comparing a secret someone sent (a header, a form field) with the expected one.

`hmac.compare_digest` raises TypeError for a `str` with non-ASCII characters, which turned a
header such as `Authorization: Bearer 令牌` into a 500; both sides are compared as UTF-8 bytes
instead, in time independent of where they differ.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable


def _utf8(text: str) -> bytes:
    # surrogatepass: a lone surrogate (possible in decoded JSON) must not raise either
    return text.encode("utf-8", "surrogatepass")


def same_secret(given: str | None, expected: str) -> bool:
    """True if `given` equals `expected`; never raises for any text (None or "" is False)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(_utf8(given), _utf8(expected))


def matches_any(given: str | None, expected: Iterable[str]) -> bool:
    """`given` against every expected value (no early exit, so the time does not tell which)."""
    results = [same_secret(given, candidate) for candidate in expected]
    return any(results)
