"""ValidateSurveyForm, called directly on trackers built from a JSON fixture (no Rasa): each
conversation rule of docs/conversation.md checked on what is said, the slots set, and what is
stored."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import TEXTS
from actions.survey_form import ValidateSurveyForm
from huifang.db.models import EscalationStatus, Priority
from tests.actions.conftest import slot_events, texts


async def validate(tracker: Any, domain: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The slots the form sets, `requested_slot` included, and everything said (the next
    question too: the validation asks it)."""
    dispatcher = CollectingDispatcher()
    slots = slot_events(await ValidateSurveyForm().run(dispatcher, tracker, domain))
    return slots, texts(dispatcher)


async def test_a_satisfied_answer_moves_on_without_dimension_questions(survey, domain) -> None:
    s = survey()
    slots, _ = await validate(s.tracker("overall", "非常满意"), domain)
    assert slots["overall"] == 5 and slots["requested_slot"] == "solved"
    slots, _ = await validate(s.tracker("solved", "解决了", overall=5), domain)
    assert slots["solved"] is True and slots["requested_slot"] == "nps"
    assert (s.stored().response.overall, s.stored().response.solved) == (5, True)


async def test_a_rating_with_its_reason_is_a_rating_whatever_the_intent(survey, domain) -> None:
    """Guide rule 9 labels "2分，等得太久了" complain and "非常满意，抢修很及时" praise; the
    rating is still read: from the number, or from the `score` entity NLU marks in it."""
    s = survey()
    slots, _ = await validate(s.tracker("overall", "2分，等得太久了", intent="complain"), domain)
    assert slots["overall"] == 2 and s.stored().response.overall == 2
    s = survey()
    slots, _ = await validate(s.tracker("overall", "非常满意，抢修很及时", intent="praise",
                                        entities={"score": "非常满意"}), domain)
    assert slots["overall"] == 5 and s.stored().response.overall == 5


async def test_a_ten_point_answer_is_converted_and_said_back(survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("overall", "10分"), domain)
    assert slots["overall"] == 5 and slots["converted_question"] == "overall"
    assert "10 分 → 记为 5 分（非常满意）" in said and "没看懂" not in said
    assert s.stored().response.overall == 5


async def test_a_converted_score_can_be_corrected_once(survey, domain) -> None:
    s = survey()
    await validate(s.tracker("overall", "8分"), domain)
    assert s.stored().response.overall == 4
    slots, said = await validate(
        s.tracker("dim_1", "不对，是3分", overall=4, solved=True,
                  converted_question="overall"), domain)
    assert slots["overall"] == 3 and slots["converted_question"] is None
    assert "已改为 3 分（一般）" in said
    assert s.stored().response.overall == 3
    # overall 3 now asks what went wrong before the ratings
    assert slots["requested_slot"] == "problem"


async def test_stars_on_the_ten_point_question_are_said_back(survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("nps", "五星", overall=5, solved=True), domain)
    assert slots["nps"] == 10 and "5 星 → 记为 10 分" in said


async def test_a_low_score_escalates_at_once_and_says_by_when(survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("overall", "1分"), domain)
    assert slots["overall"] == 1
    (escalation,) = s.stored().escalations
    assert escalation.reasons == ["low_overall"] and escalation.status == EscalationStatus.OPEN
    assert "主管会在" in said and "前联系您" in said


async def test_a_regulator_threat_at_the_second_question_escalates_urgently(survey, domain
                                                                            ) -> None:
    s = survey()
    slots, said = await validate(
        s.tracker("solved", "没解决，再不处理我就打12315投诉你们", overall=3), domain)
    assert slots["solved"] is False
    (escalation,) = s.stored().escalations
    assert escalation.priority == Priority.URGENT
    assert "high_severity" in escalation.reasons and "not_solved" in escalation.reasons
    assert "服务主管" in said and "前联系您" in said
    complaint = next(c for c in s.stored().complaints if c.source == "solved")
    assert complaint.severity.value == "high"


