"""Interruptions the customer can make at any point of the survey."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation_outcome import close_outcome
from actions.conversation_state import (
    SKIPPED,
    callback_id,
    customer_id_from_sender,
    customer_script,
    in_transaction,
    latest_intent,
    latest_text,
)
from actions.replies import Speaker
from actions.supervisor_alert import alert_supervisors
from huifang import consent, survey_answers
from huifang.callback_policy import customer_zone
from huifang.db.models import Customer
from huifang.db.types import utcnow
from huifang.local_time import describe
from huifang.rescheduling import reschedule_busy
from huifang.settings import get_settings
from huifang.surveys import template_named

STOP_EVENTS = (ActiveLoop(None), SlotSet("requested_slot", None))


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

        def write(session: Session) -> None:
            customer = _customer(session, tracker)
            if customer is not None:
                consent.opt_out(session, customer, source="conversation", reason=text)

        await in_transaction(write)
        speaker.say("opt_out")
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionWrongPerson(Action):
    def name(self) -> str:
        return "action_wrong_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        cid = callback_id(tracker)
        if cid is not None:
            def write(session: Session) -> None:
                callback = survey_answers.load_callback(session, cid)
                if callback is not None:
                    survey_answers.flag_wrong_person(session, callback, utcnow())

            await in_transaction(write)
        speaker.say("wrong_person")
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        cid = callback_id(tracker)
        if cid is None:
            speaker.say("idle_reply")
            return [*STOP_EVENTS]
        outcome = await in_transaction(
            lambda s: close_outcome(s, cid, utcnow(), requested_human=True,
                                    reason="customer asked for a person")
        )
        speaker.say("request_human", deadline=outcome.deadline or "24小时内")
        if outcome.escalation_id is not None:
            await alert_supervisors(outcome.escalation_id)
        return [*STOP_EVENTS, SlotSet("phase", "finished")]


class ActionBusyLater(Action):
    def name(self) -> str:
        return "action_busy_later"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        cid = callback_id(tracker)

        def write(session: Session) -> str:
            now = utcnow()
            callback = survey_answers.load_callback(session, cid) if cid is not None else None
            if callback is None:
                return "稍后"
            due = reschedule_busy(session, callback, now)
            return describe(due, customer_zone(callback.ticket, get_settings()), now)

        when = await in_transaction(write)
        speaker.say("busy_later", when=when)
        return [*STOP_EVENTS, SlotSet("phase", "paused"), SlotSet("script", speaker.script)]


class ActionExplainPurpose(Action):
    def name(self) -> str:
        return "action_explain_purpose"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        template = template_named(tracker.get_slot("template"))
        Speaker(dispatcher, customer_script(tracker)).say(
            "explain_purpose", brand=get_settings().brand_name, service=template.service_label
        )
        return []


class ActionGentleRedirect(Action):
    """Off-topic input: one gentle redirect per question; a second one skips the question."""

    def name(self) -> str:
        return "action_gentle_redirect"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        slot = tracker.get_slot("requested_slot")
        if slot and tracker.get_slot("failed_question") == slot:
            speaker.say("skipped")
            return [SlotSet(slot, SKIPPED), SlotSet("failed_question", None)]
        speaker.say("redirect")
        return [SlotSet("failed_question", slot)]


class ActionAcknowledge(Action):
    def name(self) -> str:
        return "action_acknowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        key = "greet_back" if latest_intent(tracker) == "greet" else "you_are_welcome"
        Speaker(dispatcher, customer_script(tracker)).say(key)
        return []


