"""Clause-level category scores: what each complaining clause of a text is about.

A linear model over a whole text lets one strong aspect crowd out another
("等了两个小时，客服态度也很差" scores attitude 0.28 as a whole, 0.54 for its second clause).
A text is cut into clauses at punctuation and at contrast words (但是, 不过, 就是 …); each clause
goes through the categories and sentiment heads again, and a category's score becomes the
highest of the whole text and of its *complaining* clauses — a praising clause ("收费也合理")
adds nothing, so praise of an aspect still gives no category. Whether this is used at all is
decided on the dev split (Decision.clauses).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from complaints.labels import CATEGORIES, COMPLAINING, SENTIMENTS

PUNCTUATION = set("，,。.!！?？;；~～、…：: \n")
CONTRAST = {"但是", "但", "不过", "可是", "可惜", "就是", "只是", "然而", "而且", "另外", "还有",
            "结果", "却", "不过呢", "但係", "不過", "可是呢"}
HEADS = ("categories", "sentiment")


def clause_docs(doc: Doc) -> list[Doc]:
    """The clauses of doc as Docs of their own (none when the text is one clause)."""
    spans, start = [], 0
    for token in doc:
        if set(token.text) <= PUNCTUATION or token.text in CONTRAST:
            if token.i > start:
                spans.append(doc[start:token.i])
            start = token.i + (0 if token.text in CONTRAST else 1)
    if start < len(doc):
        spans.append(doc[start:])
    spans = [s for s in spans if not set(s.text) <= PUNCTUATION]
    if len(spans) < 2:
        return []
    # The heads read only the words and the text: a plain Doc is much cheaper than as_doc().
    return [Doc(doc.vocab, words=[t.text for t in span],
                spaces=[bool(t.whitespace_) for t in span]) for span in spans]


def category_scores(nlp: Language, docs: Sequence[Doc]) -> list[dict[str, float]]:
    """Per doc: each category's highest probability over the text and its complaining
    clauses."""
    pieces = [clause_docs(doc) for doc in docs]
    flat = [clause for clauses in pieces for clause in clauses]
    for name in HEADS:
        flat = list(nlp.get_pipe(name).pipe(flat))
    results, position = [], 0
    for doc, clauses in zip(docs, pieces):
        complaining = [c for c in flat[position:position + len(clauses)]
                       if max(SENTIMENTS, key=lambda s: c.cats[s]) in COMPLAINING]
        position += len(clauses)
        results.append({code: max(float(c.cats[code]) for c in [doc, *complaining])
                        for code in CATEGORIES})
    return results