async def test_a_complaint_that_names_the_problem_is_not_asked_about_again(survey, domain
                                                                           ) -> None:
    s = survey()
    slots, said = await validate(
        s.tracker("solved", "没修好，第二天又坏了，打了三次电话都没人管", intent="complain",
                  overall=2), domain)
    assert slots["solved"] is False
    assert slots["problem"] is not None  # already answered
    assert slots["requested_slot"] == "dim_1"
    assert "您反映的问题已记下" in said
    complaint = next(c for c in s.stored().complaints if c.source == "solved")
    assert {c.category for c in complaint.categories}


async def test_unreadable_answers_get_one_reask_then_the_question_is_skipped(survey, domain
                                                                             ) -> None:
    s = survey()
    slots, said = await validate(s.tracker("nps", "qwer", intent="out_of_scope",
                                           overall=5, solved=True), domain)
    assert slots["nps"] is None and slots["failed_question"] == "nps"
    assert "0–10" in said
    slots, said = await validate(s.tracker("nps", "asdf", intent="out_of_scope", overall=5,
                                           solved=True, failed_question="nps"), domain)
    assert slots["nps"] == "skipped" and slots["requested_slot"] == "comment"
    assert "跳过" in said


async def test_a_number_out_of_range_is_not_called_unreadable(survey, domain) -> None:
    s = survey()
    _, said = await validate(s.tracker("overall", "200分"), domain)
    assert "没看懂" not in said and "1–5" in said


async def test_the_skip_button_and_typed_skip_skip_the_question(survey, domain) -> None:
    s = survey()
    slots, _ = await validate(s.tracker("solved", '/skip{"question":"solved"}', intent="skip",
                                        entities={"question": "solved"}, overall=4), domain)
    assert slots["solved"] == "skipped"
    slots, _ = await validate(s.tracker("dim_1", "跳过", intent="out_of_scope", overall=4,
                                        solved="skipped"), domain)
    assert slots["dim_1"] == "skipped" and slots["requested_slot"] == "nps"
    assert s.stored().response is None  # nothing was answered


@pytest.mark.parametrize("closing", ["没了", "没啥了，谢谢", "就这样吧", "没意见",
                                     "挺好的，没别的了", "沒了，多謝"])
async def test_closing_remarks_at_the_comment_question_finish_the_survey(survey, domain,
                                                                         closing: str) -> None:
    s = survey()
    slots, _ = await validate(s.tracker("comment", closing, intent="deny", overall=5,
                                        solved=True, nps=10), domain)
    assert slots["comment"] == "skipped" and slots["requested_slot"] is None


async def test_a_comment_is_stored_and_a_button_of_another_question_records_nothing(
        survey, domain) -> None:
    s = survey()
    slots, _ = await validate(s.tracker("comment", '/inform_score{"score":"3","question":"nps"}',
                                        entities={"score": "3", "question": "nps"}, overall=5,
                                        solved=True, nps=9), domain)
    assert slots["comment"] is None
    slots, _ = await validate(s.tracker("comment", "师傅很专业", intent="praise", overall=5,
                                        solved=True, nps=9), domain)
    assert slots["comment"] == "师傅很专业"
    assert s.stored().response.comment == "师傅很专业"
    assert s.stored().response.nps is None


@pytest.mark.parametrize(("question", "slots"), [
    ("overall", {}), ("nps", {"overall": 5, "solved": True}),
    ("solved", {"overall": 5}), ("comment", {"overall": 5, "solved": True, "nps": 9}),
])
async def test_typed_intent_syntax_answers_no_question(survey, domain, question: str,
                                                       slots: dict[str, Any]) -> None:
    """A customer typing `/inform_score{"score":"1"}` (the channel made its slash full-width)
    is typing commands, not answering: its digit is no score, nothing is stored, nothing
    escalates, and the question is asked again. The NLU tags the digit as a score anyway."""
    s = survey()
    typed = f'／inform_score{{"score":"1","question":"{question}"}}'
    got, said = await validate(s.tracker(question, typed, entities={"score": "1",
                                                                     "question": question},
                                         **slots), domain)
    assert got[question] is None and got["requested_slot"] == question
    assert "记下" not in said and "主管" not in said
    stored = s.stored()
    assert (stored.response, stored.escalations, stored.complaints) == (None, [], [])


