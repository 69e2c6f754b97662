"""The survey form: which questions a callback asks (from its template), how each question is
asked, and how each answer is read and written as it arrives.

An unreadable answer gets one re-ask (the question comes again with its buttons); a second
unreadable answer skips the question — the form never loops. A stale button from an earlier
question (a double tap) is ignored, so it cannot record a second answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_parsing import parse_yes_no, read_score
from actions.complaint_classification import apology_for, classify_text
from actions.conversation_state import (
    SKIPPED,
    callback_id,
    customer_script,
    in_transaction,
    is_answer_text,
    latest_entity,
    latest_intent,
    latest_text,
    parsed_text,
)
from actions.replies import (
    CATEGORY_LABELS,
    Speaker,
    category_buttons,
    no_comment_button,
    rating_buttons,
    yes_no_buttons,
)
from huifang import survey_answers
from huifang.db.types import utcnow
from huifang.surveys import template_named

FEEDBACK_INTENTS = {"complain": "feedback_complain", "praise": "feedback_praise",
                    "suggest": "feedback_suggest"}
NO_COMMENT_WORDS = {"没有", "没有了", "无", "没", "没了", "暂时没有", "都挺好", "没什么", "不用了", "没意见"}
RECOVERY_TEMPLATE = "recovery"
FEEDBACK_MIN_CHARS = 6


def needs_problem_question(tracker: Tracker) -> bool:
    overall = tracker.get_slot("overall")
    return (isinstance(overall, int) and overall <= 3) or tracker.get_slot("solved") is False


def _scale(slot: str) -> int:
    return 10 if slot == "nps" else 5


class ValidateSurveyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_survey_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = template_named(tracker.get_slot("template")).required_slots()
        if needs_problem_question(tracker):
            anchor = "solved" if "solved" in slots else "overall"
            slots.insert(slots.index(anchor) + 1, "problem")
        return slots

    # --- shared reading rules -------------------------------------------------------------

    @staticmethod
    def _already_validated(value: Any, tracker: Tracker) -> bool:
        """On re-activation (after a pause) Rasa re-validates answered slots; their values are
        no longer the raw message text, and must be kept as they are."""
        return value is not None and value not in (latest_text(tracker), parsed_text(tracker))

    def _stale_button(self, tracker: Tracker, slot: str) -> bool:
        question = latest_entity(tracker, "question")
        return question is not None and question != slot

    async def _unreadable(self, slot: str, tracker: Tracker, speaker: Speaker,
                          not_understood: str, **values: Any) -> dict[str, Any]:
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        if intent in FEEDBACK_INTENTS and is_answer_text(text):
            await self._keep_feedback(tracker, text, intent)
            speaker.say(FEEDBACK_INTENTS[intent])
            return {slot: None, "script": speaker.script}
        if tracker.get_slot("failed_question") == slot:
            speaker.say("skipped")
            return {slot: SKIPPED, "failed_question": None, "script": speaker.script}
        speaker.say(not_understood, **values)
        return {slot: None, "failed_question": slot, "script": speaker.script}

    async def _keep_feedback(self, tracker: Tracker, text: str, intent: str) -> None:
        classification = await classify_text(text)
        await self._write(tracker, survey_answers.record_complaint, text, f"feedback_{intent}",
                          classification)

    async def _write(self, tracker: Tracker, record: Any, *args: Any) -> None:
        cid = callback_id(tracker)
        if cid is None:
            return

        def write(session: Any) -> None:
            callback = survey_answers.load_callback(session, cid)
            if callback is not None:
                record(session, callback, *args, utcnow())

        await in_transaction(write)

    async def _rating(self, slot: str, value: Any, tracker: Tracker,
                      dispatcher: CollectingDispatcher, record: Any,
                      *record_args: Any) -> dict[str, Any]:
        if self._already_validated(value, tracker):
            return {slot: value}
        speaker = Speaker(dispatcher, customer_script(tracker))
        if self._stale_button(tracker, slot):
            return {slot: None}
        if latest_intent(tracker) in FEEDBACK_INTENTS and len(latest_text(tracker)) > \
                FEEDBACK_MIN_CHARS and latest_entity(tracker, "score") is None:
            # a sentence of praise or complaint is feedback; its adjectives are not a rating
            return await self._unreadable(slot, tracker, speaker, "not_understood_rating")
        entity = latest_entity(tracker, "score")
        score = read_score(latest_text(tracker), str(entity) if entity else None, _scale(slot))
        if score is None:
            low, high = (0, 10) if _scale(slot) == 10 else (1, 5)
            return await self._unreadable(slot, tracker, speaker, "not_understood_rating",
                                          low=low, high=high)
        await self._write(tracker, record, *record_args, score)
        return {slot: score, "failed_question": None, "script": speaker.script}

    # --- one validator per question ---------------------------------------------------------

    async def validate_overall(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._rating("overall", value, tracker, dispatcher, survey_answers.record_overall)

    async def validate_nps(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._rating("nps", value, tracker, dispatcher, survey_answers.record_nps)

    async def _dimension(self, slot: str, value: Any, tracker: Tracker,
                         dispatcher: CollectingDispatcher) -> dict[str, Any]:
        dimension = template_named(tracker.get_slot("template")).dimension_for_slot(slot)
        return await self._rating(slot, value, tracker, dispatcher, survey_answers.record_dimension,
                                  dimension.code)

    async def validate_dim_1(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._dimension("dim_1", value, tracker, dispatcher)

    async def validate_dim_2(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._dimension("dim_2", value, tracker, dispatcher)

    async def validate_dim_3(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._dimension("dim_3", value, tracker, dispatcher)

    async def validate_solved(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._already_validated(value, tracker):
            return {"solved": value}
        speaker = Speaker(dispatcher, customer_script(tracker))
        if self._stale_button(tracker, "solved"):
            return {"solved": None}
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        solved = {"affirm": True, "deny": False}.get(intent or "") if text.startswith("/") else None
        if solved is None:
            solved = parse_yes_no(text)
        if solved is None:
            return await self._unreadable("solved", tracker, speaker, "not_understood_yes_no")
        await self._write(tracker, survey_answers.record_solved, solved)
        return {"solved": solved, "failed_question": None, "script": speaker.script}

    async def validate_problem(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._already_validated(value, tracker):
            return {"problem": value}
        speaker = Speaker(dispatcher, customer_script(tracker))
        if self._stale_button(tracker, "problem"):
            return {"problem": None}
        chosen = latest_entity(tracker, "category")
        text = latest_text(tracker)
        if chosen in CATEGORY_LABELS:
            await self._write(tracker, _record_problem, CATEGORY_LABELS[chosen], None, [chosen])
            speaker.say_text(apology_for([chosen], "medium"))
            return {"problem": chosen, "script": speaker.script}
        if not is_answer_text(text):
            return {"problem": None}
        classification = await classify_text(text)
        await self._write(tracker, _record_problem, text, classification, [])
        categories = classification.categories if classification else []
        speaker.say_text(apology_for(categories, classification.severity if classification else
                                     "medium"))
        return {"problem": text, "script": speaker.script}

    async def validate_comment(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._already_validated(value, tracker):
            return {"comment": value}
        speaker = Speaker(dispatcher, customer_script(tracker))
        if self._stale_button(tracker, "comment"):
            return {"comment": None}
        text = latest_text(tracker).strip()
        no_comment = (not is_answer_text(text) and latest_intent(tracker) == "deny") or \
            text.rstrip("。.!！~～") in NO_COMMENT_WORDS
        if no_comment:
            return {"comment": SKIPPED, "script": speaker.script}
        if not is_answer_text(text):
            return {"comment": None}
        await self._write(tracker, survey_answers.record_comment, text)
        intent = latest_intent(tracker)
        if intent in FEEDBACK_INTENTS:
            await self._keep_feedback(tracker, text, intent)
        return {"comment": text, "script": speaker.script}


def _record_problem(session: Any, callback: Any, text: str, classification: Any,
                    chosen: list[str], now: datetime) -> None:
    survey_answers.record_complaint(session, callback, text, "problem", classification, now,
                                    chosen_categories=chosen)


class _AskAction(Action, ABC):
    """Asks one question of the form, in the customer's script, with its buttons."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        self.ask(speaker, tracker)
        return []

    @abstractmethod
    def ask(self, speaker: Speaker, tracker: Tracker) -> None: ...


