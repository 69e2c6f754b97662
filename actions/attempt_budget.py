"""One attempt budget per question, whatever the customer sends (docs/conversation.md).

A turn that leaves the open question unanswered — an unclear score, a greeting, thanks,
nonsense, a question back — may re-ask it once; the next such turn skips it. So no question
is ever asked a third time. The slot `failed_question` holds the question whose re-ask is used.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.conversation_state import SKIPPED
from actions.replies import Speaker

BUDGET_SLOT = "failed_question"


def miss(tracker: Tracker, speaker: Speaker, slot: str, reask: str | None = None,
         **values: Any) -> dict[str, Any]:
    """The open question `slot` went unanswered: re-ask it (after saying `reask`) the first
    time, skip it the second. Slot values for a form validator."""
    if tracker.get_slot(BUDGET_SLOT) == slot:
        speaker.say("skipped")
        return {slot: SKIPPED, BUDGET_SLOT: None}
    if reask is not None:
        speaker.say(reask, **values)
    return {slot: None, BUDGET_SLOT: slot}


def skip(slot: str) -> dict[str, Any]:
    """The customer chose to skip the question (跳过)."""
    return {slot: SKIPPED, BUDGET_SLOT: None}


def answered() -> dict[str, Any]:
    return {BUDGET_SLOT: None}


def as_events(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Slot values as events, for actions outside the form (interruptions)."""
    return [SlotSet(name, value) for name, value in values.items()]
