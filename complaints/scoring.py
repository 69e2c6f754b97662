"""The heads' probabilities for whole texts and their clauses, in one batch per head.

A text's category score is the highest of the whole text and of its *complaining* clauses
(those whose own sentiment is negative or mixed): a second complaint surfaces ("等了两个小时，
客服态度也很差"), while a praising clause ("收费也合理") adds nothing, so praise of an aspect
still gives no category. The heads are read directly (complaints.ngrams.predict) instead of
through nlp.pipe: a clause needs no Doc of its own, and each text's keys are computed once
for all three heads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from complaints.labels import CATEGORIES, COMPLAINING
from complaints.ngrams import predict, text_keys

HEADS = ("categories", "sentiment", "severity")


@dataclass(frozen=True)
class TextScores:
    """probs: every label of every head on the whole text; clause_scores: each category's
    highest probability over the whole text and its complaining clauses."""

    probs: dict[str, float]
    clause_scores: dict[str, float]

    def category_scores(self, use_clauses: bool) -> dict[str, float]:
        return self.clause_scores if use_clauses else {c: self.probs[c] for c in CATEGORIES}


def score(nlp: Language, docs: Sequence[Doc]) -> list[TextScores]:
    keys = [text_keys(doc) for doc in docs]
    rows = [k.text for k in keys] + [c for k in keys for c in k.clauses]
    heads = {name: nlp.get_pipe(name) for name in HEADS}
    probabilities = {name: predict(head.model, rows) for name, head in heads.items()}
    labels = [label for head in heads.values() for label in head.labels]
    whole = numpy.hstack([probabilities[name][:len(docs)] for name in HEADS]).tolist()
    complaining = numpy.isin(probabilities["sentiment"].argmax(axis=1),
                             [heads["sentiment"].labels.index(s) for s in COMPLAINING])
    categories = probabilities["categories"] * complaining[:, None]
    category_order = [heads["categories"].labels.index(c) for c in CATEGORIES]
    results, position = [], len(docs)
    for i, k in enumerate(keys):
        best = categories[position:position + len(k.clauses)].max(axis=0, initial=0.0)
        position += len(k.clauses)
        best = numpy.maximum(best, probabilities["categories"][i])[category_order].tolist()
        results.append(TextScores(dict(zip(labels, whole[i])), dict(zip(CATEGORIES, best))))
    return results
