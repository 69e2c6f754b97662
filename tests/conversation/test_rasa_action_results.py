"""Action server answers are validated against Rasa's schema compiled once, not interpreted by
jsonschema once per answer (huifang/app/rasa_action_results.py), with the same verdicts as
Rasa's own validation: run in the Rasa virtualenv, where the patch applies."""

from __future__ import annotations

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import json
import jsonschema
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig
from huifang.app.rasa_action_results import validate_each_answer_against_a_checked_schema

schema = RemoteAction.action_response_format_spec()

def rasas_verdict(answer):
    try:
        jsonschema.validate(answer, schema)
        return True
    except jsonschema.ValidationError:
        return False

validate_each_answer_against_a_checked_schema()
cls = validator_for(schema)
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
corpus = [
    {}, {"events": [], "responses": []}, answer,
    {"events": [{"event": "active_loop", "name": "survey_form"},
                {"event": "slot", "name": "requested_slot", "value": None},
                {"event": "followup", "name": "action_finish_callback"},
                {"event": "action_execution_rejected", "name": "validate_survey_form"},
                {"event": "reminder", "intent": "EXTERNAL_remind", "date_time": "2026-12-06T20:00:00",
                 "entities": None, "name": "r1", "kill_on_user_msg": True},
                {"event": "bot", "text": "您好", "data": {"buttons": []}},
                {"event": "restart"}, {"event": "session_started"}],
     "responses": [{"text": "x"}, {"template": "utter_x"}]},
    {"events": [{"event": "no such event"}]},
    {"events": [{"name": "overall", "value": 5}]},
    {"events": [{"event": "slot", "value": 5}]},
    {"events": [{"event": "slot", "name": 5, "value": 5}]},
    {"events": [{"event": "followup"}]},
    {"events": [{"event": "bot", "text": 5}]},
    {"events": {"event": "slot"}}, {"responses": {"text": "x"}}, {"responses": ["x"]},
    [], "events", None, {"events": None}, {"events": [None]}, {"events": [[]]},
    {"events": [{"event": "user", "text": "5", "parse_data": {
        "intent": {"name": "inform_score", "confidence": 0.9}, "entities": [
            {"entity": "score", "value": 5, "start": 0, "end": 1}]}}]},
    {"events": [{"event": "user", "parse_data": {"intent": {"confidence": "high"}}}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "score"}]}}]},
    {"events": [{"event": "entities", "entities": []}, {"event": "entities"}]},
    {"events": [{"event": "action", "name": "action_listen", "confidence": None,
                 "hide_rule_turn": "no"}]},
    {"events": [{"event": "slot", "name": "overall", "value": 5, "timestamp": "now"}]},
    {"events": [{"event": "bot", "text": "好", "metadata": []}]},
]
verdicts = []
for item in corpus:
    try:
        ours = action._validate_action_result(item)
    except jsonschema.ValidationError:
        ours = False
    verdicts.append([ours, rasas_verdict(item)])
print(json.dumps({"accepted": accepted, "refused": refused, "checks": checks_while_accepting,
                  "verdicts": verdicts}))
"""


@pytest.fixture(scope="module")
def verdicts() -> dict[str, object]:
    return run_in_rasa_venv(_PROBE)


def test_a_valid_answer_is_accepted_without_jsonschema_checking_the_schema(
        verdicts: dict[str, object]) -> None:
    assert verdicts["accepted"] == [True] * 50
    assert verdicts["checks"] == 0  # jsonschema.validate alone checks it on every call: 50


def test_every_answer_gets_the_verdict_of_rasas_own_validation(
        verdicts: dict[str, object]) -> None:
    pairs = verdicts["verdicts"]
    assert isinstance(pairs, list) and len(pairs) == 26
    assert [ours for ours, _ in pairs] == [rasas for _, rasas in pairs]
    assert {rasas for _, rasas in pairs} == {True, False}  # the corpus has both kinds


def test_an_invalid_answer_fails_as_it_did_with_rasas_own_message(
        verdicts: dict[str, object]) -> None:
    refused = verdicts["refused"]
    assert isinstance(refused, list) and len(refused) == 2
    assert all(r and r.startswith("ValidationError: ") and
               "Failed to validate Action server response" in r for r in refused), refused
