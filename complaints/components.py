"""Everything complaints/config.cfg refers to by name. Importing this module registers it all;
`python -m spacy train complaints/config.cfg --code complaints/components.py ...` does the same.

One Doc carries three heads in doc.cats: the nine multi-label category codes, and two
exclusive heads (sentiment, severity). spaCy's exclusive `textcat` insists that exactly one of
*all* doc.cats is 1.0, which no longer holds once several heads share a Doc, hence the small
subclass that checks only its own labels; each head's scorer prefixes its scores with the
head's name so they do not overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.errors import Errors
from spacy.language import Language
from spacy.pipeline.textcat import TextCategorizer
from spacy.scorer import Scorer
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model

from complaints import ngrams, severity_rules, tokenizer  # noqa: F401  (registers them)

Scores = dict[str, Any]


class HeadCategorizer(TextCategorizer):
    """Exclusive-class text categorizer that validates only its own labels in doc.cats."""

    def _validate_categories(self, examples: Iterable[Example]) -> None:
        own = set(self.labels)
        for example in examples:
            values = [v for k, v in example.reference.cats.items() if k in own]
            if values.count(1.0) > 1:
                raise ValueError(Errors.E895.format(value=example.reference.cats))


@Language.factory("complaints_head", assigns=["doc.cats"], default_score_weights={})
def make_head(nlp: Language, name: str, model: Model, threshold: float,
              scorer: Callable[..., Scores]) -> HeadCategorizer:
    return HeadCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


@registry.scorers("complaints.head_scorer.v1")
def make_head_scorer(prefix: str, multi_label: bool) -> Callable[..., Scores]:
    def score(examples: Iterable[Example], **settings: Any) -> Scores:
        scores = Scorer.score_cats(examples, "cats", labels=settings["labels"],
                                   multi_label=multi_label, threshold=settings.get("threshold"))
        return {prefix + key.removeprefix("cats"): value for key, value in scores.items()}

    return score
