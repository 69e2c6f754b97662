"""The conversation regression suite of issue 12: every conversation under
tests/conversations/*.yml, played through the real gateway web chat → Rasa → action server by
a customer who reads each question (tests/conversations/driver.py), must end as its YAML
expects in the database and in the supervisors' chat, and keep the properties every
conversation has (tests/conversations/outcome.py). One test per conversation; 100 % must pass."""

from __future__ import annotations

import pytest

from tests.conversations.driver import CustomerDriver, SuiteStack
from tests.conversations.outcome import check_expectations, check_properties, check_walk_away
from tests.conversations.schema import ConversationSpec, load_all

pytestmark = pytest.mark.rasa

CONVERSATIONS = load_all()
MIN_CONVERSATIONS = 60  # issue 12: a suite of at least 60 whole conversations


def test_the_suite_holds_enough_conversations() -> None:
    assert len(CONVERSATIONS) >= MIN_CONVERSATIONS


@pytest.mark.parametrize("spec", [pytest.param(spec, id=spec.id) for spec in CONVERSATIONS])
def test_conversation(spec: ConversationSpec, suite_stack: SuiteStack,
                      record_property: pytest.RecordProperty) -> None:
    driver = CustomerDriver(suite_stack, spec)
    observed = driver.play()
    alerts = driver.wait_for_alerts()
    state = driver.state()
    failures = [*observed.failures, *check_properties(spec, observed, state),
                *check_walk_away(spec, observed),
                *check_expectations(spec.expect, observed, state, alerts)]
    record_property("failure_causes", sorted({f.cause for f in failures}))
    print(observed.transcript())  # shown for passing conversations too with -rP
    assert not failures, (
        f"{spec.file} / {spec.id} ({spec.persona}): {spec.about}\n"
        + "\n".join(f"- {f}" for f in failures)
        + f"\ntranscript:\n{observed.transcript()}")
