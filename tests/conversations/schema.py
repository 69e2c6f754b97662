"""The YAML shape of a conversation (README.md in this folder), loaded and checked up front so a
mistyped key fails loudly at collection instead of silently testing nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from huifang.db.models import Locale
from huifang.surveys import template_for_service
from tests.conversations.reading import KINDS

HERE = Path(__file__).parent
ANSWER_KINDS = (*KINDS, "start")  # `start`: right after the opening, before any answer
MOMENTS = (*ANSWER_KINDS, "end")  # `end`: after the survey is over (a late message)
THEN = ("continue", "resume", "stop")
AFTER_REMINDER = ("answer", "silent")
EXPECT_KEYS = {
    "status", "overall", "solved", "nps", "dimensions", "comment", "comment_contains",
    "categories", "categories_include", "categories_exclude", "complaints", "sentiment",
    "severity", "escalation", "opted_out", "wrong_person", "asked", "not_asked", "max_taps",
    "replies_include", "replies_exclude",
}
ESCALATION_KEYS = {"reasons", "reasons_include", "priority", "opened_at"}


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class Answer:
    """One thing the customer sends: typed text or a button pressed by its visible title."""

    text: str | None = None
    button: str | None = None
    expect_reply: tuple[Any, ...] = ()  # each item: a substring, or a list of alternatives
    reply_excludes: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return f"[{self.button}]" if self.button else repr(self.text)


@dataclass(frozen=True)
class Interruption:
    at: str
    answer: Answer
    then: str = "continue"  # continue | resume (after a reschedule) | stop (customer leaves)


@dataclass(frozen=True)
class WalkAway:
    """The customer goes silent at the first question of kind `at`, or at whatever is asked
    next once they have answered `after` — even the same question again ("says it, then
    stops answering")."""

    at: str | None = None
    after: str | None = None
    expect_now: dict[str, Any] = field(default_factory=dict)
    after_reminder: str = "silent"

    def reached(self, question_kind: str, answered: set[str]) -> bool:
        if self.at is not None:
            return question_kind == self.at
        return self.after in answered


@dataclass(frozen=True)
class Ticket:
    service_type: str
    locale: Locale = Locale.SIMPLIFIED
    timezone: str | None = None
    customer_name: str = "王先生"
    summary: str | None = None


@dataclass(frozen=True)
class ConversationSpec:
    id: str
    persona: str
    file: str
    about: str
    ticket: Ticket
    answers: dict[str, tuple[Answer, ...]]
    interruptions: tuple[Interruption, ...]
    walk_away: WalkAway | None
    expect: dict[str, Any]

    @property
    def traditional(self) -> bool:
        return self.ticket.locale in (Locale.TRADITIONAL, Locale.TRADITIONAL_HK)


def _fail(where: str, message: str) -> SchemaError:
    return SchemaError(f"{where}: {message}")


def _answer(raw: Any, where: str) -> Answer:
    if isinstance(raw, (str, int)):
        return Answer(text=str(raw))
    if not isinstance(raw, dict):
        raise _fail(where, f"an answer is text or a mapping, not {raw!r}")
    unknown = set(raw) - {"say", "button", "expect_reply", "reply_excludes"}
    if unknown:
        raise _fail(where, f"unknown answer keys {sorted(unknown)}")
    if ("say" in raw) == ("button" in raw):
        raise _fail(where, "an answer has exactly one of `say` and `button`")
    expect = raw.get("expect_reply", [])
    return Answer(text=str(raw["say"]) if "say" in raw else None,
                  button=str(raw["button"]) if "button" in raw else None,
                  expect_reply=tuple(expect if isinstance(expect, list) else [expect]),
                  reply_excludes=tuple(raw.get("reply_excludes", [])))


def _answers(raw: dict[str, Any], where: str) -> dict[str, tuple[Answer, ...]]:
    result = {}
    for kind, value in raw.items():
        if kind not in KINDS:
            raise _fail(where, f"unknown question kind {kind!r} (one of {', '.join(KINDS)})")
        items = value if isinstance(value, list) else [value]
        if not items:
            raise _fail(where, f"no answer for {kind}")
        result[kind] = tuple(_answer(item, f"{where}.{kind}") for item in items)
    return result


def _interruptions(raw: list[Any], where: str) -> tuple[Interruption, ...]:
    result = []
    for index, item in enumerate(raw):
        spot = f"{where}[{index}]"
        if not isinstance(item, dict) or item.get("at") not in MOMENTS:
            raise _fail(spot, f"needs `at:` one of {', '.join(MOMENTS)}")
        then = item.get("then", "continue")
        if then not in THEN:
            raise _fail(spot, f"`then` is one of {', '.join(THEN)}")
        answer = _answer({k: v for k, v in item.items() if k not in ("at", "then")}, spot)
        result.append(Interruption(item["at"], answer, then))
    return tuple(result)


def _check_expect(expect: dict[str, Any], where: str) -> None:
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise _fail(where, f"unknown expectations {sorted(unknown)}")
    escalation = expect.get("escalation")
    if isinstance(escalation, dict) and set(escalation) - ESCALATION_KEYS:
        raise _fail(where, f"unknown escalation keys {sorted(set(escalation) - ESCALATION_KEYS)}")
    if escalation not in (None, "none") and not isinstance(escalation, dict):
        raise _fail(where, "escalation is `none` or a mapping")


def _spec(raw: dict[str, Any], persona: str, file: str) -> ConversationSpec:
    where = f"{file}:{raw.get('id', '?')}"
    unknown = set(raw) - {"id", "about", "ticket", "answers", "interrupt", "walk_away", "expect"}
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    ticket_raw = dict(raw.get("ticket") or {})
    if "service_type" not in ticket_raw:
        raise _fail(where, "ticket.service_type is required")
    ticket = Ticket(service_type=ticket_raw.pop("service_type"),
                    locale=Locale(ticket_raw.pop("locale", Locale.SIMPLIFIED.value)),
                    timezone=ticket_raw.pop("timezone", None),
                    customer_name=ticket_raw.pop("customer_name", "王先生"),
                    summary=ticket_raw.pop("summary", None))
    if ticket_raw:
        raise _fail(where, f"unknown ticket keys {sorted(ticket_raw)}")
    template_for_service(ticket.service_type)  # any service type maps to some template
    walk = raw.get("walk_away")
    walk_away = None
    if walk is not None:
        if ("at" in walk) == ("after" in walk) or walk.get("at", walk.get("after")) not in KINDS:
            raise _fail(where, f"walk_away needs one of `at`/`after`: {', '.join(KINDS)}")
        if walk.get("after_reminder", "silent") not in AFTER_REMINDER:
            raise _fail(where, "walk_away.after_reminder is answer or silent")
        _check_expect(walk.get("expect_now") or {}, f"{where}.walk_away.expect_now")
        walk_away = WalkAway(walk.get("at"), walk.get("after"), walk.get("expect_now") or {},
                             walk.get("after_reminder", "silent"))
    expect = raw.get("expect") or {}
    _check_expect(expect, f"{where}.expect")
    return ConversationSpec(
        id=str(raw["id"]), persona=persona, file=file, about=str(raw.get("about", "")),
        ticket=ticket, answers=_answers(raw.get("answers") or {}, f"{where}.answers"),
        interruptions=_interruptions(raw.get("interrupt") or [], f"{where}.interrupt"),
        walk_away=walk_away, expect=expect)


def load_file(path: Path) -> list[ConversationSpec]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "conversations" not in document:
        raise _fail(path.name, "needs `persona:` and `conversations:`")
    persona = str(document.get("persona", path.stem))
    return [_spec(item, persona, path.name) for item in document["conversations"]]


def load_all(folder: Path = HERE) -> list[ConversationSpec]:
    specs = [spec for path in sorted(folder.glob("*.yml")) for spec in load_file(path)]
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise _fail(spec.file, f"conversation id {spec.id!r} is used twice")
        seen.add(spec.id)
    return specs
