"""Survey templates: which questions a callback asks, chosen by the ticket's service type.

Short by default (docs/conversation.md): at most two dimension ratings, each asked only when
the overall score leaves room for it to add something (`ask_when_overall_at_most`), and the
"what went wrong" question only after a low overall score or an unsolved problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent
GENERIC = "generic"
MAX_DIMENSIONS = 2
QUESTION_SLOTS = ("overall", "solved", "dim_1", "dim_2", "nps", "comment")
PROBLEM_SLOT = "problem"
DEFAULT_DIMENSION_AT_MOST = 4
DEFAULT_PROBLEM_AT_MOST = 3


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    # asked only when the overall score is at most this (or unknown: skipped)
    ask_when_overall_at_most: int = DEFAULT_DIMENSION_AT_MOST

    def asked_after(self, overall: int | None) -> bool:
        return overall is None or overall <= self.ask_when_overall_at_most


@dataclass(frozen=True)
class SurveyTemplate:
    name: str
    title: str
    service_label: str
    service_types: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    ask_solved: bool
    ask_nps: bool
    ask_comment: bool
    ask_problem_when_overall_at_most: int = DEFAULT_PROBLEM_AT_MOST

    def required_slots(self, overall: int | None = None, solved: bool | None = None
                       ) -> list[str]:
        """The questions in order, given the answers so far (`overall` None when not known);
        dimension i is asked through slot `dim_{i}`."""
        slots = ["overall"]
        if self.ask_solved:
            slots.append("solved")
        if self.needs_problem_question(overall, solved):
            slots.append(PROBLEM_SLOT)
        slots += [f"dim_{i}" for i, dimension in enumerate(self.dimensions, start=1)
                  if dimension.asked_after(overall)]
        if self.ask_nps:
            slots.append("nps")
        if self.ask_comment:
            slots.append("comment")
        return slots

    def needs_problem_question(self, overall: int | None, solved: bool | None) -> bool:
        low = overall is not None and overall <= self.ask_problem_when_overall_at_most
        return low or solved is False

    def dimension_for_slot(self, slot: str) -> Dimension:
        return self.dimensions[int(slot.removeprefix("dim_")) - 1]


def _load(path: Path) -> SurveyTemplate:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    dimensions = tuple(
        Dimension(d["code"], d["label"],
                  d.get("ask_when_overall_at_most", DEFAULT_DIMENSION_AT_MOST))
        for d in raw.get("dimensions", [])
    )
    if len(dimensions) > MAX_DIMENSIONS:
        raise ValueError(f"{path.name}: at most {MAX_DIMENSIONS} dimension questions")
    return SurveyTemplate(
        name=raw["name"],
        title=raw["title"],
        service_label=raw["service_label"],
        service_types=tuple(raw.get("service_types", [])),
        dimensions=dimensions,
        ask_solved=raw.get("ask_solved", True),
        ask_nps=raw.get("ask_nps", True),
        ask_comment=raw.get("ask_comment", True),
        ask_problem_when_overall_at_most=raw.get("ask_problem_when_overall_at_most",
                                                 DEFAULT_PROBLEM_AT_MOST),
    )


@lru_cache
def all_templates() -> dict[str, SurveyTemplate]:
    templates = {t.name: t for t in map(_load, sorted(TEMPLATE_DIR.glob("*.yml")))}
    if GENERIC not in templates:
        raise RuntimeError("the generic survey template is missing")
    return templates


def template_named(name: str | None) -> SurveyTemplate:
    return all_templates().get(name or GENERIC, all_templates()[GENERIC])


def _listing(service_type: str) -> SurveyTemplate | None:
    return next((t for t in all_templates().values() if service_type in t.service_types), None)


def template_for_service(service_type: str) -> SurveyTemplate:
    return _listing(service_type) or all_templates()[GENERIC]


def service_name(service_type: str) -> str:
    """A service type as staff read it: the Chinese name of its survey template beside the code
    ("车辆维修保养（auto_repair）"); the code alone where no template lists it."""
    template = _listing(service_type)
    return f"{template.service_label}（{service_type}）" if template else service_type
