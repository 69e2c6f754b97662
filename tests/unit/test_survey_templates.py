"""Which questions a template asks, given the answers so far (huifang/surveys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from huifang.surveys import MAX_DIMENSIONS, _load, all_templates, template_named


def test_a_very_satisfied_customer_gets_no_dimension_questions() -> None:
    assert template_named("auto_after_sales").required_slots(5, True) == [
        "overall", "solved", "nps", "comment"]


def test_a_satisfied_customer_gets_one_dimension_question() -> None:
    assert template_named("auto_after_sales").required_slots(4, True) == [
        "overall", "solved", "dim_1", "nps", "comment"]


def test_a_low_score_asks_what_went_wrong_and_both_dimensions() -> None:
    assert template_named("generic").required_slots(2, True) == [
        "overall", "solved", "problem", "dim_1", "dim_2", "nps", "comment"]


def test_an_unsolved_problem_asks_what_went_wrong_even_after_a_good_score() -> None:
    assert "problem" in template_named("telecom").required_slots(5, False)


def test_unknown_overall_keeps_the_dimensions() -> None:
    """Before the first answer, or when it was skipped, the ratings still add information."""
    assert template_named("generic").required_slots(None, None) == [
        "overall", "solved", "dim_1", "dim_2", "nps", "comment"]


def test_recovery_asks_only_the_outcome() -> None:
    assert template_named("recovery").required_slots(5, True) == ["overall", "solved", "comment"]


@pytest.mark.parametrize("template", sorted(all_templates()))
def test_every_template_is_short(template: str) -> None:
    assert len(template_named(template).dimensions) <= MAX_DIMENSIONS


def test_a_template_with_too_many_dimensions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.yml"
    path.write_text("name: long\ntitle: t\nservice_label: s\ndimensions:\n"
                    "  - {code: a, label: A}\n  - {code: b, label: B}\n  - {code: c, label: C}\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="at most 2"):
        _load(path)


def test_thresholds_are_read_per_template(tmp_path: Path) -> None:
    path = tmp_path / "strict.yml"
    path.write_text("name: strict\ntitle: t\nservice_label: s\n"
                    "ask_problem_when_overall_at_most: 4\ndimensions:\n"
                    "  - {code: a, label: A, ask_when_overall_at_most: 5}\n", encoding="utf-8")
    template = _load(path)
    assert template.required_slots(5, True) == ["overall", "solved", "dim_1", "nps", "comment"]
    assert template.required_slots(4, True)[:3] == ["overall", "solved", "problem"]
