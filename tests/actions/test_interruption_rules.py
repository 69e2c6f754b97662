"""The interruption actions, called directly on trackers (no Rasa): greetings, thanks,
questions back and nonsense share the open question's one re-ask; thanks at the last question
finish the survey; words said while leaving are still heard."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_end import ActionFinishCallback
from actions.conversation_state import SKIPPED
from actions.interruptions import (
    ActionAcknowledge,
    ActionBusyLater,
    ActionExplainPurpose,
    ActionGentleRedirect,
    ActionOptOut,
    ActionRequestHuman,
    ActionWrongPerson,
)
from huifang.db.models import CallbackStatus, Priority
from huifang.script import to_simplified
from tests.actions.conftest import slot_events, texts


def hands_back_to_the_form(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "followup" and e.get("name") == "survey_form" for e in events)


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


# --- interruptions whose words answer the open question (issue 12) --------------------------

async def test_thanks_that_answer_the_question_are_an_answer(survey, domain) -> None:
    s = survey()
    slots, said = await run(ActionAcknowledge(),
                            s.tracker("solved", "有解决，谢谢", intent="thank", overall=5), domain)
    assert slots["solved"] is True and "不客气" not in said
    assert s.stored().response.solved is True


async def test_a_comment_with_thanks_is_kept_as_the_comment(survey, domain) -> None:
    s = survey()
    slots, _ = await run(ActionAcknowledge(),
                         s.tracker("comment", "师傅很细心，谢谢你们", intent="thank", overall=5),
                         domain)
    assert slots["comment"] == "师傅很细心，谢谢你们"
    assert s.stored().response.comment == "师傅很细心，谢谢你们"


async def test_busy_read_into_an_answer_without_a_later_is_the_answer(survey, domain) -> None:
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionBusyLater().run(
        dispatcher, s.tracker("problem", "来得太慢了，等了一整个下午", intent="busy_later",
                              overall=2, solved=False), domain)
    assert slot_events(events)["problem"] == "来得太慢了，等了一整个下午"
    assert hands_back_to_the_form(events)
    assert "再联系您" not in texts(dispatcher)
    stored = s.stored()
    assert stored.status == CallbackStatus.IN_PROGRESS
    assert {c.category for c in stored.complaints[0].categories} == {"timeliness"}


@pytest.mark.parametrize("text", ["随便吧", "隨便啦", "无所谓", "看着办吧", "是但啦"])
async def test_indifference_read_as_busy_asks_again_and_postpones_nothing(survey, domain,
                                                                        text: str) -> None:
    """"随便吧" ("whatever") at the first question was read as busy: the survey was put off
    for hours ("我们今天15:08再联系您") for a customer who was there."""
    s = survey()
    before = s.stored()
    dispatcher = CollectingDispatcher()
    events = await ActionBusyLater().run(dispatcher, s.tracker("overall", text,
                                                               intent="busy_later"), domain)
    said = to_simplified(texts(dispatcher))
    assert "再联" not in said and "真实感受" in said
    assert hands_back_to_the_form(events)
    stored = s.stored()
    assert (stored.status, stored.send_round, stored.due_at) == (
        before.status, before.send_round, before.due_at)


async def test_a_busy_message_is_no_complaint(survey, domain) -> None:
    s = survey()
    _, said = await run(ActionBusyLater(),
                        s.tracker("solved", "在开车不方便，晚点再聊", intent="busy_later",
                                  overall=5),
                        domain)
    assert "再联系您" in said and "抱歉" not in said
    assert s.stored().complaints == [] and s.stored().escalations == []


async def test_a_refund_demand_read_as_an_opt_out_is_an_answer(survey, domain) -> None:
    """退 in 钱退给我 is no 退订: the customer is not opted out; the demand escalates."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionOptOut().run(
        dispatcher, s.tracker("solved", "没修好，钱退给我", intent="opt_out", overall=1), domain)
    assert slot_events(events)["solved"] is False
    assert hands_back_to_the_form(events)
    stored = s.stored()
    assert stored.ticket.customer.opted_out_at is None
    assert stored.status == CallbackStatus.IN_PROGRESS
    (escalation,) = stored.escalations
    assert escalation.priority == Priority.URGENT
    assert {"high_severity", "not_solved"} <= set(escalation.reasons)
    assert "退订" not in texts(dispatcher)


async def test_a_threat_read_as_goodbye_that_answers_the_question_is_the_answer(survey,
                                                                             domain) -> None:
    """"沒解決，再不處理我就去找消保官" (read as goodbye) says no farewell: the no answers
    "solved?", the threat escalates at once, and the survey goes on."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionFinishCallback().run(
        dispatcher, s.tracker("solved", "沒解決，再不處理我就去找消保官", intent="goodbye",
                              overall=2), domain)
    assert slot_events(events)["solved"] is False
    assert hands_back_to_the_form(events)
    stored = s.stored()
    assert stored.status == CallbackStatus.IN_PROGRESS and stored.response.solved is False
    (escalation,) = stored.escalations
    assert escalation.priority == Priority.URGENT
    assert {"high_severity", "not_solved"} <= set(escalation.reasons)


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "good"])
async def test_a_goodbye_in_no_chinese_without_a_farewell_asks_again(survey, domain,
                                                                   text: str) -> None:
    """Seen in use: `<img src=x onerror=alert(1)>` at the first question was read as goodbye
    and ended the survey."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionFinishCallback().run(
        dispatcher, s.tracker("overall", text, intent="goodbye"), domain)
    assert hands_back_to_the_form(events)
    assert slot_events(events)["overall"] is None
    assert s.stored().status != CallbackStatus.COMPLETED
    assert "感谢" not in texts(dispatcher)