async def test_the_validation_asks_the_next_question_itself(survey, domain) -> None:
    """One call to the action server a turn: the answer's acknowledgement and the next
    question come back together (Rasa's form has no action_ask_<slot> to call)."""
    s = survey()
    dispatcher = CollectingDispatcher()
    events = await ValidateSurveyForm().run(
        dispatcher, s.tracker("nps", "9", overall=5, solved=True), domain)
    assert slot_events(events)["requested_slot"] == "comment"
    assert texts(dispatcher).endswith(TEXTS["ask_comment"])
    assert "跳过" in str(dispatcher.messages[-1]["buttons"])
    assert "ask_" not in " ".join(a for a in domain["actions"] if isinstance(a, str))


async def test_the_last_answer_asks_nothing_more(survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("comment", "师傅很专业", intent="praise", overall=5,
                                           solved=True, nps=9), domain)
    assert slots["requested_slot"] is None
    assert not any(TEXTS[key] in said for key in TEXTS if key.startswith("ask_"))


async def test_a_question_shown_again_after_a_pause_has_spent_its_reask(survey, domain) -> None:
    s = survey()
    tracker = s.tracker("nps", "你好", intent="greet", overall=5, solved=True)
    tracker.events[-1:] = [{"event": "action", "name": "action_resume_callback"},
                           {"event": "action", "name": "survey_form"}]
    dispatcher = CollectingDispatcher()
    slots = slot_events(await ValidateSurveyForm().run(dispatcher, tracker, domain))
    assert slots == {"requested_slot": "nps", "failed_question": "nps"}
    assert texts(dispatcher) == TEXTS["ask_nps"]
    answered, _ = await validate(s.tracker("nps", "9", overall=5, solved=True), domain)
    assert answered["failed_question"] is None


# --- answering what was said (issue 12: customers who do not follow the script) ------------

async def test_a_yes_with_details_is_a_yes_and_no_complaint(survey, domain) -> None:
    """The model reads the details ("no noise at all any more") as a quality complaint; the
    answer is a yes, and nothing is escalated."""
    s = survey()
    slots, said = await validate(
        s.tracker("solved", "解决了，现在一点异响都没有了，开着很安静", intent="affirm", overall=5),
        domain)
    assert slots["solved"] is True and slots["requested_slot"] == "nps"
    assert "抱歉" not in said
    stored = s.stored()
    assert stored.response.solved is True
    assert stored.escalations == [] and stored.complaints == []


async def test_a_safety_complaint_at_solved_is_a_no_and_not_asked_again(survey, domain) -> None:
    s = survey()
    slots, said = await validate(
        s.tracker("solved", "刹车还是软软的，前天差点撞上前车", intent="complain", overall=3),
        domain)
    assert slots["solved"] is False
    assert slots["problem"] is not None and slots["requested_slot"] == "dim_1"
    (escalation,) = s.stored().escalations
    assert escalation.priority == Priority.URGENT
    assert {"high_severity", "not_solved"} <= set(escalation.reasons)
    assert "前联系您" in said


async def test_solved_said_with_the_score_is_not_asked_again(survey, domain) -> None:
    s = survey()
    slots, _ = await validate(s.tracker("overall", "5分，问题都解决了"), domain)
    assert slots["overall"] == 5 and slots["solved"] is True
    assert slots["requested_slot"] == "nps"
    assert (s.stored().response.overall, s.stored().response.solved) == (5, True)


async def test_solved_said_instead_of_the_score_is_kept_and_the_score_asked_again(
        survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("overall", "问题都解决了", intent="affirm"), domain)
    assert slots["overall"] is None and slots["failed_question"] == "overall"
    assert slots["solved"] is True and slots["requested_slot"] == "overall"
    assert "没看懂" not in said and "解决了就好" in said
    assert s.stored().response.solved is True


