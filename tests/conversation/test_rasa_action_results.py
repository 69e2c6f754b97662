"""Action server answers are validated by Rasa against a schema checked once, not once per
answer (huifang/app/rasa_action_results.py), with the same verdicts: run in the Rasa
virtualenv, where the patch applies."""

from __future__ import annotations

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import json
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig
from huifang.app.rasa_action_results import validate_each_answer_against_a_checked_schema

validate_each_answer_against_a_checked_schema()
cls = validator_for(RemoteAction.action_response_format_spec())
checks = []
real_check = cls.check_schema.__func__
cls.check_schema = classmethod(lambda c, schema, **kw: checks.append(1) or real_check(c, schema, **kw))
action = RemoteAction("validate_survey_form", EndpointConfig("http://127.0.0.1:1/webhook"))
answer = {"events": [{"event": "slot", "name": "overall", "value": 5}],
          "responses": [{"text": "好的", "buttons": []}]}
accepted = [action._validate_action_result(answer) for _ in range(50)]
checks_while_accepting = len(checks)
refused = []
for bad in ({"events": "not a list"}, {"responses": [5]}):
    try:
        action._validate_action_result(bad)
        refused.append(None)
    except Exception as error:
        refused.append(type(error).__name__ + ": " + getattr(error, "message", str(error)))
print(json.dumps({"accepted": accepted, "refused": refused, "checks": checks_while_accepting}))
"""


@pytest.fixture(scope="module")
def verdicts() -> dict[str, object]:
    return run_in_rasa_venv(_PROBE)


def test_a_valid_answer_is_accepted_without_checking_the_schema_each_time(
        verdicts: dict[str, object]) -> None:
    assert verdicts["accepted"] == [True] * 50
    assert verdicts["checks"] == 1  # jsonschema.validate alone checks it on every call: 50


def test_an_invalid_answer_fails_as_it_did_with_rasas_own_message(
        verdicts: dict[str, object]) -> None:
    refused = verdicts["refused"]
    assert isinstance(refused, list) and len(refused) == 2
    assert all(r and r.startswith("ValidationError: ") and
               "Failed to validate Action server response" in r for r in refused), refused
