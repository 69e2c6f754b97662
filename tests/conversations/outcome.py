"""What a finished conversation is checked against: the properties every conversation must
have, and the outcome its YAML expects in the database and in the supervisors' chat."""

from __future__ import annotations

from typing import Any

from huifang.db.models import Priority
from huifang.escalations import Reason, priority_for
from huifang.labels import REASONS
from tests.conversations import reading
from tests.conversations.driver import (
    COMMENT_SKIPS,
    SKIP,
    CallbackState,
    Failure,
    Observed,
    says_any,
)
from tests.conversations.schema import ConversationSpec

MAX_ASKS = 2  # the question and at most one re-ask
MAX_DIMENSIONS = 2
# "none": a text kept as no complaint (migration 0004)
SEVERITY_RANK = {"none": -1, "low": 0, "medium": 1, "high": 2}


def check_properties(spec: ConversationSpec, observed: Observed, state: CallbackState
                     ) -> list[Failure]:
    failures: list[Failure] = []
    for key, times in observed.asked.items():
        if times > MAX_ASKS:
            failures.append(Failure("question asked a third time", f"{key} asked {times}×"))
    for message in observed.messages:
        leak = reading.leaks(message.text)
        if leak:
            failures.append(Failure("not polite Chinese", f"{leak}: {message.text!r}"))
        if message.traditional_expected and not reading.is_traditional(message.text):
            failures.append(Failure("Simplified text to a Traditional customer", message.text))
        if not message.traditional_expected and not reading.is_simplified(message.text):
            failures.append(Failure("Traditional text to a Simplified customer", message.text))
    failures += _skip_buttons(observed)
    labels = {m.question.label for m in observed.messages
              if m.question and m.question.kind == "dimension"}
    if len(labels) > MAX_DIMENSIONS:
        failures.append(Failure("more than two dimension ratings", ", ".join(sorted(labels))))
    if labels and state.overall == 5:
        failures.append(Failure("dimension asked after a 5", ", ".join(sorted(labels))))
    if len(state.escalations) > 1:
        failures.append(Failure("more than one escalation", f"{len(state.escalations)}"))
    return failures


def _skip_buttons(observed: Observed) -> list[Failure]:
    """Every question after the first offers 跳过 (the comment question may offer 没有了)."""
    failures, seen = [], set()
    for message in observed.messages:
        question = message.question
        if question is None or question.kind in ("overall", "confirm") or question.key in seen:
            continue
        seen.add(question.key)
        titles = {reading.simplified(b["title"]) for b in message.buttons}
        allowed = COMMENT_SKIPS if question.kind == "comment" else {SKIP}
        if not titles & allowed:
            failures.append(Failure("no skip button", f"{question.key}: {sorted(titles)}"))
    return failures


class _Findings:
    def __init__(self, where: str) -> None:
        self.where = where
        self.failures: list[Failure] = []

    def fail(self, cause: str, detail: str) -> None:
        self.failures.append(Failure(cause, f"{self.where}{detail}"))

    def compare_set(self, cause: str, got: set[str], expect: dict[str, Any], key: str) -> None:
        """`key`: exactly these; `key_include`: at least these; `key_exclude`: none of these."""
        if key in expect and got != set(expect[key]):
            self.fail(cause, f"{sorted(got)}, expected {sorted(expect[key])}")
        missing = set(expect.get(f"{key}_include", [])) - got
        if missing:
            self.fail(cause, f"{sorted(got)} lack {sorted(missing)}")
        extra = set(expect.get(f"{key}_exclude", [])) & got
        if extra:
            self.fail(cause, f"{sorted(got)} include {sorted(extra)}")


def check_expectations(expect: dict[str, Any], observed: Observed, state: CallbackState,
                       alerts: list[str], where: str = "") -> list[Failure]:
    found = _Findings(where)
    fail = found.fail
    if "status" in expect and state.status.value != expect["status"]:
        fail("callback status", f"{state.status.value}, expected {expect['status']}")
    for key in ("overall", "solved", "nps", "comment"):
        if key in expect and getattr(state, key) != expect[key]:
            fail(f"{key} stored", f"{getattr(state, key)!r}, expected {expect[key]!r}")
    if "comment_contains" in expect and expect["comment_contains"] not in (state.comment or ""):
        fail("comment stored", f"{state.comment!r} lacks {expect['comment_contains']!r}")
    if "dimensions" in expect:
        wanted = expect["dimensions"] or {}
        got = {k: v for k, v in state.dimensions.items() if not wanted or k in wanted}
        if got != wanted:
            fail("dimension ratings stored", f"{state.dimensions}, expected {wanted}")
    _complaints(expect, state, found)
    _escalation(expect.get("escalation", ...), observed, state, alerts, found)
    for key in ("opted_out", "wrong_person"):
        if key in expect and getattr(state, key) != expect[key]:
            fail(key.replace("_", " "), f"{getattr(state, key)}, expected {expect[key]}")
    for kind in expect.get("asked", []):
        if kind not in observed.kinds_asked:
            fail("question not asked", kind)
    for kind in expect.get("not_asked", []):
        if kind in observed.kinds_asked:
            fail("asked what the customer already said", kind)
    if "max_taps" in expect and len(observed.turns) > expect["max_taps"]:
        fail("too many messages to finish", f"{len(observed.turns)} > {expect['max_taps']}")
    said = "\n".join(reading.simplified(m.text) for m in observed.messages)
    for item in expect.get("replies_include", []):
        if not says_any(item, said):
            fail("reply lacks what it should say", f"none of {item} said")
    for banned in expect.get("replies_exclude", []):
        if reading.simplified(banned) in said:
            fail("reply says what it should not", repr(banned))
    return found.failures


