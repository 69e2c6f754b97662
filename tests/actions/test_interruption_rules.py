"""The interruption actions, called directly on trackers (no Rasa): greetings, thanks,
questions back and nonsense share the open question's one re-ask; thanks at the last question
finish the survey; words said while leaving are still heard."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.interruptions import (
    ActionAcknowledge,
    ActionBusyLater,
    ActionExplainPurpose,
    ActionGentleRedirect,
    ActionOptOut,
    ActionRequestHuman,
)
from huifang.db.models import CallbackStatus, Priority
from tests.actions.conftest import slot_events, texts


async def run(action: Action, tracker: Any, domain: dict[str, Any]) -> tuple[dict[str, Any], str]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


@pytest.mark.parametrize(("action", "text", "intent"), [
    (ActionAcknowledge(), "你好", "greet"),
    (ActionAcknowledge(), "谢谢", "thank"),
    (ActionExplainPurpose(), "你是谁", "ask_purpose"),
    (ActionGentleRedirect(), "今天天气怎么样", "out_of_scope"),
])
async def test_any_interruption_spends_the_one_reask_then_skips(survey, domain, action: Action,
                                                                text: str, intent: str) -> None:
    s = survey()
    first, _ = await run(action, s.tracker("solved", text, intent=intent, overall=4), domain)
    assert first.get("failed_question") == "solved" and first.get("solved") is None
    second, said = await run(action, s.tracker("solved", text, intent=intent, overall=4,
                                               failed_question="solved"), domain)
    assert second["solved"] == "skipped" and "跳过" in said


async def test_the_budget_is_shared_across_intents(survey, domain) -> None:
    """A greeting, then thanks, at the same question: the second one skips it."""
    s = survey()
    first, _ = await run(ActionAcknowledge(), s.tracker("nps", "你好", intent="greet"), domain)
    second, _ = await run(ActionGentleRedirect(),
                          s.tracker("nps", "哈哈哈", intent="out_of_scope",
                                    failed_question=first["failed_question"]), domain)
    assert second["nps"] == "skipped"


@pytest.mark.parametrize("text", ["没了，多谢", "谢谢", "好的，谢谢你们", "多謝"])
async def test_thanks_at_the_last_question_finish_the_survey(survey, domain, text: str) -> None:
    s = survey()
    slots, said = await run(ActionAcknowledge(),
                            s.tracker("comment", text, intent="thank", overall=5), domain)
    assert slots["comment"] == "skipped"
    assert "不客气" not in said  # the finish thanks them; no loop back to the question


async def test_a_closing_remark_read_as_off_topic_also_finishes(survey, domain) -> None:
    s = survey()
    slots, said = await run(ActionGentleRedirect(),
                            s.tracker("comment", "就这样吧", intent="out_of_scope"), domain)
    assert slots["comment"] == "skipped" and "帮不上忙" not in said


async def test_typed_skip_read_as_off_topic_skips(survey, domain) -> None:
    s = survey()
    slots, _ = await run(ActionGentleRedirect(),
                         s.tracker("dim_1", "跳过", intent="out_of_scope"), domain)
    assert slots["dim_1"] == "skipped"


async def test_a_request_for_a_person_escalates_and_names_the_time(survey, domain) -> None:
    s = survey()
    _, said = await run(ActionRequestHuman(),
                        s.tracker("solved", "我要找你们经理", intent="request_human"), domain)
    (escalation,) = s.stored().escalations
    assert "requested_human" in escalation.reasons
    assert "前与您联系" in said and s.stored().status == CallbackStatus.COMPLETED


async def test_a_threat_while_opting_out_still_escalates(survey, domain) -> None:
    s = survey()
    _, said = await run(ActionOptOut(),
                        s.tracker("overall", "别再发了，再发我就去消协投诉你们", intent="opt_out"),
                        domain)
    (escalation,) = s.stored().escalations
    assert escalation.priority == Priority.URGENT and "退订" in said
    assert s.stored().ticket.customer.opted_out_at is not None


async def test_busy_later_keeps_the_answers_and_hears_a_threat(survey, domain) -> None:
    s = survey()
    _, said = await run(ActionBusyLater(),
                        s.tracker("solved", "没空，反正你们修不好，我已经找律师了", intent="busy_later"),
                        domain)
    assert "再联系您" in said
    (escalation,) = s.stored().escalations
    assert "high_severity" in escalation.reasons
