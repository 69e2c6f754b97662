"""Survey templates: which questions a callback asks, chosen by the ticket's service type."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent
GENERIC = "generic"
MAX_DIMENSIONS = 3
QUESTION_SLOTS = ("overall", "solved", "dim_1", "dim_2", "dim_3", "nps", "comment")


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str


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

    def required_slots(self) -> list[str]:
        """The form's questions in order; dimension i is asked through slot `dim_{i}`."""
        slots = ["overall"]
        if self.ask_solved:
            slots.append("solved")
        slots += [f"dim_{i}" for i in range(1, len(self.dimensions) + 1)]
        if self.ask_nps:
            slots.append("nps")
        if self.ask_comment:
            slots.append("comment")
        return slots

    def dimension_for_slot(self, slot: str) -> Dimension:
        return self.dimensions[int(slot.removeprefix("dim_")) - 1]


def _load(path: Path) -> SurveyTemplate:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    dimensions = tuple(Dimension(d["code"], d["label"]) for d in raw.get("dimensions", []))
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
    )


@lru_cache
def all_templates() -> dict[str, SurveyTemplate]:
    templates = {t.name: t for t in map(_load, sorted(TEMPLATE_DIR.glob("*.yml")))}
    if GENERIC not in templates:
        raise RuntimeError("the generic survey template is missing")
    return templates


def template_named(name: str | None) -> SurveyTemplate:
    return all_templates().get(name or GENERIC, all_templates()[GENERIC])


def template_for_service(service_type: str) -> SurveyTemplate:
    for template in all_templates().values():
        if service_type in template.service_types:
            return template
    return all_templates()[GENERIC]
