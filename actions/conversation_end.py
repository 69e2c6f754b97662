"""The end of a conversation, and what happens to messages that come after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.answer_parsing import is_goodbye_remark, is_thanks_or_farewell
from actions.conversation_outcome import finish_callback, record_turn
from actions.conversation_state import (
    customer_script,
    is_answer_text,
    known_overall,
    latest_intent,
    latest_text,
)
from actions.free_text import acknowledgement, han_characters, hear, keep
from actions.replies import Speaker
from actions.survey_form import answer_instead, ask_again
from huifang import survey_answers
from huifang.db.models import Callback

GOODBYE = "goodbye"


class ActionFinishCallback(Action):
    """The end, when the questions run out or the customer says goodbye (whose words are heard
    like any other: "再见，等着吃官司吧" still escalates). A goodbye without a farewell that
    answers the open question is that answer ("沒解決，再不處理我就去找消保官")."""

    def name(self) -> str:
        return "action_finish_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        writes = []
        heard = None
        if latest_intent(tracker) == GOODBYE:
            text = latest_text(tracker)
            if not is_goodbye_remark(text):
                instead = await answer_instead(tracker, dispatcher)
                if instead is None and han_characters(text) == 0:
                    instead = ask_again(tracker, speaker, "fallback")  # no farewell, no Chinese
                if instead is not None:
                    return instead
            heard = await hear(text, GOODBYE, known_overall(tracker))
            if heard.worth_keeping():
                writes.append(keep(heard, "goodbye"))
        outcome = await finish_callback(tracker, *writes)
        if heard is not None and outcome.announce:
            speaker.say_text(acknowledgement(heard, outcome))
        if outcome.escalation_id is not None:
            speaker.say("thanks_escalated", deadline=outcome.deadline)
        else:
            speaker.say("thanks_done")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("phase", "finished"),
                SlotSet("script", speaker.script)]


class ActionLateMessage(Action):
    """After the end: a short polite reply, and the words are kept as a late comment; a late
    complaint is kept and classified, and one of high severity still escalates at once.
    Thanks or a farewell is only answered in kind."""

    def name(self) -> str:
        return "action_late_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speaker = Speaker(dispatcher, customer_script(tracker))
        text = latest_text(tracker)
        if is_thanks_or_farewell(text):  # "没了，谢谢": nothing to keep
            speaker.say("late_thanks")
            return [SlotSet("script", speaker.script)]
        if is_answer_text(text):
            heard = await hear(text, latest_intent(tracker), known_overall(tracker))

            def late_comment(session: Session, callback: Callback, now: datetime) -> None:
                survey_answers.record_late_comment(session, callback, text, now)

            writes = [late_comment]
            if heard.worth_keeping():
                writes.append(keep(heard, "late"))
            outcome = await record_turn(tracker, *writes)
            reply = acknowledgement(heard, outcome) if outcome.announce else ""
            if reply:
                speaker.say_text(reply)
                return [SlotSet("script", speaker.script)]
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