async def test_a_goodbye_that_also_answers_still_ends_the_survey(survey, domain) -> None:
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionFinishCallback().run(
        dispatcher, s.tracker("solved", "没解决，不说了，再见", intent="goodbye", overall=2), domain)
    assert not hands_back_to_the_form(events)
    assert s.stored().status == CallbackStatus.COMPLETED


async def test_an_opt_out_alone_opts_out_and_escalates_nothing(survey, domain) -> None:
    s = survey()
    _, said = await run(ActionOptOut(),
                        s.tracker("solved", "以后别给我发这种消息了", intent="opt_out", overall=4),
                        domain)
    assert "退订" in said and "联系您" not in said
    stored = s.stored()
    assert stored.ticket.customer.opted_out_at is not None
    assert stored.escalations == [] and stored.complaints == []


@pytest.mark.parametrize(("question", "text"), [
    ("problem", "不想说"), ("comment", "不想说了"), ("solved", "不想回答了")])
async def test_not_wanting_to_say_read_as_an_opt_out_skips_the_question(
        survey, domain, question: str, text: str) -> None:
    """"不想说了" at the comment question was answered with how to unsubscribe, and the
    question asked again: it is a skip, like "跳过"."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionOptOut().run(
        dispatcher, s.tracker(question, text, intent="opt_out", overall=2), domain)
    assert s.stored().ticket.customer.opted_out_at is None
    assert hands_back_to_the_form(events) and slot_events(events)[question] == SKIPPED
    assert "退订" not in texts(dispatcher)


@pytest.mark.parametrize(("question", "text"), [
    ("overall", "<script>alert(1)</script>"), ("overall", "asdf"), ("overall", "？？？"),
    ("overall", "我不想填"), ("solved", "你们烦不烦"),
])
async def test_an_opt_out_the_words_do_not_say_asks_again(survey, domain, question: str,
                                                         text: str) -> None:
    """The NLU alone is not enough to unsubscribe someone for good (it heard opt-outs in code
    and in "不想说" at a question): the customer is told how to opt out, and the open question
    comes back within its one re-ask."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionOptOut().run(
        dispatcher, s.tracker(question, text, intent="opt_out", overall=2), domain)
    stored = s.stored()
    assert stored.ticket.customer.opted_out_at is None
    assert stored.status != CallbackStatus.OPTED_OUT
    assert hands_back_to_the_form(events)
    assert slot_events(events)[question] is None
    said = texts(dispatcher)
    assert "已为您退订" not in said and "“退订”" in said


@pytest.mark.parametrize("text", ["T", "STOP", "td。", "不想参加回访", "請勿再發", "以后都别再联系我",
                                  "再发我就投诉了", "退定"])
async def test_opt_out_words_or_a_code_opt_out_at_once(survey, domain, text: str) -> None:
    s = survey()
    _, said = await run(ActionOptOut(), s.tracker("overall", text, intent="opt_out"), domain)
    assert "已为您退订" in said or "已為您退訂" in said
    assert s.stored().ticket.customer.opted_out_at is not None


async def test_an_unclear_opt_out_after_the_survey_changes_nothing(survey, domain) -> None:
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionOptOut().run(
        dispatcher, s.tracker(None, "<b>hi</b>", intent="opt_out", phase="finished"), domain)
    assert s.stored().ticket.customer.opted_out_at is None
    assert not hands_back_to_the_form(events)
    assert "已为您退订" not in texts(dispatcher)


@pytest.mark.parametrize("text", ["我不知道", "这个我也不清楚", "root", "leave me alone"])
async def test_a_wrong_person_the_words_do_not_say_asks_again(survey, domain, text: str
                                                             ) -> None:
    """The NLU read "我不知道" at "solved?", "root" and "leave me alone" as a wrong person, which
    ends the survey and flags the contact data: being unsure is no wrong person, and Latin
    letters must say it."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ActionWrongPerson().run(
        dispatcher, s.tracker("solved", text, intent="wrong_person", overall=3), domain)
    assert hands_back_to_the_form(events)
    stored = s.stored()
    assert stored.status != CallbackStatus.CANCELLED
    assert stored.ticket.customer.contact_flagged_at is None
    assert "抱歉" in texts(dispatcher)


@pytest.mark.parametrize("text", ["我不知道这事，你们发错人了", "wrong number", "not me"])
async def test_a_wrong_person_in_words_ends_and_flags(survey, domain, text: str) -> None:
    s = survey()
    await run(ActionWrongPerson(), s.tracker("solved", text, intent="wrong_person", overall=3),
              domain)
    stored = s.stored()
    assert stored.status == CallbackStatus.CANCELLED
    assert stored.ticket.customer.contact_flagged_at is not None


async def test_a_greeting_at_the_last_question_is_no_comment(survey, domain) -> None:
    s = survey()
    slots, said = await run(ActionAcknowledge(),
                            s.tracker("comment", "你好", intent="greet", overall=5), domain)
    assert slots.get("comment") is None and slots["failed_question"] == "comment"
    assert "您好" in said
    assert s.stored().response is None