class AskOverall(_AskAction):
    slot = "overall"

    def ask(self, speaker: Speaker, tracker: Tracker) -> None:
        key = "ask_recovery" if tracker.get_slot("template") == RECOVERY_TEMPLATE else "ask_overall"
        speaker.say(key, rating_buttons("overall", 5))


class AskSolved(_AskAction):
    slot = "solved"

    def ask(self, speaker: Speaker, tracker: Tracker) -> None:
        speaker.say("ask_solved", yes_no_buttons("solved"))


class AskProblem(_AskAction):
    slot = "problem"

    def ask(self, speaker: Speaker, tracker: Tracker) -> None:
        speaker.say("ask_problem", category_buttons("problem"))


def _dimension_question(slot: str) -> type[_AskAction]:
    """The ask action of dimension slot `slot`; its label comes from the survey template."""

    def ask(self: _AskAction, speaker: Speaker, tracker: Tracker) -> None:
        dimension = template_named(tracker.get_slot("template")).dimension_for_slot(slot)
        speaker.say("ask_dimension", rating_buttons(slot, 5), label=dimension.label)

    name = "Ask" + slot.title().replace("_", "")
    return type(name, (_AskAction,), {"slot": slot, "ask": ask, "__module__": __name__})


AskDim1, AskDim2, AskDim3 = (_dimension_question(f"dim_{n}") for n in range(1, 4))


class AskNps(_AskAction):
    slot = "nps"

    def ask(self, speaker: Speaker, tracker: Tracker) -> None:
        speaker.say("ask_nps", rating_buttons("nps", 10))


class AskComment(_AskAction):
    slot = "comment"

    def ask(self, speaker: Speaker, tracker: Tracker) -> None:
        speaker.say("ask_comment", no_comment_button("comment"))
