"""One Chinese name per code, and every view reading it from huifang.labels."""

from __future__ import annotations

import enum
import inspect

import pytest

from huifang import labels
from huifang.db import models


def _enums_in(module: object) -> list[type[enum.Enum]]:
    return [value for _, value in inspect.getmembers(module, inspect.isclass)
            if issubclass(value, enum.Enum) and value.__module__ == module.__name__]


@pytest.mark.parametrize("kind", list(labels.BY_ENUM), ids=lambda k: k.__name__)
def test_every_member_has_exactly_one_nonempty_label(kind: type[enum.Enum]) -> None:
    names = labels.BY_ENUM[kind]
    assert set(names) == set(kind), f"{kind.__name__}: labels missing or extra"
    assert all(isinstance(n, str) and n.strip() for n in names.values())
    assert len(set(names.values())) == len(names), f"{kind.__name__}: two codes, one name"


def test_every_enum_a_person_reads_is_labelled() -> None:
    internal = {models.Direction}  # stored, never shown by name
    shown = set(_enums_in(models)) - internal
    assert shown <= set(labels.BY_ENUM), sorted(k.__name__ for k in shown - set(labels.BY_ENUM))


def test_likert_scale_runs_from_one_to_five() -> None:
    assert sorted(labels.LIKERT) == [1, 2, 3, 4, 5]
    assert labels.LIKERT[5] == "非常满意" and labels.LIKERT[1] == "非常不满意"


def test_label_falls_back_to_the_code_and_a_dash_for_nothing() -> None:
    assert labels.label(labels.PRIORITIES, models.Priority.URGENT) == "紧急"
    assert labels.label(labels.PRIORITIES, "mystery") == "mystery"
    assert labels.label(labels.PRIORITIES, None) == "—"
