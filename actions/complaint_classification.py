"""The bridge from the conversation to the complaint classifier (complaints package)."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from actions.replies import APOLOGY_BY_CATEGORY
from huifang.operations import alert_operations
from huifang.survey_answers import Classification


@lru_cache
def _classifier():  # type: ignore[no-untyped-def]
    import complaints

    complaints.load()
    return complaints.classify


def warm_up() -> None:
    """Load the classifier, its tokenizer's dictionaries and the script converter now: the first
    customer answer after a start paid ~2 s for them. The action server calls this before it
    serves."""
    _classifier()(["服务很好", "服務很好"])


async def classify_text(text: str, overall: int | None = None) -> Classification | None:
    """`overall`: the customer's 1-5 survey score, where already given; the classifier weighs
    it as evidence about the sentiment (a text next to a 5 is rarely a pure complaint).
    None when the classifier fails: the answer is then kept unclassified, like a text it
    does not read, and operations are alerted (a bug in it must not cost the answer)."""
    def run() -> Classification:
        result = _classifier()([text], overall=[overall])[0]
        return Classification(categories=list(result.categories), scores=dict(result.scores),
                              sentiment=result.sentiment, severity=result.severity,
                              signals=list(result.signals))

    try:
        return await asyncio.to_thread(run)
    except Exception as exc:  # noqa: BLE001 (any failure of the model; alerted below)
        # the customer's words stay out of the log, also those an error message may quote:
        # only the error's type and the text's length
        alert_operations("complaint classifier failed",
                         f"{type(exc).__name__}; a {len(text)}-character answer was kept "
                         "unclassified")
        return None


def apology_for(categories: list[str]) -> str:
    """An apology that fits what the customer said: the sentences of its first two categories.
    (A promise of contact is never part of it: that is said only once an escalation exists.)"""
    sentences = [APOLOGY_BY_CATEGORY[c] for c in categories if c in APOLOGY_BY_CATEGORY][:2]
    return "".join(sentences or [APOLOGY_BY_CATEGORY["other"]])