def _complaints(expect: dict[str, Any], state: CallbackState, found: _Findings) -> None:
    categories: set[str] = set().union(*(c["categories"] for c in state.complaints))
    found.compare_set("complaint categories", categories, expect, "categories")
    if expect.get("complaints") == "none":
        negative = [c["text"] for c in state.complaints
                    if c["sentiment"] == "negative" or c["categories"]]
        if negative:
            found.fail("non-complaint stored as a complaint", f"{negative}")
    sentiments = [c["sentiment"] for c in state.complaints]
    if "sentiment" in expect and expect["sentiment"] not in sentiments:
        found.fail("sentiment", f"{sentiments}, expected {expect['sentiment']}")
    if "severity" in expect:
        worst = max((c["severity"] for c in state.complaints), key=SEVERITY_RANK.__getitem__,
                    default=None)
        if worst != expect["severity"]:
            found.fail("severity", f"{worst}, expected {expect['severity']}")


def _escalation(expected: Any, observed: Observed, state: CallbackState, alerts: list[str],
                found: _Findings) -> None:
    """`...`: not stated, only the alert rule is checked; "none"/None: no escalation and no
    alert; a mapping: one escalation as described, alerted."""
    if expected is not ... and expected in (None, "none"):
        if state.escalations:
            e = state.escalations[0]
            found.fail("unexpected escalation", f"{e.reasons} ({e.priority.value})")
        if alerts:
            found.fail("unexpected supervisor alert", alerts[0].splitlines()[0])
        return
    if isinstance(expected, dict):
        if not state.escalations:
            found.fail("no escalation", f"expected {expected}")
        else:
            _described(expected, state.escalations[0], observed, found)
    if not state.escalations and alerts:
        found.fail("alert without an escalation", alerts[0].splitlines()[0])
    _alerted(state, alerts, found)


def _described(expected: dict[str, Any], escalation: Any, observed: Observed,
               found: _Findings) -> None:
    found.compare_set("escalation reasons", set(escalation.reasons), expected, "reasons")
    if "priority" in expected and escalation.priority.value != expected["priority"]:
        found.fail("escalation priority",
                   f"{escalation.priority.value}, expected {expected['priority']}")
    if "opened_at" in expected and observed.escalation_opened_at != expected["opened_at"]:
        found.fail("escalation not opened when the trigger appeared",
                   f"opened after {observed.escalation_opened_at}, expected after "
                   f"{expected['opened_at']}")


def _alerted(state: CallbackState, alerts: list[str], found: _Findings) -> None:
    """Each escalation is alerted, and an alert names the reason that set its priority (a
    later reason that raises the priority is alerted again)."""
    for escalation in state.escalations:
        about = [a for a in alerts if f"#{escalation.id}" in a]
        if not about:
            found.fail("no supervisor alert",
                       f"escalation #{escalation.id} {escalation.reasons}")
            continue
        reasons = [Reason(r) for r in escalation.reasons if r in {x.value for x in Reason}]
        top = [r for r in reasons if priority_for([r]) == Priority(escalation.priority)]
        named = "\n".join(line for a in about for line in a.splitlines()
                          if line.startswith("原因"))
        for reason in top:
            if REASONS[reason] not in named:
                found.fail("alert does not name the reason",
                           f"{REASONS[reason]} not in {named!r}")


def check_walk_away(spec: ConversationSpec, observed: Observed) -> list[Failure]:
    if spec.walk_away is None or observed.walk_away_state is None:
        return []
    snapshot = observed.walk_away_state
    return check_expectations(spec.walk_away.expect_now, observed, snapshot["state"],
                              snapshot["alerts"], where="when the customer went silent: ")