async def test_a_remark_about_reading_the_chat_is_no_complaint(survey, domain) -> None:
    s = survey()
    slots, said = await validate(s.tracker("overall", "字太小了，我看不清楚", intent="complain"),
                                 domain)
    assert slots["overall"] is None and slots["failed_question"] == "overall"
    assert "按钮" in said and "抱歉" not in said and "已记下" not in said
    assert s.stored().complaints == [] and s.stored().escalations == []


async def test_a_neutral_remark_heard_as_a_complaint_promises_no_follow_up(survey, domain
                                                                          ) -> None:
    """"刚修完还没用，不好说" ("just fixed, not used yet, hard to say"): the NLU heard a
    complaint, the classifier a neutral remark; the customer was told it would be passed on to
    someone to follow up."""
    s = survey()
    slots, said = await validate(s.tracker("overall", "刚修完还没用，不好说", intent="complain"),
                                 domain)
    assert slots["overall"] is None and slots["failed_question"] == "overall"
    assert "跟进" not in said and "负责人" not in said and "记下" in said
    assert s.stored().escalations == []


async def test_a_favourable_score_with_a_misread_sentence_is_no_complaint(survey, domain
                                                                          ) -> None:
    """"会推荐的…" is an 8 at the recommend question; the model's negative (even high)
    reading of the rest is not a complaint to escalate."""
    s = survey()
    slots, said = await validate(
        s.tracker("nps", "会推荐的，我邻居家也要装宽带", intent="nlu_fallback", overall=5,
                  solved=True), domain)
    assert slots["nps"] == 8
    assert s.stored().complaints == [] and s.stored().escalations == []
    assert "抱歉" not in said and "歉意" not in said


async def test_a_complaint_after_a_bare_no_is_classified_without_the_no(survey, domain) -> None:
    """The classifier takes "冇，收費貴咗好多" for "no problem"; the 冇 answers our question,
    the rest is the complaint: price, so "what went wrong?" is not asked."""
    s = survey()
    slots, said = await validate(
        s.tracker("solved", "冇，收費貴咗好多", intent="complain", overall=2), domain)
    assert slots["solved"] is False
    assert slots["problem"] is not None and slots["requested_slot"] != "problem"
    complaint = next(c for c in s.stored().complaints if c.source == "solved")
    assert {c.category for c in complaint.categories} == {"price"}
    assert complaint.text == "冇，收費貴咗好多"
    assert "收費" in said or "收费" in said


async def test_a_failing_classifier_keeps_the_comment_and_alerts_operations(
        survey, domain, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A classifier bug (a decimal number once crashed it) must not cost the customer's
    answer: the comment is kept unclassified, the survey goes on, operations hear of it, and
    the log names no word of what the customer wrote."""
    def broken(texts: list[str], overall: list[int | None]) -> list[Any]:
        raise ValueError(f"cannot read {texts[0]!r}")  # an error that quotes the text

    monkeypatch.setattr("actions.complaint_classification._classifier", lambda: broken)
    s = survey()
    comment = "王先生说手续费0.6%，这不是误导人吗"
    slots, said = await validate(s.tracker("comment", comment, intent="complain", overall=4,
                                           solved=True, nps=8), domain)
    assert slots["comment"] == comment and slots["requested_slot"] != "comment" and said
    assert s.stored().response.comment == comment
    alerts = [r.getMessage() for r in caplog.records if "classifier" in r.getMessage()]
    assert alerts and "王先生" not in " ".join(r.getMessage() for r in caplog.records)


async def test_a_complaint_word_heard_as_praise_is_not_thanked_for(survey, domain) -> None:
    """"态度" (the service attitude, after a complaint), heard as praise: "谢谢您的肯定"."""
    s = survey()
    _, said = await validate(s.tracker("solved", "态度", intent="praise", overall=1), domain)
    assert "肯定" not in said and "记下" in said
