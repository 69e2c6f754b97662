"""Rasa checks every action server answer against its response schema with
`jsonschema.validate`, which first checks the *schema itself* against the JSON Schema
meta-schema — on every call, for a schema that never changes — and then tries each event
against all 23 alternatives of the schema's `oneOf`, one per event type. Under load the
meta-schema check was about 45 % of the Rasa server's CPU, and after it went the alternatives
still took about 7 % (1.7 ms an answer; compiling the schema with fastjsonschema alone does not
help: each alternative that fails raises an exception).

Every alternative names its event type by a `const` on the `event` key, and no two name the
same, so an event can match only the alternative of its own type: exactly one of them matches
when that one does. `validate_each_answer_against_a_checked_schema()` (called by the launcher
before Rasa starts) compiles, once per action class, the schema without the `oneOf` and each
alternative by itself (fastjsonschema turns them into plain Python), and checks each event
against its own type's alternative only. A valid answer is accepted by that; an invalid one
goes through Rasa's own method, so it fails exactly as before, with Rasa's message. Runs in the
Rasa virtualenv (Rasa, jsonschema and fastjsonschema only)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
_checks: dict[type, Check] = {}


def _compiled(schema: dict[str, Any]) -> Check:
    import fastjsonschema

    outer = copy.deepcopy(schema)
    alternatives = outer["properties"]["events"]["items"].pop("oneOf")
    by_type = {alternative["properties"]["event"]["const"]: fastjsonschema.compile(alternative)
               for alternative in alternatives}
    if len(by_type) != len(alternatives):
        raise RuntimeError("two alternatives of Rasa's event schema name the same event type")
    whole = fastjsonschema.compile(outer)

    def check(answer: Any) -> bool:
        try:
            whole(answer)  # an object; events, if any, a list of objects with a string `event`
            for event in answer.get("events") or ():
                by_type[event["event"]](event)
        except (fastjsonschema.JsonSchemaValueException, KeyError):
            return False
        return True

    return check


def _check_of(action: Any) -> Check:
    kind = type(action)
    if kind not in _checks:
        _checks[kind] = _compiled(action.action_response_format_spec())
    return _checks[kind]


def validate_each_answer_against_a_checked_schema() -> None:
    from rasa.core.actions.action import RemoteAction

    rasas_own: Callable[[Any, dict[str, Any]], bool] = RemoteAction._validate_action_result

    def validate(self: Any, result: dict[str, Any]) -> bool:
        if _check_of(self)(result):
            return True
        return rasas_own(self, result)  # raises Rasa's ValidationError, message and all

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]
