"""Stored events are turned back into objects from a table of Event type names, not by walking
every Event subclass per event (huifang/app/rasa_event_types.py), with the same answers: run in
the Rasa virtualenv, where the patch applies."""

from __future__ import annotations

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import json
import rasa.shared.utils.common as common
from rasa.shared.core.events import Event, SlotSet, UserUttered
from huifang.app.rasa_event_types import resolve_event_types_from_a_table

names = sorted({cls.type_name for cls in common.all_subclasses(Event)})
rasas = {name: Event.resolve_by_type(name).__name__ for name in names}
resolve_event_types_from_a_table()
walks = []
real_walk = common.all_subclasses
common.all_subclasses = lambda cls: (cls is Event and walks.append(1)) or real_walk(cls)
ours = {name: Event.resolve_by_type(name).__name__ for name in names * 20}
walks_for_known = len(walks)

class LateEvent(SlotSet):
    type_name = "late_event_for_the_probe"

late = Event.resolve_by_type("late_event_for_the_probe").__name__
unknown = []
for name, default in (("no_such_event", None), ("topic", None), ("no_such_event", UserUttered)):
    try:
        found = Event.resolve_by_type(name, default)
        unknown.append(found.__name__ if found else None)
    except ValueError as error:
        unknown.append("ValueError: " + str(error))
events = Event.from_parameters({"event": "slot", "name": "overall", "value": 5})
print(json.dumps({"rasas": rasas, "ours": ours, "walks": walks_for_known, "late": late,
                  "unknown": unknown, "parsed": type(events).__name__}))
"""


@pytest.fixture(scope="module")
def answers() -> dict[str, object]:
    return run_in_rasa_venv(_PROBE)


def test_every_event_type_resolves_to_rasas_own_class_after_one_walk(
        answers: dict[str, object]) -> None:
    assert answers["ours"] == answers["rasas"] and len(answers["rasas"]) > 20
    assert answers["walks"] == 1  # Rasa's own method walks once per call: 20 × every name
    assert answers["parsed"] == "SlotSet"


def test_a_later_subclass_is_found_and_unknown_names_end_as_in_rasa(
        answers: dict[str, object]) -> None:
    assert answers["late"] == "LateEvent"
    assert answers["unknown"] == ["ValueError: Unknown event name 'no_such_event'.", None,
                                  "UserUttered"]
