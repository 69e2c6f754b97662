"""From the heads' probabilities to labels: per-category thresholds, the survey score, and the
aspect rule (no complaint, no category).

The three heads are trained independently, so their answers can disagree ("收费也合理":
sentiment positive, but `price` scores high because price words mostly occur in complaints).
The sentiment head decides whether the text complains at all; only then are categories
reported. Categories are the aspects complained about, so a complaining text gets at least its
best-scoring one.

The customer's overall survey score, where known, is evidence about sentiment: texts written
next to a 5 are rarely pure complaints. The head's probabilities are multiplied by
(P(sentiment | score) / P(sentiment)) ** overall_weight, estimated on the training texts that
carry a score; the weight and the thresholds are chosen on the hand-written dev split
(training.py) and stored with the model as decision.json. The ratio is bounded (MAX_SCORE_ODDS):
the training texts pair scores and sentiments more tightly than customers do (almost no
all-negative text next to a 4), and a customer who gives 4 and then writes a plain complaint
has written a complaint: the score moves close calls (at most doubling or halving a
sentiment's odds before the weight), it never vetoes a confident reading of the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from complaints.labels import CATEGORIES, COMPLAINING, SENTIMENTS

FILE_NAME = "decision.json"
DEFAULT_THRESHOLD = 0.5
THRESHOLD_GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
WEIGHT_GRID = (0.0, 0.5, 1.0, 1.5)
OTHER_KEEP_GRID = (0.6, 0.7, 0.8, 0.9, 1.0)
# 1.0: high only where it is the likeliest complaint severity
HIGH_FROM_GRID = (1.0, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)
MAX_SCORE_ODDS = 2.0
COMPLAINT_SEVERITIES = ("high", "medium", "low")
CALM_SEVERITIES = ("low", "none")
# Signals that praise can mention as settled ("退款已经到账了", "之前漏电的问题修好了",
# "第三次来了，每次都满意"): in a positive text they do not make it high. A threat to go
# outside always does.
RESOLVABLE = ("refund:", "safety:", "repeat:")

Probabilities = Mapping[str, float]


@dataclass(frozen=True)
class Decision:
    thresholds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(CATEGORIES, DEFAULT_THRESHOLD))
    overall_weight: float = 0.0
    # score "1".."5" → sentiment → P(sentiment | score) / P(sentiment)
    overall_ratio: dict[str, dict[str, float]] = field(default_factory=dict)
    clauses: bool = False  # category scores from complaining clauses too (complaints.clauses)
    # `other` is the fallback for a complaint that names no aspect: next to another category
    # it is reported only from this score on (customers' threats and refund demands, which
    # also come alone, otherwise drag it into texts that do name an aspect).
    other_keep: float = 1.0
    # A complaint is high from this probability of `high` on, even when medium is likelier: a
    # missed high text (a threat, a hazard) is the costly mistake, so the cut is chosen on dev
    # by F2, which weighs recall twice.
    high_from: float = 1.0

    def sentiment(self, probs: Probabilities, overall: int | None) -> str:
        ratio = self.overall_ratio.get(str(overall), {}) if overall is not None else {}
        return max(SENTIMENTS,
                   key=lambda s: probs[s] * ratio.get(s, 1.0) ** self.overall_weight)

    def categories(self, scores: Probabilities, sentiment: str,
                   threshold: float | None = None) -> list[str]:
        if sentiment not in COMPLAINING:
            return []
        found = [code for code in CATEGORIES
                 if scores[code] >= (self.thresholds[code] if threshold is None else threshold)]
        if threshold is not None:
            return found
        if not found:
            return [max(CATEGORIES, key=scores.__getitem__)]
        if len(found) > 1 and "other" in found and scores["other"] < self.other_keep:
            found.remove("other")
        return found

    def severity(self, probs: Probabilities, sentiment: str, rule_signals: Sequence[str]) -> str:
        if any(sentiment != "positive" or not s.startswith(RESOLVABLE) for s in rule_signals):
            return "high"
        if sentiment not in COMPLAINING:
            return max(CALM_SEVERITIES, key=probs.__getitem__)
        if probs["high"] >= self.high_from:
            return "high"
        return max(COMPLAINT_SEVERITIES, key=probs.__getitem__)

    def save(self, directory: Path) -> None:
        (directory / FILE_NAME).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> Decision:
        path = directory / FILE_NAME
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(thresholds=data["thresholds"], overall_weight=data["overall_weight"],
                   overall_ratio=data["overall_ratio"], clauses=data["clauses"],
                   other_keep=data["other_keep"], high_from=data["high_from"])


def overall_ratios(pairs: Sequence[tuple[int, str]]) -> dict[str, dict[str, float]]:
    """P(sentiment | score) / P(sentiment), add-one smoothed, from (score, gold sentiment),
    bounded to [1 / MAX_SCORE_ODDS, MAX_SCORE_ODDS]."""
    if not pairs:
        return {}
    total = len(pairs)
    prior = {s: (sum(g == s for _, g in pairs) + 1) / (total + len(SENTIMENTS))
             for s in SENTIMENTS}
    ratios = {}
    for score in range(1, 6):
        golds = [g for o, g in pairs if o == score]
        ratios[str(score)] = {
            s: round(_bounded((golds.count(s) + 1) / (len(golds) + len(SENTIMENTS)) / prior[s]), 4)
            for s in SENTIMENTS}
    return ratios


def _bounded(ratio: float) -> float:
    return min(max(ratio, 1 / MAX_SCORE_ODDS), MAX_SCORE_ODDS)


@dataclass(frozen=True)
class Scored:
    """One dev text: the heads' probabilities on the whole text, its category scores, the
    gold labels and the rule layer's signals."""

    probs: Probabilities
    scores: Probabilities
    overall: int | None
    sentiment: str
    categories: frozenset[str]
    severity: str
    signals: tuple[str, ...]


