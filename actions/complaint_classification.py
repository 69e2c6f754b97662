"""The bridge from the conversation to the complaint classifier (complaints package)."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from actions.replies import APOLOGY_BY_CATEGORY, TEXTS
from huifang.survey_answers import Classification


@lru_cache
def _classifier():  # type: ignore[no-untyped-def]
    import complaints

    complaints.load()
    return complaints.classify


async def classify_text(text: str) -> Classification:
    def run() -> Classification:
        result = _classifier()([text])[0]
        return Classification(categories=list(result.categories), scores=dict(result.scores),
                              sentiment=result.sentiment, severity=result.severity)

    return await asyncio.to_thread(run)


def apology_for(categories: list[str], severity: str) -> str:
    """An apology that fits what the customer said: the first matching category's sentence."""
    sentences = [APOLOGY_BY_CATEGORY[c] for c in categories if c in APOLOGY_BY_CATEGORY][:2]
    if not sentences:
        sentences = [APOLOGY_BY_CATEGORY["other"]]
    if severity == "high":
        sentences.append(TEXTS["urgent_follow_up"])
    return "".join(sentences)
