"""Where a text is cut into clauses: at punctuation and at contrast words (但是, 不过, 就是 …).

A linear model over a whole text lets one strong aspect crowd out another
("等了两个小时，客服态度也很差" scores attitude 0.28 as a whole, 0.54 for its second clause),
and praise in one clause hides a complaint in the next. So each clause is also scored on its own
(complaints.scoring), and each clause contributes its own cue features (complaints.cues).

Cuts are found in the text with one regular expression; a contrast word counts only where a
token starts (so 但 inside 不但 does not cut). Iterating spaCy Tokens instead cost more than
the three heads together.
"""

from __future__ import annotations

import re
from collections.abc import Collection

PUNCTUATION = "，,。.!！?？;；~～、…：:\n\t "
CONTRAST = ("但是", "但", "不过", "可是", "可惜", "就是", "只是", "然而", "而且", "另外", "还有",
            "结果", "却", "但係", "唯一", "除了", "虽然", "虽说", "尽管", "就係")
_CUTS = re.compile(f"(?P<punct>[{re.escape(PUNCTUATION)}]+)|(?P<contrast>"
                   + "|".join(sorted(CONTRAST, key=len, reverse=True)) + ")")


def clause_bounds(text: str, token_starts: Collection[int]) -> list[tuple[int, int]]:
    """(start, end) character offsets of the clauses of text, in order; a contrast word
    starts the clause it introduces. A text without any cut is one clause; punctuation is in
    none."""
    bounds, start = [], 0
    for match in _CUTS.finditer(text):
        if match.lastgroup == "contrast" and match.start() not in token_starts:
            continue
        if match.start() > start:
            bounds.append((start, match.start()))
        start = match.end() if match.lastgroup == "punct" else match.start()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds
