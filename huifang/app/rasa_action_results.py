"""Rasa checks every action server answer against its response schema with
`jsonschema.validate`, which first checks the *schema itself* against the JSON Schema
meta-schema — on every call, for a schema that never changes. Under load that check was
about 45 % of the Rasa server's CPU (docs/performance.md, "Where a turn's time went").

`validate_each_answer_against_a_checked_schema()` (called by the launcher before Rasa starts)
checks each action class's schema once and keeps its validator: a valid answer is accepted by
the same validation, without the repeated meta-schema check; an invalid one goes through
Rasa's own method, so it fails exactly as before. Runs in the Rasa virtualenv (Rasa and
jsonschema only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_validators: dict[type, Any] = {}


def _validator(action: Any) -> Any:
    from jsonschema.validators import validator_for

    kind = type(action)
    if kind not in _validators:
        schema = action.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validators[kind] = cls(schema)
    return _validators[kind]


def validate_each_answer_against_a_checked_schema() -> None:
    from rasa.core.actions.action import RemoteAction

    rasas_own: Callable[[Any, dict[str, Any]], bool] = RemoteAction._validate_action_result

    def validate(self: Any, result: dict[str, Any]) -> bool:
        if _validator(self).is_valid(result):
            return True
        return rasas_own(self, result)  # raises Rasa's ValidationError, message and all

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]
