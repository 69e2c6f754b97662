"""Interruptions the customer can make at any point of the survey."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import attempt_budget
from actions.answer_parsing import (
    is_busy_remark,
    is_closing_remark,
    is_indifferent_remark,
    is_opt_out_code,
    is_opt_out_remark,
    is_skip_request,
    is_unsure_remark,
    says_wrong_person_in_latin,
)
from actions.conversation_outcome import finish_callback, record_turn
from actions.conversation_state import (
    answer_write,
    callback_id,
    customer_id_from_sender,
    customer_script,
    known_overall,
    latest_intent,
    latest_text,
)
from actions.free_text import acknowledgement, han_characters, hear, keep
from actions.replies import Speaker
from actions.survey_form import answer_in_passing, answer_instead, ask_again
from huifang import consent, survey_answers
from huifang.callback_policy import customer_zone
from huifang.db.models import Customer
from huifang.db.types import utcnow
from huifang.local_time import describe
from huifang.rescheduling import reschedule_busy
from huifang.settings import get_settings
from huifang.surveys import template_named

STOP_EVENTS = (ActiveLoop(None), SlotSet("requested_slot", None))
LAST_QUESTION = "comment"
LATER = "稍后"  # when the callback is gone, or the message was answered before (a replay)


async def _hear_out(tracker: Tracker, speaker: Speaker, source: str) -> bool:
    """Words said along with an interruption are classified too: a threat or a complaint is
    kept (and escalates) even when the customer is leaving. True if it was answered."""
    heard = await hear(latest_text(tracker), latest_intent(tracker), known_overall(tracker))
    if not heard.worth_keeping():
        return False
    outcome = await record_turn(tracker, keep(heard, source))
    reply = acknowledgement(heard, outcome)
    if reply:
        speaker.say_text(reply)
    return bool(reply)


def _skip_asked_for(tracker: Tracker) -> list[dict[str, Any]] | None:
    """"跳过", "不想说了" at any question, a closing remark or plain thanks at the last one
    ("没了，多谢", "nothing else" finish the survey): the open question is skipped."""
    slot = tracker.get_slot("requested_slot")
    text = latest_text(tracker)
    if slot and (is_skip_request(text) or (slot == LAST_QUESTION and is_closing_remark(text))):
        return attempt_budget.as_events(attempt_budget.skip(slot))
    return None


async def _settles_open_question(tracker: Tracker, dispatcher: CollectingDispatcher
                                 ) -> list[dict[str, Any]] | None:
    """A message the rules sent here that still settles the open question: a skip (above), and
    any words that answer it ("有解決，謝謝" at "solved?", read by the form)."""
    skipped = _skip_asked_for(tracker)
    if skipped is not None:
        return skipped
    values = await answer_in_passing(tracker, dispatcher, latest_intent(tracker))
    return attempt_budget.as_events(values) if values is not None else None


def _miss(tracker: Tracker, speaker: Speaker) -> list[dict[str, Any]]:
    slot = tracker.get_slot("requested_slot")
    if not slot:
        return []
    return attempt_budget.as_events(attempt_budget.miss(tracker, speaker, slot))


def _says_opt_out(text: str) -> bool:
    """An opt-out is for good, so the NLU's reading must rest on words that say it. Seen in use:
    `<script>alert(1)</script>` was read as an opt-out, and so is "不想说" at a question."""
    return is_opt_out_remark(text) or is_opt_out_code(text)


def _says_wrong_person(text: str) -> bool:
    """The survey stops and the contact data is flagged, so the NLU's reading must not rest on
    a customer being unsure ("我不知道" was read as a wrong person) or on Latin letters that do
    not say it ("root", "leave me alone" were)."""
    if is_unsure_remark(text):
        return False
    return han_characters(text) > 0 or says_wrong_person_in_latin(text)


def _customer(session: Session, tracker: Tracker) -> Customer | None:
    cid = callback_id(tracker)
    if cid is not None:
        callback = survey_answers.load_callback(session, cid)
        return callback.ticket.customer if callback else None
    customer_id = customer_id_from_sender(tracker)
    return session.get(Customer, customer_id) if customer_id is not None else None


class ActionOptOut(Action):
    def name(self) -> str:
        return "action_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        text = latest_text(tracker)
        if not _says_opt_out(text):
            skipped = _skip_asked_for(tracker)  # "不想说了": this question, not every message
            if skipped is not None:
                return [*skipped, FollowupAction("survey_form")]
            heard = await hear(text, None, known_overall(tracker))
            if heard.demands_refund:
                instead = await answer_instead(tracker, dispatcher, heard)
                if instead is not None:
                    return instead
            return ask_again(tracker, speaker, "opt_out_unclear")

        def write(session: Session) -> None:
            customer = _customer(session, tracker)
            if customer is not None:
                consent.opt_out(session, customer, source="conversation", reason=text,
                                now=utcnow())

        await answer_write(tracker, write, None)
        await _hear_out(tracker, speaker, "opt_out")
        speaker.say("opt_out")
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionWrongPerson(Action):
    def name(self) -> str:
        return "action_wrong_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        if not _says_wrong_person(latest_text(tracker)):
            return ask_again(tracker, speaker, "fallback")
        cid = callback_id(tracker)
        if cid is not None:
            def write(session: Session) -> None:
                callback = survey_answers.load_callback(session, cid)
                if callback is not None:
                    survey_answers.flag_wrong_person(session, callback, utcnow())

            await answer_write(tracker, write, None)
        speaker.say("wrong_person")
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        if callback_id(tracker) is None:
            speaker.say("idle_reply")
            return [*STOP_EVENTS]
        heard = await hear(latest_text(tracker), latest_intent(tracker), known_overall(tracker))
        writes = [keep(heard, "request_human")] if heard.worth_keeping() else []
        outcome = await finish_callback(tracker, *writes, requested_human=True,
                                        reason="customer asked for a person")
        if outcome.escalation_id is None:  # the callback is gone: promise nothing
            speaker.say("idle_reply")
        else:
            speaker.say("request_human", deadline=outcome.deadline)
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionBusyLater(Action):
    def name(self) -> str:
        return "action_busy_later"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        text = latest_text(tracker)
        if not is_busy_remark(text):
            instead = await answer_instead(tracker, dispatcher)
            if instead is not None:
                return instead
            skipped = _skip_asked_for(tracker)  # "nothing else", "随便" at the last question
            if skipped is not None:
                return [*skipped, FollowupAction("survey_form")]
            if is_indifferent_remark(text):  # "随便吧": there, but not choosing
                return ask_again(tracker, speaker, "indifferent")
        cid = callback_id(tracker)

        def write(session: Session) -> str:
            now = utcnow()
            callback = survey_answers.load_callback(session, cid) if cid is not None else None
            if callback is None:
                return LATER
            due = reschedule_busy(session, callback, now)
            return describe(due, customer_zone(callback.ticket, get_settings()), now)

        await _hear_out(tracker, speaker, "busy_later")
        when = await answer_write(tracker, write, LATER)  # replayed: planned before
        speaker.say("busy_later", when=when)
        return [*STOP_EVENTS, SlotSet("phase", "paused"), SlotSet("script", speaker.script)]


class ActionExplainPurpose(Action):
    """Who we are; the open question comes back once, within its attempt budget."""

    def name(self) -> str:
        return "action_explain_purpose"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        template = template_named(tracker.get_slot("template"))
        speaker = Speaker(dispatcher, customer_script(tracker))
        speaker.say("explain_purpose", brand=get_settings().brand_name,
                    service=template.service_label)
        return _miss(tracker, speaker)


class ActionGentleRedirect(Action):
    """Off-topic input: its words are still heard; one redirect per question, then skip."""

    def name(self) -> str:
        return "action_gentle_redirect"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        settled = await _settles_open_question(tracker, dispatcher)
        if settled is not None:
            return settled
        if not await _hear_out(tracker, speaker, "off_topic"):
            speaker.say("redirect")
        return _miss(tracker, speaker)


class ActionAcknowledge(Action):
    """Greetings and thanks: answered, and counted against the open question's budget — at the
    last question thanks mean "nothing more", and the survey ends."""

    def name(self) -> str:
        return "action_acknowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        settled = await _settles_open_question(tracker, dispatcher)
        if settled is not None:
            return [*settled, SlotSet("script", speaker.script)]
        speaker.say("greet_back" if latest_intent(tracker) == "greet" else "you_are_welcome")
        return [*_miss(tracker, speaker), SlotSet("script", speaker.script)]
