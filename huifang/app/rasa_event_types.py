"""Rasa turns every stored event back into an object with `Event.resolve_by_type(name)`, which
walks the whole tree of Event subclasses (and asks `inspect.isabstract` of each) for every
event of every tracker it loads: ~6 % of the Rasa server's CPU per turn (docs/performance.md,
"Rasa alone").

`resolve_event_types_from_a_table()` (called by the launcher before Rasa starts) answers from a
table of type names built from the same walk, in the same order, so the first class with a
name wins as before. A name not in the table walks again (a subclass imported since then is
found), and an unknown name still ends as Rasa's own method ends (its default, None for the
old "topic", or ValueError). Runs in the Rasa virtualenv (Rasa only)."""

from __future__ import annotations

from typing import Any

_by_name: dict[str, Any] = {}


def _table() -> dict[str, Any]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: dict[str, Any] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_types_from_a_table() -> None:
    from rasa.shared.core.events import Event

    rasas_own = Event.resolve_by_type

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = _by_name.get(type_name)
        if found is None:
            _by_name.clear()
            _by_name.update(_table())
            found = _by_name.get(type_name)
        return found if found is not None else rasas_own(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
