"""Score extraction on a held-out set written independently of the parser, from the same
rules (docs/score-reading.md): exact match must stay at or above 0.97."""

from __future__ import annotations

import yaml

from actions.answer_parsing import parse_score
from huifang.settings import PROJECT_ROOT

HELD_OUT = PROJECT_ROOT / "tests" / "data" / "score_expressions_heldout.yml"
EXACT_MATCH_MIN = 0.97


def test_exact_match_on_the_held_out_score_expressions() -> None:
    items = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))
    assert len(items) >= 300
    misses = [(i["text"], i["scale"], i["expected"], parse_score(i["text"], i["scale"]))
              for i in items if parse_score(i["text"], i["scale"]) != i["expected"]]
    exact = 1 - len(misses) / len(items)
    print(f"score extraction exact match {exact:.3f} on {len(items)} held-out expressions")
    assert exact >= EXACT_MATCH_MIN, misses
