"""What a customer sees in each survey template, in Simplified and Traditional Chinese (Taiwan's
forms, and Hong Kong's).

The conversation's own actions (actions/) are run against a preview tracker with a collecting
dispatcher, so the questions, their order, the Traditional conversion and the buttons are
exactly the ones a customer gets — nothing is copied here. The preview has no callback, so
nothing is read or written; the opening is spoken with the same texts and a sample ticket.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import survey_form
from actions.conversation_end import ActionFinishCallback
from actions.conversation_start import _closed_on
from actions.replies import Speaker
from huifang.script import SIMPLIFIED, TRADITIONAL, TRADITIONAL_HK
from huifang.recovery import RECOVERY_TEMPLATE
from huifang.settings import get_settings
from huifang.surveys import SurveyTemplate

SCRIPTS = {SIMPLIFIED: "简体", TRADITIONAL: "繁體", TRADITIONAL_HK: "繁體（香港）"}
SAMPLE_TICKET = "GD-0001"
STEP_LABELS = {
    "intro": "开场",
    "overall": "总体满意度",
    "solved": "问题是否解决",
    "problem": "不满意的方面",
    "nps": "推荐意愿（NPS）",
    "comment": "意见建议",
    "finish": "结束语",
}


@dataclass(frozen=True)
class PreviewMessage:
    step: str
    text: str
    buttons: list[str]
    conditional: bool  # asked only after some scores (low, or not the best)


def _tracker(template: SurveyTemplate, script: str, overall: int | None) -> Tracker:
    return Tracker(sender_id="survey-preview",
                   slots={"template": template.name, "script": script, "overall": overall},
                   latest_message={"text": "", "intent": {}, "entities": []},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name=None)


def _said(action: Action, tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def _asked(slot: str, tracker: Tracker) -> list[dict[str, Any]]:
    """The question as the form asks it (survey_form.ask, called by its validation)."""
    dispatcher = CollectingDispatcher()
    survey_form.ask(slot, tracker, dispatcher)
    return dispatcher.messages


def _questions(template: SurveyTemplate, script: str) -> tuple[list[str], set[str]]:
    """The form's questions in order as it asks them after the lowest score, and those it
    does not ask after the best one."""
    form = survey_form.ValidateSurveyForm()

    def slots(overall: int) -> list[str]:
        return asyncio.run(form.required_slots([], CollectingDispatcher(),
                                               _tracker(template, script, overall), {}))

    low, high = slots(1), slots(5)
    return low, set(low) - set(high)


def _label(template: SurveyTemplate, step: str) -> str:
    if step.startswith("dim_"):
        return f"{template.dimension_for_slot(step).label}评分"
    return STEP_LABELS[step]


def _intro(template: SurveyTemplate, script: str) -> list[dict[str, Any]]:
    """The opening as ActionStartCallback says it (it reads the callback from the database;
    the preview has none, so it is spoken here with the same texts and a sample ticket)."""
    dispatcher = CollectingDispatcher()
    speaker, settings = Speaker(dispatcher, script), get_settings()
    if template.name == RECOVERY_TEMPLATE:
        speaker.say("intro_recovery", brand=settings.brand_name)
    else:
        speaker.say("intro", brand=settings.brand_name,
                    closed_on=_closed_on(datetime.now(settings.zone).date()),
                    service=template.service_label, ticket=SAMPLE_TICKET)
    return dispatcher.messages


def preview(template: SurveyTemplate, script: str) -> list[PreviewMessage]:
    tracker = _tracker(template, script, None)
    order, conditional = _questions(template, script)
    said = [("intro", _intro(template, script))]
    said += [(slot, _asked(slot, tracker)) for slot in order]
    said.append(("finish", _said(ActionFinishCallback(), tracker)))
    return [PreviewMessage(_label(template, step), str(message.get("text") or ""),
                           [str(b["title"]) for b in message.get("buttons") or []],
                           step in conditional)
            for step, messages in said for message in messages]