def _f1(tp: int, made: int, support: int) -> float:
    return 2 * tp / (made + support) if made + support else 0.0


def macro_f1(decision: Decision, dev: Sequence[Scored]) -> float:
    """Macro-F1 over the categories that occur in dev (gold or predicted)."""
    made = [set(decision.categories(d.scores, decision.sentiment(d.probs, d.overall)))
            for d in dev]
    scores = []
    for code in CATEGORIES:
        support = sum(code in d.categories for d in dev)
        predicted = sum(code in m for m in made)
        if support or predicted:
            tp = sum(code in m and code in d.categories for m, d in zip(made, dev))
            scores.append(_f1(tp, predicted, support))
    return sum(scores) / len(scores) if scores else 0.0


def choose(dev: Sequence[Scored], ratios: dict[str, dict[str, float]],
           clauses: bool = False, high_share: float = 0.0) -> Decision:
    """The overall weight with the best dev sentiment accuracy, then per category the threshold
    with the best dev F1 (ties go to the one nearest 0.5: the dev split is small), then the
    score from which `other` is kept next to another category, by dev macro-F1, then the
    high-severity cut by F2 among the cuts above `high_share`.

    `high_share` is the share of high texts among the complaints the heads learnt from. The
    head gives about that probability to a complaint it reads nothing special in ("我要找真人
    客服", "还是响"); a cut at or below it would call such a plain complaint high on the head's
    word alone."""
    def accuracy(weight: float) -> float:
        decision = Decision(overall_weight=weight, overall_ratio=ratios)
        return sum(decision.sentiment(d.probs, d.overall) == d.sentiment for d in dev)

    weight = max(WEIGHT_GRID, key=lambda w: (accuracy(w), -w)) if ratios else 0.0
    base = Decision(overall_weight=weight, overall_ratio=ratios)
    complaining = [base.sentiment(d.probs, d.overall) in COMPLAINING for d in dev]
    thresholds = {}
    for code in CATEGORIES:
        support = sum(code in d.categories for d in dev)

        def f1(cut: float, code: str = code, support: int = support) -> float:
            made = [c and d.scores[code] >= cut for d, c in zip(dev, complaining)]
            tp = sum(m and code in d.categories for m, d in zip(made, dev))
            return _f1(tp, sum(made), support)

        thresholds[code] = max(THRESHOLD_GRID, key=lambda t: (f1(t), -abs(t - 0.5)))

    def with_other_keep(keep: float) -> Decision:
        return Decision(thresholds=thresholds, overall_weight=weight, overall_ratio=ratios,
                        clauses=clauses, other_keep=keep)

    # ties go to the highest: `other` next to an aspect stays the exception
    chosen = max((with_other_keep(k) for k in OTHER_KEEP_GRID),
                 key=lambda d: (macro_f1(d, dev), d.other_keep))
    # ties go to the highest cut: fewer texts called high on the model's word alone
    high_from = max((cut for cut in HIGH_FROM_GRID if cut > high_share), key=lambda cut: (
        high_f2(replace(chosen, high_from=cut), dev), cut))
    return replace(chosen, high_from=high_from)


def high_f2(decision: Decision, dev: Sequence[Scored]) -> float:
    made = [decision.severity(d.probs, decision.sentiment(d.probs, d.overall), d.signals)
            == "high" for d in dev]
    tp = sum(m and d.severity == "high" for m, d in zip(made, dev))
    support = sum(d.severity == "high" for d in dev)
    return 5 * tp / (4 * support + sum(made)) if support + sum(made) else 0.0
