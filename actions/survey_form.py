"""The survey form: which questions a callback asks (from its template and the answers so far),
how each question is asked, and how each answer is read and written as it arrives.

The rules are docs/conversation.md: every typed text is classified first and answered on what
it says; a trigger escalates on the spot; one re-ask per question across every intent
(actions/attempt_budget.py); a number on another scale is converted, said back and may be
corrected once; every question after the first can be skipped. A stale button from an earlier
question (a double tap) records nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import attempt_budget
from actions.answer_parsing import (
    has_number,
    is_bare_score,
    is_closing_remark,
    is_emoji_only,
    is_go_ahead,
    is_nothing_in_particular,
    is_skip_request,
    mentions_recommendation,
    mentions_solved,
    parse_yes_no,
    read_rating,
    reads_as_correction,
)
from actions.complaint_classification import apology_for
from actions.conversation_outcome import Write, record_turn
from actions.conversation_state import (
    customer_script,
    is_answer_text,
    known_overall,
    latest_entity,
    latest_intent,
    latest_text,
    parsed_text,
)
from actions.free_text import (
    FEEDBACK_INTENTS,
    Heard,
    acknowledgement,
    han_characters,
    hear,
    keep,
)
from actions.replies import (
    CATEGORY_LABELS,
    SKIP_INTENT,
    Speaker,
    category_buttons,
    likert_label,
    no_comment_button,
    rating_buttons,
    skip_button,
    yes_no_buttons,
)
from huifang import survey_answers
from huifang.plain_text import is_typed_intent
from huifang.surveys import PROBLEM_SLOT, SurveyTemplate, template_named

RECOVERY_TEMPLATE = "recovery"
FEEDBACK_MIN_CHARS = 6
CONVERTED_SLOT = "converted_question"


def scale_of(slot: str) -> int:
    return 10 if slot == "nps" else 5


def is_rating(slot: str) -> bool:
    return slot in ("overall", "nps") or slot.startswith("dim_")


def _just_rated(tracker: Tracker) -> str | None:
    """The rating question the customer's previous message answered, if any."""
    messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            messages += 1
            if messages == 2:
                return None
        elif messages == 1 and event.get("event") == "slot" and event.get("value") is not None \
                and is_rating(str(event.get("name"))):
            return str(event["name"])
    return None


def known_solved(tracker: Tracker) -> bool | None:
    value = tracker.get_slot("solved")
    return value if isinstance(value, bool) else None


def template_of(tracker: Tracker) -> SurveyTemplate:
    return template_named(tracker.get_slot("template"))


def _recorder(tracker: Tracker, slot: str) -> Callable[[int], Write]:
    """How a rating for `slot` is written."""
    if slot == "overall":
        return lambda score: lambda s, c, now: survey_answers.record_overall(s, c, score, now)
    if slot == "nps":
        return lambda score: lambda s, c, now: survey_answers.record_nps(s, c, score, now)
    code = template_of(tracker).dimension_for_slot(slot).code
    return lambda score: lambda s, c, now: survey_answers.record_dimension(s, c, code, score, now)


@dataclass
class Turn:
    """One customer message at the open question `slot`."""

    slot: str
    tracker: Tracker
    speaker: Speaker
    text: str
    intent: str | None

    @property
    def typed(self) -> bool:
        return is_answer_text(self.text)

    def done(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "script": self.speaker.script}


Reader = Callable[[Turn, Heard], Awaitable[dict[str, Any]]]
_FROM_NLU = "from the NLU"


def rating_verdict(slot: str, value: int) -> bool | None:
    """Whether a rating says the customer is content (4–5 of 5, 8–10 of 10: True), unhappy
    (1–2 of 5, 0–6 of 10: False), or neither (3, 7)."""
    content, unhappy = (8, 6) if scale_of(slot) == 10 else (4, 2)
    return True if value >= content else False if value <= unhappy else None


def _record_solved(solved: bool) -> Write:
    return lambda s, c, now: survey_answers.record_solved(s, c, solved, now)


class ValidateSurveyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_survey_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return template_of(tracker).required_slots(known_overall(tracker), known_solved(tracker))

    # --- one round trip a turn: the validation call asks the next question ----------------
    # The domain has no action_ask_<slot>, so Rasa's form asks nothing after validating: the
    # question goes out with the validation's answer instead of in a second call carrying the
    # whole tracker again (docs/performance.md). Rasa validates before every question it
    # would ask: after each message, at activation and when the form comes back.

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        """The first unanswered question of this callback's survey (None: the survey is done),
        always set here (rasa-sdk leaves it to Rasa when the list is the domain's)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker,
                                             domain)
        return SlotSet(REQUESTED_SLOT,
                       next((slot for slot in required if tracker.get_slot(slot) is None), None))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        slot = next(e["value"] for e in events
                    if e["event"] == "slot" and e["name"] == REQUESTED_SLOT)
        return [*events, *ask(slot, tracker, dispatcher)] if slot else events

    # --- the steps every answer goes through ----------------------------------------------

    @staticmethod
    def _already_validated(value: Any, tracker: Tracker) -> bool:
        """On re-activation (after a pause) Rasa re-validates answered slots; their values are
        no longer the raw message text, and must be kept as they are."""
        return value is not None and value not in (latest_text(tracker), parsed_text(tracker))

    def _reader(self, slot: str) -> Reader:
        if is_rating(slot):
            return self._read_rating
        return {"solved": self._read_solved, PROBLEM_SLOT: self._read_problem,
                "comment": self._read_comment}[slot]

    async def answer(self, slot: str, text: str, tracker: Tracker,
                     dispatcher: CollectingDispatcher, intent: str | None = _FROM_NLU,
                     heard: Heard | None = None) -> dict[str, Any]:
        """Read `text` as the answer to the open question `slot`. `intent` replaces the NLU's
        when an interruption action found that the words say otherwise (docs/conversation.md)."""
        turn = Turn(slot, tracker, Speaker(dispatcher, customer_script(tracker)), text,
                    latest_intent(tracker) if intent == _FROM_NLU else intent)
        question = latest_entity(tracker, "question")
        if question is not None and question != slot:  # a button of an earlier question
            return turn.done(attempt_budget.miss(tracker, turn.speaker, slot))
        if turn.typed and is_typed_intent(turn.text):  # commands typed, not an answer
            reask, values = _not_understood(slot)
            return turn.done(attempt_budget.miss(tracker, turn.speaker, slot, reask, **values))
        if turn.intent == SKIP_INTENT or (turn.typed and is_skip_request(turn.text)):
            return turn.done({**attempt_budget.skip(slot), CONVERTED_SLOT: None})
        corrected = await self._correction(turn)
        if corrected is not None:
            return turn.done(corrected)
        if heard is None or heard.intent != turn.intent:
            heard = await hear(turn.text, turn.intent, known_overall(tracker))
        values = await self._reader(slot)(turn, heard)
        if values.get(slot) is not None and CONVERTED_SLOT not in values:
            values[CONVERTED_SLOT] = None
        return turn.done(values)

    async def _validate(self, slot: str, value: Any, tracker: Tracker,
                        dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if self._already_validated(value, tracker):
            return {slot: value}
        return await self.answer(slot, latest_text(tracker), tracker, dispatcher)

    async def _correction(self, turn: Turn) -> dict[str, Any] | None:
        """Right after a rating, "不对，刚才说错了，是2分" corrects it (right after a converted
        score, a bare score where no score is asked does too); the open question is then asked
        again."""
        converted = turn.tracker.get_slot(CONVERTED_SLOT)
        previous = converted or _just_rated(turn.tracker)
        if not previous or previous == turn.slot or not turn.typed:
            return None
        rating = read_rating(turn.text, None, scale_of(previous))
        bare_score = previous == converted and not is_rating(turn.slot) and \
            has_number(turn.text) and parse_yes_no(turn.text) is None
        if rating is None or not (reads_as_correction(turn.text) or bare_score):
            return None
        await record_turn(turn.tracker, _recorder(turn.tracker, previous)(rating.value))
        turn.speaker.say("corrected", value=rating.value,
                         label=likert_label(rating.value, scale_of(previous)))
        return {previous: rating.value, turn.slot: None, CONVERTED_SLOT: None}

    @staticmethod
    def _still_to_ask(turn: Turn, slot: str) -> bool:
        """Whether a typed answer to another question may also answer `slot`: the survey asks
        it and it is not answered yet."""
        template = template_of(turn.tracker)
        asked = {"solved": template.ask_solved, "nps": template.ask_nps}[slot]
        return asked and turn.typed and turn.slot != slot and turn.tracker.get_slot(slot) is None

    def _solved_in_passing(self, turn: Turn) -> bool | None:
        """"5分，问题也解决了": an answer to another question that also says whether the
        problem was solved answers "solved?" before it is asked."""
        return mentions_solved(turn.text) if self._still_to_ask(turn, "solved") else None

    def _recommendation_in_passing(self, turn: Turn) -> tuple[list[Write], dict[str, Any]]:
        """"5分，会推荐给朋友": the recommendation question answered before it is asked (its
        write, its slot)."""
        score = mentions_recommendation(turn.text) if self._still_to_ask(turn, "nps") else None
        if score is None:
            return [], {}
        return [_recorder(turn.tracker, "nps")(score)], {"nps": score}

    async def _unanswered(self, turn: Turn, heard: Heard, reask: str | None,
                          **values: Any) -> dict[str, Any]:
        """Nothing for the open question: keep and answer what the words said (a remark about
        reading the chat gets help instead; a solved answer given early is kept), then spend
        the question's one re-ask (or skip it)."""
        solved = self._solved_in_passing(turn)
        recommended, recommendation = self._recommendation_in_passing(turn)
        writes = [_record_solved(solved)] if solved is not None else []
        heard = heard.answering(well=solved)
        said = await self._answer_words(turn, heard, [*writes, *recommended])
        if heard.about_the_chat:
            reask = "reading_help"
        elif not said and solved is not None:
            turn.speaker.say("solved_noted" if solved else "low_score_sorry")
            said = True
        elif not said and recommendation:
            turn.speaker.say("recommendation_noted")
            said = True
        elif not said and turn.typed and (reply := heard.feedback_reply):
            turn.speaker.say(reply)
            said = True
        result = attempt_budget.miss(turn.tracker, turn.speaker, turn.slot,
                                     None if said else reask, **values)
        if solved is not None:
            result["solved"] = solved
        return {**result, **recommendation, **self._problem_known(turn, heard)}

    async def _answer_words(self, turn: Turn, heard: Heard, writes: list[Write],
                            *, name_categories: bool = True) -> bool:
        """Write the answer and the words worth keeping, escalate, and answer what was said."""
        if heard.worth_keeping():
            writes = [*writes, keep(heard, _source(turn))]
        if not writes:
            return False
        outcome = await record_turn(turn.tracker, *writes)
        reply = acknowledgement(heard, outcome, name_categories=name_categories and
                                turn.tracker.get_slot(PROBLEM_SLOT) is None)
        if reply:
            turn.speaker.say_text(reply)
        return bool(reply)

    @staticmethod
    def _problem_known(turn: Turn, heard: Heard) -> dict[str, Any]:
        """Words that already name what went wrong answer "what went wrong?" before it is
        asked."""
        if heard.complaint_categories and turn.tracker.get_slot(PROBLEM_SLOT) is None \
                and turn.slot != PROBLEM_SLOT:
            return {PROBLEM_SLOT: heard.text}
        return {}

    # --- ratings ----------------------------------------------------------------------------

    async def _read_rating(self, turn: Turn, heard: Heard) -> dict[str, Any]:
        slot, tracker = turn.slot, turn.tracker
        entity = latest_entity(tracker, "score")
        text = "" if not turn.typed else turn.text
        if turn.intent in FEEDBACK_INTENTS and len(text) > FEEDBACK_MIN_CHARS \
                and entity is None and not has_number(text):
            # a sentence of praise or complaint is feedback; its adjectives are not a rating
            return await self._unanswered(turn, heard, "not_understood_rating", **_range(slot))
        rating = read_rating(text, str(entity) if entity is not None else None, scale_of(slot))
        if rating is None:
            reask = "out_of_range" if has_number(text) else "not_understood_rating"
            return await self._unanswered(turn, heard, reask, **_range(slot))
        if rating.written_as:
            turn.speaker.say("converted", written=rating.written_as, value=rating.value,
                             label=likert_label(rating.value, scale_of(slot)))
        solved = self._solved_in_passing(turn)
        recommended, recommendation = self._recommendation_in_passing(turn)
        writes = [_recorder(tracker, slot)(rating.value), *recommended]
        if solved is not None:
            writes.append(_record_solved(solved))
        heard = heard.answering(well=rating_verdict(slot, rating.value))
        said = await self._answer_words(turn, heard, writes)
        template = template_of(tracker)
        if slot == "overall" and not said and template.needs_problem_question(
                rating.value, solved if solved is not None else known_solved(tracker)):
            turn.speaker.say("low_score_sorry")
        return {slot: rating.value, **attempt_budget.answered(),
                CONVERTED_SLOT: slot if rating.written_as else None,
                **({"solved": solved} if solved is not None else {}),
                **recommendation, **self._problem_known(turn, heard)}

    async def validate_overall(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("overall", value, tracker, dispatcher)

    async def validate_nps(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("nps", value, tracker, dispatcher)

    async def validate_dim_1(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("dim_1", value, tracker, dispatcher)

    async def validate_dim_2(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("dim_2", value, tracker, dispatcher)

    # --- was it solved ----------------------------------------------------------------------

    async def _read_solved(self, turn: Turn, heard: Heard) -> dict[str, Any]:
        if turn.typed:
            solved = parse_yes_no(turn.text)
            if solved is None and heard.says_problem_persists:
                solved = False
        else:
            solved = {"affirm": True, "deny": False}.get(turn.intent or "")
        if solved is None:
            return await self._unanswered(turn, heard, "not_understood_yes_no")
        recommended, recommendation = self._recommendation_in_passing(turn)
        heard = heard.answering(well=solved)
        said = await self._answer_words(turn, heard, [_record_solved(solved), *recommended])
        if not solved and not said:
            turn.speaker.say("low_score_sorry")
        return {"solved": solved, **attempt_budget.answered(), **recommendation,
                **self._problem_known(turn, heard)}

    async def validate_solved(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("solved", value, tracker, dispatcher)

    # --- what went wrong --------------------------------------------------------------------

    async def _read_problem(self, turn: Turn, heard: Heard) -> dict[str, Any]:
        tracker = turn.tracker
        chosen = latest_entity(tracker, "category")
        if not turn.typed and chosen in CATEGORY_LABELS:
            label = CATEGORY_LABELS[chosen]
            await record_turn(tracker, keep(Heard(label, None), PROBLEM_SLOT, [chosen]))
            turn.speaker.say_text(apology_for([chosen]))
            return {PROBLEM_SLOT: chosen, **attempt_budget.answered()}
        if not turn.typed:
            return await self._unanswered(turn, heard, None)
        if is_closing_remark(turn.text) or is_nothing_in_particular(turn.text):
            return attempt_budget.skip(PROBLEM_SLOT)
        if is_bare_score(turn.text):  # "6分吧": a score where reasons are asked
            return await self._unanswered(turn, heard, "problem_not_a_score")
        if is_emoji_only(turn.text):  # "😡😡😡": feelings, but no aspect to record
            return await self._unanswered(turn, heard, "problem_in_words")
        outcome = await record_turn(tracker, keep(heard, PROBLEM_SLOT))
        reply = acknowledgement(heard, outcome)
        turn.speaker.say_text(reply or apology_for([]))
        return {PROBLEM_SLOT: turn.text, **attempt_budget.answered()}

    async def validate_problem(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate(PROBLEM_SLOT, value, tracker, dispatcher)

    # --- anything else to say ---------------------------------------------------------------

    async def _read_comment(self, turn: Turn, heard: Heard) -> dict[str, Any]:
        if not turn.typed:
            if turn.intent == "deny":  # the old "没有了" button
                return attempt_budget.skip("comment")
            return await self._unanswered(turn, heard, None)
        text = turn.text.strip()
        if is_closing_remark(text):
            return attempt_budget.skip("comment")
        record: Write = lambda s, c, now: survey_answers.record_comment(s, c, text, now)
        await self._answer_words(turn, heard, [record], name_categories=False)
        return {"comment": text, **attempt_budget.answered()}

    async def validate_comment(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("comment", value, tracker, dispatcher)


async def answer_in_passing(tracker: Tracker, dispatcher: CollectingDispatcher,
                            intent: str | None, heard: Heard | None = None
                            ) -> dict[str, Any] | None:
    """A message the rules sent to an interruption action that still answers the open
    question ("有解決，謝謝" read as thanks at "solved?", "来的太满了，等了一下午" read as busy at
    "what went wrong?"): the form reads it as the answer. None when it answers nothing."""
    slot = tracker.get_slot("requested_slot")
    text = latest_text(tracker)
    if not slot or not is_answer_text(text):
        return None
    heard = heard if heard is not None and heard.intent == intent \
        else await hear(text, intent, known_overall(tracker))
    if not _answers(slot, text, tracker, heard):
        return None
    return await ValidateSurveyForm().answer(slot, text, tracker, dispatcher, intent, heard)


async def answer_on_return(tracker: Tracker, dispatcher: CollectingDispatcher
                           ) -> dict[str, Any] | None:
    """A postponed customer who comes back with the answer to the question left open ("5", or
    "没解决", a minute after "在开车，晚点再说"): that answer, read as the form reads it. Scores
    and yes/no only; other words are heard as usual once the survey goes on. None when the
    message answers nothing, or only invites the questions ("好了，你问吧")."""
    if is_go_ahead(latest_text(tracker)):
        return None
    slots = template_of(tracker).required_slots(known_overall(tracker), known_solved(tracker))
    left_open = next((slot for slot in slots if tracker.get_slot(slot) is None), None)
    if left_open is None or not (is_rating(left_open) or left_open == "solved"):
        return None
    view = tracker.copy()
    view.slots[REQUESTED_SLOT] = left_open
    return await answer_in_passing(view, dispatcher, latest_intent(tracker))


async def answer_instead(tracker: Tracker, dispatcher: CollectingDispatcher,
                         heard: Heard | None = None) -> list[dict[str, Any]] | None:
    """The NLU heard an interruption the words do not bear out (no "later" in a busy
    message, a refund demand taken for an opt-out, no farewell in a goodbye): the message is
    read as an answer to the open question, with no intent, and the form carries on. None when
    it answers nothing."""
    values = await answer_in_passing(tracker, dispatcher, None, heard)
    if values is None:
        return None
    return [*attempt_budget.as_events(values), FollowupAction("survey_form")]


def ask_again(tracker: Tracker, speaker: Speaker, reply: str) -> list[dict[str, Any]]:
    """An interruption that only the NLU heard, in a message that answers nothing (`<img src=x
    onerror=alert(1)>` read as goodbye, "我不知道" as a wrong person): `reply`, then the open
    question within its attempt budget; outside the survey `reply` alone."""
    slot = tracker.get_slot(REQUESTED_SLOT)
    if not slot:
        speaker.say(reply)
        return [FollowupAction("action_listen")]
    values = attempt_budget.miss(tracker, speaker, slot, reply)
    return [*attempt_budget.as_events(values), FollowupAction("survey_form")]


def _answers(slot: str, text: str, tracker: Tracker, heard: Heard) -> bool:
    if tracker.get_slot("solved") is None and slot != "solved" \
            and mentions_solved(text) is not None:
        return True
    if is_rating(slot):
        return read_rating(text, None, scale_of(slot)) is not None
    if slot == "solved":
        return parse_yes_no(text) is not None or heard.says_problem_persists
    if slot == PROBLEM_SLOT:
        return bool(heard.complaint_categories)
    # a comment says something: more than a greeting or a thank-you
    return heard.worth_keeping() or han_characters(text) > FEEDBACK_MIN_CHARS


COMING_BACK = ("action_resume_callback", "action_send_reminder")


def _comes_back(tracker: Tracker) -> bool:
    """Whether the form asks because the survey resumes (after a pause, or a reminder)."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != "survey_form":
            return event.get("name") in COMING_BACK
    return False


def _not_understood(slot: str) -> tuple[str | None, dict[str, int]]:
    """The re-ask for an answer that says nothing (the question itself follows)."""
    if is_rating(slot):
        return "not_understood_rating", _range(slot)
    return ("not_understood_yes_no" if slot == "solved" else None), {}


def _range(slot: str) -> dict[str, int]:
    return {"low": 0, "high": 10} if scale_of(slot) == 10 else {"low": 1, "high": 5}


def _source(turn: Turn) -> str:
    """Where a kept text came from: the question, or the feedback kind."""
    if turn.intent in FEEDBACK_INTENTS and is_rating(turn.slot):
        return FEEDBACK_INTENTS[turn.intent]
    return turn.slot


def _question(slot: str, tracker: Tracker) -> tuple[str, list[dict[str, str]], dict[str, Any]]:
    """The text key, the buttons and the text's values of the question for `slot`."""
    if slot == "overall":
        key = "ask_recovery" if tracker.get_slot("template") == RECOVERY_TEMPLATE else "ask_overall"
        return key, rating_buttons(slot, 5), {}
    if slot == "solved":
        return "ask_solved", yes_no_buttons(slot), {}
    if slot == PROBLEM_SLOT:
        return "ask_problem", category_buttons(slot), {}
    if slot == "nps":
        return "ask_nps", rating_buttons(slot, 10), {}
    if slot == "comment":
        return "ask_comment", [no_comment_button(slot)], {}
    dimension = template_of(tracker).dimension_for_slot(slot)
    return "ask_dimension", rating_buttons(slot, 5), {"label": dimension.label}


def ask(slot: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Asks one question of the form, in the customer's script, with its buttons; every
    question after the first can be skipped."""
    key, buttons, values = _question(slot, tracker)
    if slot != "overall":
        buttons = [*buttons, skip_button(slot)]
    Speaker(dispatcher, customer_script(tracker)).say(key, buttons, **values)
    if _comes_back(tracker):
        # asked again after a pause or a reminder: that is the question's one re-ask
        return [SlotSet(attempt_budget.BUDGET_SLOT, slot)]
    return []
