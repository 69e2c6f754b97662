"""Words the customer typed, at any question or interruption: classified first, kept when they
say something (a complaint, high severity, or feedback), so that the escalation rules and the
next question can act on them (docs/conversation.md, "Answer what was said")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from actions.answer_parsing import (
    is_reading_trouble,
    says_only_yes_or_no,
    says_still,
    words_besides_the_answer,
)
from actions.complaint_classification import apology_for, classify_text
from actions.conversation_outcome import Outcome
from actions.conversation_state import is_answer_text
from actions.replies import CATEGORY_LABELS, TEXTS
from huifang import survey_answers
from huifang.db.models import Callback
from huifang.survey_answers import Classification

FEEDBACK_INTENTS = {"complain": "feedback_complain", "praise": "feedback_praise",
                    "suggest": "feedback_suggest"}
_HAN = re.compile(r"[\u3400-\u9fff]")
# "other" names nothing the problem question would ask about
_NAMING_CATEGORIES = set(CATEGORY_LABELS) - {"other"}
_COMPLAINING = ("negative", "mixed")
# A negative reading is trusted as a complaint when the NLU also heard one, when a severity
# rule matched, or when the text is long enough to be one: the classifier is trained on
# complaints and reads greetings, gibberish and bare numbers as negative too.
COMPLAINT_MIN_HAN = 8
# Beside an unfavourable answer (not solved, a low score) the words are about what went wrong,
# however short ("解决个屁，还是响"): from this many Chinese characters, more than a bare no.
BESIDE_BAD_ANSWER_MIN_HAN = 3
# Messages the NLU reads as being for something else than judging the service (postponing,
# opting out, asking who we are, a greeting): the model reads their own words ("在开车，晚点再
# 说", "别再发了") as negative, so only a severity rule makes them a complaint.
NOT_ABOUT_THE_SERVICE = frozenset({"busy_later", "opt_out", "wrong_person", "ask_purpose",
                                   "greet"})
# Praise and thanks are a complaint only with a "but" (a mixed reading), like a favourable answer.
FAVOURABLE_INTENTS = frozenset({"praise", "thank"})
# What a kept feedback text is stored as when the model's negative reading is not trusted.
_FEEDBACK_READING = {"praise": ("positive", "none"), "suggest": ("neutral", "low")}
# Complaints that say the problem itself is still there, at "solved?" with no yes or no.
_PROBLEM_PERSISTS_CATEGORIES = frozenset({"quality", "parts"})
_PROBLEM_PERSISTS_SIGNALS = ("repeat:", "safety:")
_REFUND_SIGNAL = "refund:"


def han_characters(text: str) -> int:
    return len(_HAN.findall(text))


@dataclass(frozen=True)
class Heard:
    """What a typed text said, as far as the conversation cares. `answered`: the same message
    answered the open question favourably (True: solved, or a rating of 4–5 / 8–10),
    unfavourably (False), or not at all (None)."""

    text: str
    classification: Classification | None
    intent: str | None = None
    answered: bool | None = None

    def answering(self, well: bool | None) -> Heard:
        return replace(self, answered=well)

    @property
    def answered_well(self) -> bool:
        return self.answered is True

    @property
    def says_more_than_a_bad_answer(self) -> bool:
        return self.answered is False and not says_only_yes_or_no(self.text) \
            and han_characters(self.text) >= BESIDE_BAD_ANSWER_MIN_HAN

    @property
    def about_the_chat(self) -> bool:
        """"字太小了看不清": about reading the conversation, not about the service."""
        return is_reading_trouble(self.text)

    @property
    def is_complaint(self) -> bool:
        c = self.classification
        if c is None or c.sentiment not in _COMPLAINING:
            return False
        if c.signals:
            return True
        if self.about_the_chat or self.intent in NOT_ABOUT_THE_SERVICE:
            return False
        if self.intent == "complain" or self.says_more_than_a_bad_answer \
                or self.says_the_fault_is_still_there:
            return True
        # praise, thanks or a favourable answer with an all-negative reading: the model
        # misread it (a mixed reading, praise with a "but", is still kept)
        if (self.answered_well or self.intent in FAVOURABLE_INTENTS) \
                and c.sentiment == "negative":
            return False
        return han_characters(self.text) >= COMPLAINT_MIN_HAN

    @property
    def says_the_fault_is_still_there(self) -> bool:
        """"还是漏水", "车还是有异响": a fault the model names, said to be still there. Short,
        but no misreading: the words say it."""
        return self._names_a_fault and says_still(self.text)

    @property
    def _names_a_fault(self) -> bool:
        c = self.classification
        return c is not None and bool(_PROBLEM_PERSISTS_CATEGORIES & set(c.categories))

    @property
    def high_severity(self) -> bool:
        """A high-severity signal: a rule of the classifier matched (a threat to go to a
        regulator, a safety risk, a refund demand, a repeat failure), or the model says high
        about a text that is a complaint."""
        c = self.classification
        return c is not None and (bool(c.signals) or (c.severity == "high" and self.is_complaint))

    @property
    def complaint_categories(self) -> list[str]:
        """The aspects a complaint names: enough to skip "what went wrong?"."""
        if not self.is_complaint:
            return []
        assert self.classification is not None
        return [code for code in self.classification.categories if code in _NAMING_CATEGORIES]

    @property
    def says_problem_persists(self) -> bool:
        """A complaint that the problem itself is still there ("刹车修完还是软的"): at
        "solved?", with no yes or no in it, it is a no."""
        if not self.is_complaint:
            return False
        assert self.classification is not None
        return self._names_a_fault or any(
            signal.startswith(_PROBLEM_PERSISTS_SIGNALS) for signal in self.classification.signals)

    @property
    def demands_refund(self) -> bool:
        return self.classification is not None and any(
            signal.startswith(_REFUND_SIGNAL) for signal in self.classification.signals)

    @property
    def feedback_reply(self) -> str | None:
        """The reply to feedback that answers no question, by what the words say as well as the
        NLU's intent: "刚修完还没用，不好说", heard as a complaint and read as neutral, was told
        it would be passed on for follow-up; "态度" after a complaint, heard as praise, was
        thanked for the praise."""
        c = self.classification
        if (self.intent == "complain" and not self.is_complaint) or (
                self.intent == "praise" and c is not None and c.sentiment in _COMPLAINING):
            return "feedback_noted"
        return FEEDBACK_INTENTS.get(self.intent or "")

    def worth_keeping(self) -> bool:
        if self.high_severity or self.complaint_categories:
            return True
        return (self.intent in FEEDBACK_INTENTS and self.classification is not None
                and not self.about_the_chat)

    def stored_reading(self) -> Classification | None:
        """The reading stored with the text: the classifier's, except for feedback whose
        negative reading is not trusted (praise the model took for a complaint)."""
        c = self.classification
        if c is None or self.is_complaint or c.sentiment not in _COMPLAINING:
            return c
        sentiment, severity = _FEEDBACK_READING.get(self.intent or "", ("neutral", "none"))
        return Classification(categories=[], scores={}, sentiment=sentiment, severity=severity)


async def hear(text: str, intent: str | None, overall: int | None = None) -> Heard:
    """Classify typed words; button payloads and texts without Chinese are not classified.
    `overall`: the customer's 1-5 score where already given (known_overall)."""
    if not is_answer_text(text) or not _HAN.search(text):
        return Heard(text, None, intent)
    return Heard(text, await classify_text(words_besides_the_answer(text), overall), intent)


