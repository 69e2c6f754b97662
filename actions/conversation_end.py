"""The end of a conversation, and what happens to messages that come after it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.complaint_classification import classify_text
from actions.conversation_outcome import close_outcome
from actions.conversation_state import (
    callback_id,
    customer_script,
    in_transaction,
    is_answer_text,
    latest_text,
)
from actions.replies import Speaker
from actions.supervisor_alert import alert_supervisors
from huifang import escalations, survey_answers
from huifang.db.types import utcnow


class ActionFinishCallback(Action):
    def name(self) -> str:
        return "action_finish_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        cid = callback_id(tracker)
        outcome = await in_transaction(lambda s: close_outcome(s, cid, utcnow())) if cid else None
        if outcome is not None and outcome.escalation_id is not None:
            speaker.say("thanks_escalated", deadline=outcome.deadline)
            await alert_supervisors(outcome.escalation_id)
        else:
            speaker.say("thanks_done")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("phase", "finished")]


class ActionLateMessage(Action):
    """After the end: a short polite reply, and the words are kept as a late comment (a
    high-severity late complaint still escalates)."""

    def name(self) -> str:
        return "action_late_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        text = latest_text(tracker)
        cid = callback_id(tracker)
        if cid is not None and is_answer_text(text):
            classification = await classify_text(text)

            def write(session: Session) -> int | None:
                now = utcnow()
                callback = survey_answers.load_callback(session, cid)
                if callback is None:
                    return None
                survey_answers.record_late_comment(session, callback, text, now)
                if classification.sentiment != "negative":
                    return None
                survey_answers.record_complaint(session, callback, text, "late",
                                                classification, now)
                reasons = escalations.reasons_for(survey_answers.signals(callback))
                escalation = escalations.escalate(
                    session, callback,
                    [r for r in reasons if r == escalations.Reason.HIGH_SEVERITY], now)
                return escalation.id if escalation else None

            escalation_id = await in_transaction(write)
            if escalation_id is not None:
                await alert_supervisors(escalation_id)
        speaker.say("late_reply")
        return [SlotSet("script", speaker.script)]


class ActionPoliteFallback(Action):
    """Rasa's core fallback: a polite reply, and the message is forgotten (reverted) so the
    conversation carries on where it was."""

    def name(self) -> str:
        return "action_polite_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        Speaker(dispatcher, customer_script(tracker)).say("fallback")
        return [UserUtteranceReverted()]


class ActionIdleReply(Action):
    def name(self) -> str:
        return "action_idle_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        Speaker(dispatcher, customer_script(tracker)).say("idle_reply")
        return []
