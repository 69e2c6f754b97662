"""From head probabilities to labels: aspect rule, thresholds, survey score, severity."""

from __future__ import annotations

from pathlib import Path

from complaints.decision import MAX_SCORE_ODDS, Decision, Scored, choose, overall_ratios
from complaints.labels import CATEGORIES, SENTIMENTS


def _cats(**values: float) -> dict[str, float]:
    return {**dict.fromkeys((*CATEGORIES, *SENTIMENTS, "high", "medium", "low", "none"), 0.0),
            **values}


def test_no_complaint_no_category() -> None:
    scores = _cats(price=0.9)
    assert Decision().categories(scores, "positive") == []
    assert Decision().categories(scores, "mixed") == ["price"]


def test_a_complaint_gets_at_least_its_best_category() -> None:
    assert Decision().categories(_cats(price=0.2, quality=0.3), "negative") == ["quality"]
    assert Decision().categories(_cats(price=0.2), "negative", threshold=0.5) == []


def test_per_category_thresholds() -> None:
    decision = Decision(thresholds={**dict.fromkeys(CATEGORIES, 0.5), "price": 0.2})
    assert decision.categories(_cats(price=0.3, quality=0.4, attitude=0.6), "negative") == [
        "attitude", "price"]


def test_the_overall_score_moves_a_close_call() -> None:
    ratios = overall_ratios([(5, "positive")] * 8 + [(1, "negative")] * 8 + [(3, "mixed")] * 4)
    decision = Decision(overall_weight=1.0, overall_ratio=ratios)
    close = _cats(negative=0.45, positive=0.4, mixed=0.15)
    assert decision.sentiment(close, None) == "negative"
    assert decision.sentiment(close, 5) == "positive"
    assert decision.sentiment(close, 1) == "negative"
    assert Decision().sentiment(close, 5) == "negative"  # weight 0: the score is ignored


def test_the_overall_score_never_vetoes_a_plain_text() -> None:
    """Training texts next to a 4 are almost never all-negative, but a customer who gives 4
    can still write a plain complaint: the score's odds are bounded, so a confident reading of
    the text wins ("前台态度很冷淡" with a 4 stays negative)."""
    ratios = overall_ratios([(4, "positive")] * 200 + [(4, "mixed")] * 200
                            + [(1, "negative")] * 200)
    assert all(1 / MAX_SCORE_ODDS <= r <= MAX_SCORE_ODDS
               for by_score in ratios.values() for r in by_score.values())
    plain = _cats(negative=0.98, mixed=0.01, positive=0.01)
    assert Decision(overall_weight=1.5, overall_ratio=ratios).sentiment(plain, 4) == "negative"


def test_severity_follows_rules_then_sentiment() -> None:
    probs = _cats(none=0.6, medium=0.3, low=0.1)
    assert Decision().severity(probs, "negative", []) == "medium"
    assert Decision().severity(probs, "positive", []) == "none"
    assert Decision().severity(probs, "negative", ["safety:漏电"]) == "high"
    assert Decision().severity(probs, "neutral", ["repeat:又坏"]) == "high"
    # praise may mention a settled refund or risk; a threat to go outside is never praise
    assert Decision().severity(probs, "positive", ["refund:退款"]) == "none"
    assert Decision().severity(probs, "positive", ["external:12315"]) == "high"


def test_a_complaint_is_high_from_the_chosen_probability() -> None:
    """A missed high text is the costly mistake: a complaint whose high probability reaches
    `high_from` is high even when medium is likelier; praise never is."""
    probs = _cats(medium=0.6, high=0.3, low=0.1, none=0.0)
    assert Decision().severity(probs, "negative", []) == "medium"
    assert Decision(high_from=0.25).severity(probs, "negative", []) == "high"
    assert Decision(high_from=0.25).severity(probs, "mixed", []) == "high"
    assert Decision(high_from=0.25).severity(_cats(none=0.6, high=0.3), "positive", []) == "none"


def test_choose_lowers_the_high_cut_while_it_finds_more_high_texts() -> None:
    def text(high: float, gold: str) -> Scored:
        return Scored(_cats(negative=0.9, medium=1 - high, high=high), _cats(price=0.9), None,
                      "negative", frozenset({"price"}), gold, ())

    # two high texts the argmax misses (0.3, 0.2), one medium text just below them (0.12):
    # F2 (recall weighs double) is best at 0.2
    dev = [text(0.3, "high"), text(0.2, "high"), text(0.12, "medium"), text(0.05, "medium"),
           text(0.8, "high")]
    assert choose(dev, {}).high_from == 0.2
    # never at or below the share of high texts among the training complaints: the head gives
    # about that much to a plain complaint
    assert choose(dev, {}, high_share=0.26).high_from == 0.3
    assert choose(dev, {}, high_share=0.3).high_from == 1.0  # above 0.3 no cut finds more
    # a rule signal already makes a text high: no need to lower the cut for it
    ruled = [Scored(d.probs, d.scores, None, "negative", d.categories, d.severity,
                    ("safety:漏电",) if d.severity == "high" else ()) for d in dev]
    assert choose(ruled, {}).high_from == 1.0


def test_other_is_a_fallback_next_to_named_aspects() -> None:
    scores = _cats(price=0.8, other=0.7)
    assert Decision(other_keep=0.9).categories(scores, "negative") == ["price"]
    assert Decision(other_keep=0.6).categories(scores, "negative") == ["price", "other"]
    assert Decision(other_keep=0.9).categories(_cats(other=0.7), "negative") == ["other"]


def test_choose_picks_thresholds_that_fit_the_dev_texts() -> None:
    dev = [Scored(_cats(negative=0.9), _cats(price=p), None, "negative",
                  frozenset({"price"} if gold else {"quality"}), "medium", ())
           for p, gold in [(0.35, True), (0.45, True), (0.25, False), (0.1, False)]]
    decision = choose(dev, {})
    assert decision.thresholds["price"] == 0.3
    assert decision.overall_weight == 0.0


def test_saved_and_loaded(tmp_path: Path) -> None:
    decision = Decision(thresholds={**dict.fromkeys(CATEGORIES, 0.5), "other": 0.3},
                        overall_weight=0.5, overall_ratio=overall_ratios([(4, "positive")]),
                        clauses=True, other_keep=0.8, high_from=0.3)
    decision.save(tmp_path)
    assert Decision.load(tmp_path) == decision
    assert Decision.load(tmp_path / "missing") == Decision()


def test_overall_ratios_cover_the_five_scores() -> None:
    ratios = overall_ratios([(3, "neutral"), (3, "neutral"), (5, "positive")])
    assert set(ratios) == {"1", "2", "3", "4", "5"}
    assert ratios["3"]["neutral"] > 1 > ratios["3"]["positive"]
    assert overall_ratios([]) == {}
