"""Actions the scheduler triggers: start a callback, resume a postponed one, remind."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import callback_id, customer_script, in_transaction
from actions.replies import SIMPLIFIED, Speaker
from huifang import survey_answers
from huifang.settings import get_settings
from huifang.surveys import QUESTION_SLOTS, template_named

ANSWER_SLOTS = (*QUESTION_SLOTS, "problem")


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def _closed_on(value: str | None) -> str:
    if not value:
        return "近期"
    day = date.fromisoformat(value)
    return f"{day.month}月{day.day}日"


class ActionStartCallback(Action):
    def name(self) -> str:
        return "action_start_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        cid = _entity(tracker, "callback_id") or str(callback_id(tracker) or "")
        template = template_named(_entity(tracker, "template"))
        script = _entity(tracker, "script") or SIMPLIFIED
        speaker = Speaker(dispatcher, script)
        if template.name == "recovery":
            speaker.say("intro_recovery", brand=get_settings().brand_name)
        else:
            speaker.say(
                "intro",
                brand=get_settings().brand_name,
                closed_on=_closed_on(_entity(tracker, "closed_on")),
                service=template.service_label,
                ticket=_entity(tracker, "ticket_id") or "",
            )
        return [
            *(SlotSet(slot, None) for slot in ANSWER_SLOTS),
            SlotSet("failed_question", None),
            SlotSet("callback_id", cid or None),
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
        speaker.say("resume")
        cid = callback_id(tracker)
        if cid is not None:
            await in_transaction(lambda s: survey_answers.mark_resumed(s, cid))
        return [SlotSet("phase", "surveying"), SlotSet("script", speaker.script)]


class ActionSendReminder(Action):
    def name(self) -> str:
        return "action_send_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        Speaker(dispatcher, customer_script(tracker)).say("reminder")
        return []