def keep(heard: Heard, source: str, chosen: list[str] | None = None) -> Any:
    """A write (for record_turn) storing the text as a complaint/feedback from `source`."""

    def write(session: Session, callback: Callback, now: datetime) -> None:
        survey_answers.record_complaint(session, callback, heard.text, source[:24],
                                        heard.stored_reading(), now,
                                        chosen_categories=chosen or [])

    return write


def acknowledgement(heard: Heard | None, outcome: Outcome, *,
                    name_categories: bool = False) -> str:
    """Answer what was said, in one message: an apology fitting the complaint, the categories
    confirmed in one line, and — only when an escalation was just opened or raised — who will
    contact the customer and by when. Empty when there is nothing to answer."""
    sentences = []
    categories = heard.complaint_categories if heard else []
    high = heard is not None and heard.high_severity
    if high:
        sentences.append(TEXTS["sorry_high"])
    if categories:
        sentences.append(apology_for(categories))
        if name_categories:
            sentences.append(TEXTS["problem_noted"].format(
                categories="、".join(CATEGORY_LABELS[c] for c in categories)))
    if outcome.announce:
        if not sentences:
            sentences.append(TEXTS["sorry_unhappy"])
        sentences.append(TEXTS["urgent_now" if high else "escalated_now"].format(
            deadline=outcome.deadline))
    return "".join(sentences)
