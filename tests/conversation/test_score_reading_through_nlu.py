"""Score extraction as the survey form does it: the real Rasa model tags a `score` span, then
`read_score` reads the customer's answer. The same held-out expressions as the parser's own
test, so a span the NLU cuts wrongly cannot lower the exact match unnoticed. Read on the
question's own scale, as the held-out file expects; conversion from other scales is tested in
tests/unit/test_scale_conversion.py."""

from __future__ import annotations

import httpx
import pytest
import yaml

from actions.answer_parsing import read_score
from tests.support.stack import RasaStack
from tests.unit.test_score_extraction_heldout import EXACT_MATCH_MIN, HELD_OUT

pytestmark = pytest.mark.rasa


def _score_span(stack: RasaStack, client: httpx.Client, text: str) -> str | None:
    response = client.post(f"{stack.rasa_url}/model/parse", params={"token": stack.token},
                           json={"text": text})
    response.raise_for_status()
    spans = [e["value"] for e in response.json()["entities"] if e["entity"] == "score"]
    return str(spans[0]) if spans else None


def test_exact_match_through_the_nlu_model(rasa_stack: RasaStack) -> None:
    items = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))
    with httpx.Client(timeout=30) as client:
        read = [(i, _score_span(rasa_stack, client, i["text"])) for i in items]
    got = [(i, span, read_score(i["text"], span, i["scale"], other_scales=False)) for i, span in read]
    misses = [(i["text"], span, i["expected"], score) for i, span, score in got
              if score != i["expected"]]
    exact = 1 - len(misses) / len(items)
    print(f"score extraction through the NLU: exact match {exact:.3f} on {len(items)}")
    assert exact >= EXACT_MATCH_MIN, misses
