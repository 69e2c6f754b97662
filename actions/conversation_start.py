"""Actions the scheduler triggers: start a callback, resume a postponed one, remind."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import (
    callback_id,
    customer_script,
    in_transaction,
    latest_intent,
)
from actions import attempt_budget
from actions.replies import Speaker
from actions.survey_form import answer_on_return
from huifang.script import SIMPLIFIED
from huifang import survey_answers
from huifang.callback_facts import facts_of
from huifang.local_time import month_day
from huifang.settings import get_settings
from huifang.surveys import QUESTION_SLOTS, template_named

ANSWER_SLOTS = (*QUESTION_SLOTS, "problem")
RESUME_ROUND_INTENT = "EXTERNAL_resume_callback"


def _closed_on(day: date | None) -> str:
    return month_day(day) if day else "近期"


class ActionStartCallback(Action):
    def name(self) -> str:
        return "action_start_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        # Everything from the database by the sender id: nothing a message carries (entities
        # included) decides which callback this is or how it is surveyed.
        cid, settings = callback_id(tracker), get_settings()
        facts = (await in_transaction(lambda s: facts_of(s, cid, settings))
                 if cid is not None else None)
        template = template_named(facts.template if facts else None)
        script = facts.script if facts else SIMPLIFIED
        speaker = Speaker(dispatcher, script)
        if template.name == "recovery":
            speaker.say("intro_recovery", brand=settings.brand_name)
        else:
            speaker.say(
                "intro",
                brand=settings.brand_name,
                closed_on=_closed_on(facts.closed_on if facts else None),
                service=template.service_label,
                ticket=facts.ticket_id if facts else "",
            )
        return [
            *(SlotSet(slot, None) for slot in ANSWER_SLOTS),
            SlotSet("failed_question", None),
            SlotSet("template", template.name),
            SlotSet("script", script),
            SlotSet("phase", "surveying"),
        ]


class ActionResumeCallback(Action):
    def name(self) -> str:
        return "action_resume_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        cid = callback_id(tracker)
        answer: dict[str, Any] | None = None
        # The customer came back before the planned round: it is consumed. The scheduler's own
        # resume round is the gateway's to take (docs/contracts.md): nothing to consume.
        if cid is not None and latest_intent(tracker) != RESUME_ROUND_INTENT:
            await in_transaction(lambda s: survey_answers.mark_resumed(s, cid))
            answer = await answer_on_return(tracker, dispatcher)
        if answer is None:
            speaker.say("resume")
        return [SlotSet("phase", "surveying"), SlotSet("script", speaker.script),
                *attempt_budget.as_events(answer or {})]


class ActionSendReminder(Action):
    def name(self) -> str:
        return "action_send_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        Speaker(dispatcher, customer_script(tracker)).say("reminder")
        return []
