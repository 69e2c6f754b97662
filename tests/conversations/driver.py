"""Plays one conversation of the suite as a customer: the ticket goes in through intake, the
scheduler's dispatcher hands the first round to the gateway, and the customer answers in the
web chat through its public API exactly as the page does (bot/static/chat.js): POST
{"text"} or {"button": <id of a visible button of the newest keyboard>}, then GET
?after=<last id> for everything new. Each bot question is recognised from its text
(tests/conversations/reading.py) and answered with the persona's answer for that kind.

Walk-aways and "later, please" go through the scheduler's own code with the clock moved on:
the silence check (scheduler.reminders.follow_up) and a dispatch pass send the reminder, resume
or expiry exactly as production would, hours later.

Problems of the product are collected as `Failure`s (the test reports them all); anything that
stops the driver itself (HTTP errors, a gateway that does not answer) raises `DriverError`."""

from __future__ import annotations

import itertools
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlparse

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from huifang.callback_policy import PolicyBook, customer_zone
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Complaint,
    Escalation,
    Ticket,
)
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.send_rules import SendRules
from huifang.settings import Settings
from huifang.surveys import SurveyTemplate, template_for_service
from scheduler.dispatch import Dispatcher
from scheduler.gateway_client import GatewayClient
from scheduler.reminders import FollowUp, follow_up
from tests.conversations import reading
from tests.conversations.reading import Question
from tests.conversations.schema import Answer, ConversationSpec, Interruption
from tests.support.fake_bot_api import FakeBotApi

T = TypeVar("T")

MAX_SENDS = 40  # far more than any persona sends; a conversation that loops stops here
ALERT_WAIT_SECONDS = 10.0  # "a supervisor alert exists within 10 s" (issue 12)
RATING_KINDS = {"overall", "dimension", "nps"}
# a default reply for a question the persona did not expect, so the rest can still be checked
UNSCRIPTED = {"overall": "4", "solved": "解决了", "category": "其他", "dimension": "4",
              "nps": "8", "comment": "没有", "confirm": "对"}
SKIP = "跳过"
COMMENT_SKIPS = {SKIP, "没有了", "没有"}
_tickets = itertools.count(1)


class DriverError(RuntimeError):
    """The driver could not play the conversation (not a finding about the product)."""


@dataclass(frozen=True)
class Failure:
    cause: str  # short, shared by every conversation failing the same way (for grouping)
    detail: str

    def __str__(self) -> str:
        return f"{self.cause}: {self.detail}"


@dataclass
class BotMessage:
    id: int
    text: str
    buttons: list[dict[str, str]]
    round: str  # start | reply | remind | resume
    question: Question | None
    traditional_expected: bool


@dataclass
class Turn:
    """One thing the customer sent and what came back."""

    answered: str  # the kind of question open (or the moment) when the customer sent it
    sent: Answer
    replies: list[BotMessage]


@dataclass
class Observed:
    """What happened, for the expectations (tests/conversations/outcome.py)."""

    callback_id: int
    ticket_id: str
    turns: list[Turn] = field(default_factory=list)
    messages: list[BotMessage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    escalation_opened_at: str | None = None
    walk_away_state: dict[str, Any] | None = None  # checked against expect_now by outcome
    log: list[str] = field(default_factory=list)  # the transcript as it happened

    def fail(self, cause: str, detail: str) -> None:
        self.failures.append(Failure(cause, detail))

    @property
    def asked(self) -> Counter[str]:
        """Question keys asked by the conversation (reminder/resume repeats not counted)."""
        return Counter(m.question.key for m in self.messages
                       if m.question and m.round in ("start", "reply"))

    @property
    def kinds_asked(self) -> set[str]:
        return {m.question.kind for m in self.messages if m.question}

    def transcript(self) -> str:
        return "\n".join(f"  {line}" for line in self.log)


def _titles(message: BotMessage) -> str:
    return f"  {[b['title'] for b in message.buttons]}" if message.buttons else ""


@dataclass
class SuiteStack:
    """What every conversation of the suite talks to (tests/conversations/conftest.py)."""

    public_url: str  # the gateway's public listener (web chat)
    settings: Settings  # the scheduler's settings: intake, dispatch, silence checks
    sessions: sessionmaker[Session]
    telegram: FakeBotApi
    supervisors_chat: int


class CustomerDriver:
    def __init__(self, stack: SuiteStack, spec: ConversationSpec) -> None:
        self.stack = stack
        self.spec = spec
        self.template: SurveyTemplate = template_for_service(spec.ticket.service_type)
        self.http = httpx.Client(base_url=stack.public_url, timeout=120)
        self.token = ""
        self.last_id = 0
        self.last_inbound = 0
        self.open: Question | None = None
        self.used: Counter[str] = Counter()  # answers used per kind
        self.fired: set[int] = set()  # interruptions already made
        self.walked = False
        self.wrote_traditional = False
        self.customer_left = False
        self.observed: Observed

    # --- the conversation -------------------------------------------------------------------

    def play(self) -> Observed:
        try:
            self._start()
            self._interrupt_at("start")
            sends = 0
            while not self.customer_left and sends < MAX_SENDS:
                question = self._open_question()
                if question is None:
                    break
                if self._walk_away_at(question):
                    continue
                if self._interrupt_at(question.kind):
                    sends += 1
                    continue
                answer = self._answer_for(question)
                if answer is None:
                    break  # nothing left to say to this question: the customer leaves
                self._send(answer, question.kind)
                sends += 1
            if sends >= MAX_SENDS:
                self.observed.fail("conversation never ends",
                                   f"still asking after {MAX_SENDS} customer messages")
            if not self.customer_left:
                self._interrupt_at("end")
            for index, interruption in enumerate(self.spec.interruptions):
                if index not in self.fired:
                    self.observed.fail("interruption never made",
                                       f"no {interruption.at} question to say "
                                       f"{interruption.answer.shown} at")
        finally:
            self.http.close()
        return self.observed

    def _start(self) -> None:
        number = next(_tickets)
        stamp = secrets.token_hex(3)
        ticket_id = f"HF12-{number:04d}-{stamp}"
        ticket = TicketIn(
            ticket_id=ticket_id, customer_id=f"hf12-customer-{number:04d}-{stamp}",
            customer_name=self.spec.ticket.customer_name,
            service_type=self.spec.ticket.service_type, agent="李师傅", branch="城东服务站",
            locale=self.spec.ticket.locale, timezone=self.spec.ticket.timezone,
            summary=self.spec.ticket.summary, closed_at=utcnow() - timedelta(days=2))
        with session_scope(self.stack.sessions) as session:
            result = ingest(session, [ticket], utcnow(), self.stack.settings)
            callback = session.scalar(select(Callback).join(Ticket)
                                      .where(Ticket.external_id == ticket_id))
            if callback is None or ticket_id not in result.chat_links:
                raise DriverError(f"intake made no callback / web-chat link for {ticket_id}")
            callback_id = callback.id
        link = result.chat_links[ticket_id]
        self.token = urlparse(link).path.rsplit("/", 1)[-1]
        self.observed = Observed(callback_id, ticket_id)
        if self.http.get(f"/chat/{self.token}").status_code != 200:
            raise DriverError(f"the web-chat page of {link} does not open")
        self._dispatch(utcnow())
        if self._callback(lambda c: c.delivered_round) < 1:
            raise DriverError(f"the dispatcher did not deliver callback {callback_id}: "
                              f"{self._callback(lambda c: (c.status, c.status_reason))}")
        if not self._fetch("start"):
            raise DriverError("the start round showed nothing in the web chat")
        if self.open is None:
            self.observed.fail("opening asks no question", "no survey question recognised")

    def _open_question(self) -> Question | None:
        """The question a customer would answer now: the newest one asked; none once the
        callback is no longer waiting for answers (finished, opted out, postponed)."""
        status = self._callback(lambda c: c.status)
        if status != CallbackStatus.IN_PROGRESS:
            return None
        return self.open

    def _answer_for(self, question: Question) -> Answer | None:
        scripted = self.spec.answers.get(question.kind)
        if scripted is None and question.kind == "confirm":
            return Answer(text=UNSCRIPTED["confirm"])  # anyone confirms what they just said
        if scripted is None:
            self.observed.fail("asked what this customer would not be asked",
                               f"{question.key} (the persona has no answer for it)")
            if self.used[question.kind]:
                return None
            self.used[question.kind] += 1
            return Answer(text=UNSCRIPTED[question.kind])
        index = self.used[question.kind]
        if index >= len(scripted):
            self.observed.fail("asked again what the customer had answered",
                               f"{question.key} after {[a.shown for a in scripted]}; the "
                               "customer has nothing more to say and leaves")
            return None
        self.used[question.kind] += 1
        return scripted[index]

    def _interrupt_at(self, moment: str) -> bool:
        for index, interruption in enumerate(self.spec.interruptions):
            if index in self.fired or interruption.at != moment:
                continue
            self.fired.add(index)
            self._interrupt(interruption, moment)
            return True
        return False

    def _interrupt(self, interruption: Interruption, moment: str) -> None:
        asked_before = self.open
        self._send(interruption.answer, moment)
        if interruption.then == "stop":
            self.customer_left = True
        elif interruption.then == "resume":
            self._resume_later(asked_before)

    # --- sending and reading, as the page does ------------------------------------------------

    def _send(self, answer: Answer, answered: str) -> list[BotMessage]:
        body: dict[str, str]
        if answer.button is not None:
            button = self._button(answer.button)
            if button is None:
                # the customer cannot press what is not there, so types the words instead
                self.observed.fail("button missing", f"no button {answer.button!r} at "
                                   f"{answered}: {self._live_titles()}")
                body = {"text": answer.button}
            else:
                body = {"button": button["id"]}
        else:
            assert answer.text is not None
            body = {"text": answer.text}
            self.wrote_traditional |= reading.writes_traditional(answer.text)
        self.observed.log.append(f"customer ({answered}): {answer.shown}")
        response = self.http.post(f"/webchat/{self.token}/messages", json=body)
        if response.status_code == 409:
            self.observed.fail("button refused", f"{answer.shown}: {response.json()['detail']}")
        elif response.status_code != 200:
            raise DriverError(f"POST {answer.shown} answered {response.status_code}: "
                              f"{response.text[:300]}")
        replies = self._fetch("reply")
        turn = Turn(answered, answer, replies)
        self.observed.turns.append(turn)
        self._after_turn(turn)
        return replies

    def _fetch(self, round_: str) -> list[BotMessage]:
        response = self.http.get(f"/webchat/{self.token}/messages",
                                 params={"after": self.last_id})
        if response.status_code != 200:
            raise DriverError(f"GET messages answered {response.status_code}: "
                              f"{response.text[:300]}")
        new = []
        for item in response.json():
            if item["id"] <= self.last_id:
                continue
            self.last_id = item["id"]
            if item["direction"] != "out":
                self.last_inbound = item["id"]
                continue
            text = item["text"] or ""
            message = BotMessage(item["id"], text, item["buttons"], round_,
                                 reading.question_in(text, self.template),
                                 self.spec.traditional or self.wrote_traditional)
            new.append(message)
            self.observed.messages.append(message)
            tag = "" if round_ == "reply" else f" [{round_}]"
            self.observed.log.append(f"bot{tag}: {text}{_titles(message)}")
            if message.question is not None:
                self.open = message.question
        return new

    def _live_keyboard(self) -> list[dict[str, str]]:
        """The newest keyboard, pressable until the customer answers after it (chat.js)."""
        for message in reversed(self.observed.messages):
            if message.id < self.last_inbound:
                return []
            if message.buttons:
                return message.buttons
        return []

    def _live_titles(self) -> list[str]:
        return [b["title"] for b in self._live_keyboard()]

    def _button(self, wanted: str) -> dict[str, str] | None:
        """The visible button a customer means by `wanted`: the same title, or a title that
        starts with it (“5” → “5 非常满意”), read in Simplified for Traditional pages."""
        goal = reading.simplified(wanted).strip()
        buttons = self._live_keyboard()
        for match in (lambda t: t == goal, lambda t: t.split(" ")[0] == goal,
                      lambda t: t.startswith(goal)):
            found = [b for b in buttons if match(reading.simplified(b["title"]).strip())]
            if len(found) == 1:
                return found[0]
        return None

    # --- checks made while the conversation runs ----------------------------------------------

    def _after_turn(self, turn: Turn) -> None:
        state = self.state()
        if self.observed.escalation_opened_at is None and state.escalations:
            self.observed.escalation_opened_at = turn.answered
        for message in turn.replies:
            if _promises_contact(message.text):
                self._check_promise(message, state)
        if turn.answered in RATING_KINDS and turn.sent.text and \
                reading.is_clear_number(turn.sent.text):
            for message in turn.replies:
                if reading.says_not_understood(message.text):
                    self.observed.fail("clear number not understood",
                                       f"{turn.sent.text!r} → {message.text!r}")
        said = "\n".join(reading.simplified(m.text) for m in turn.replies)
        for item in turn.sent.expect_reply:
            if not says_any(item, said):
                self.observed.fail("reply lacks what it should say",
                                   f"after {turn.sent.shown}: none of {item} in {said!r}")
        for banned in turn.sent.reply_excludes:
            if _found(banned, said):
                self.observed.fail("reply says what it should not",
                                   f"after {turn.sent.shown}: {banned!r} in {said!r}")

    def _check_promise(self, message: BotMessage, state: CallbackState) -> None:
        if not state.escalations:
            self.observed.fail("contact promised without an escalation", message.text)
            return
        due = state.escalations[0].due_at.astimezone(state.zone)
        times = reading.clock_times(message.text)
        if times and f"{due:%H:%M}" not in times:
            self.observed.fail("promised time not the escalation deadline in the customer's "
                               "zone", f"{message.text!r}, deadline {due:%m-%d %H:%M} "
                               f"{state.zone.key}")

    # --- walk-aways and "later" through the scheduler's code -----------------------------------

    def _walk_away_at(self, question: Question) -> bool:
        walk = self.spec.walk_away
        answered = {t.answered for t in self.observed.turns}
        if walk is None or self.walked or not walk.reached(question.kind, answered):
            return False
        self.walked = True
        self.observed.walk_away_state = self._walk_away_snapshot()
        self.observed.log.append(f"(the customer goes silent at {question.key})")
        if self._callback(lambda c: c.status) != CallbackStatus.IN_PROGRESS:
            self.observed.fail("walk-away", "the callback was not in progress")
            self.customer_left = True
            return True
        policy = PolicyBook.load(self.stack.settings).for_service(self.spec.ticket.service_type)
        later = utcnow() + timedelta(hours=policy.reminder_after_hours, minutes=5)
        self.observed.log.append(f"({policy.reminder_after_hours:g} h later: silence check)")
        if self._follow_up(later) != FollowUp.REMIND:
            self.observed.fail("walk-away", "the silence check planned no reminder")
        else:
            self._dispatch(later)
            reminder = self._fetch("remind")
            asked = [m.question for m in reminder if m.question]
            if not reminder:
                self.observed.fail("walk-away", "the reminder showed nothing")
            elif not asked or asked[-1] != question:
                self.observed.fail("reminder does not resume at the open question",
                                   f"open: {question.key}; reminder: "
                                   f"{[m.text for m in reminder]}")
        if walk.after_reminder == "silent":
            expiry = later + timedelta(hours=policy.expiry_after_hours, minutes=5)
            self.observed.log.append(f"({policy.expiry_after_hours:g} h later: silence check)")
            if self._follow_up(expiry) != FollowUp.EXPIRED:
                self.observed.fail("walk-away", "the silence check did not expire the callback")
            self.customer_left = True
        return True

    def _walk_away_snapshot(self) -> dict[str, Any]:
        """The database and the supervisors' chat right after the customer went silent; an
        escalation's alert gets ALERT_WAIT_SECONDS to arrive."""
        state = self.state()
        expected = self.spec.walk_away.expect_now if self.spec.walk_away else {}
        if state.escalations or expected.get("escalation") not in (None, "none"):
            wait_for(lambda: all(self._alerts_for(e.id) for e in state.escalations),
                     ALERT_WAIT_SECONDS)
        return {"state": state, "alerts": self.alerts()}

    def _resume_later(self, open_before: Question | None) -> None:
        when = self._callback(lambda c: (c.status, c.send_mode, c.due_at))
        status, mode, due = when
        if status != CallbackStatus.SCHEDULED or mode != "resume":
            self.observed.fail("busy customer not rescheduled",
                               f"status {status.value}, next round {mode}")
            self.customer_left = True
            return
        if due < utcnow() + timedelta(minutes=30):
            self.observed.fail("busy customer not rescheduled", f"resumes already at {due}")
        self.observed.log.append(f"(rescheduled by {due:%H:%M} UTC; the resume round goes out)")
        self._dispatch(due + timedelta(seconds=1))
        resumed = self._fetch("resume")
        asked = [m.question for m in resumed if m.question]
        if open_before is not None and (not asked or asked[-1] != open_before):
            self.observed.fail("resume does not continue at the open question",
                               f"open: {open_before.key}; resume: {[m.text for m in resumed]}")

    def _follow_up(self, now: datetime) -> FollowUp | None:
        with session_scope(self.stack.sessions) as session:
            callback = session.get_one(Callback, self.observed.callback_id)
            if callback.status != CallbackStatus.IN_PROGRESS:
                return None
            return follow_up(session, callback, now, PolicyBook.load(self.stack.settings),
                             self.stack.settings)

    def _dispatch(self, now: datetime) -> None:
        """One pass of the scheduler's dispatcher at `now` (rounds due by then go out)."""
        settings = self.stack.settings
        client = GatewayClient.from_settings(settings, max_connections=2,
                                             worker="conversation-suite")
        dispatcher = Dispatcher(self.stack.sessions, client, SendRules(settings), settings,
                                concurrency=2, clock=lambda: now)
        try:
            dispatcher.run_pass()
        finally:
            dispatcher.close()
            client.close()

    # --- reading the database and the supervisors' chat -----------------------------------------

    def _callback(self, read: Callable[[Callback], T]) -> T:
        with self.stack.sessions() as session:
            return read(session.get_one(Callback, self.observed.callback_id))

    def state(self) -> CallbackState:
        with self.stack.sessions() as session:
            return load_state(session, self.observed.callback_id, self.stack.settings)

    def alerts(self) -> list[str]:
        """Every message in the supervisors' chat about this conversation's ticket."""
        return [m.text for m in list(self.stack.telegram.messages_to(self.stack.supervisors_chat))
                if self.observed.ticket_id in m.text]

    def _alerts_for(self, escalation_id: int) -> list[str]:
        return [a for a in self.alerts() if f"#{escalation_id}" in a]

    def wait_for_alerts(self) -> list[str]:
        state = self.state()
        if state.escalations:
            wait_for(lambda: all(self._alerts_for(e.id) for e in state.escalations),
                     ALERT_WAIT_SECONDS)
        return self.alerts()


@dataclass(frozen=True)
class CallbackState:
    """A detached reading of one callback's outcome."""

    status: CallbackStatus
    send_mode: str
    due_at: datetime
    overall: int | None
    solved: bool | None
    nps: int | None
    comment: str | None
    dimensions: dict[str, int]
    complaints: list[dict[str, Any]]
    escalations: list[Escalation]
    opted_out: bool
    wrong_person: bool
    zone: Any


def load_state(session: Session, callback_id: int, settings: Settings) -> CallbackState:
    callback = session.scalar(select(Callback).where(Callback.id == callback_id).options(
        selectinload(Callback.response), selectinload(Callback.escalations),
        selectinload(Callback.complaints).selectinload(Complaint.categories)))
    assert callback is not None
    response = callback.response
    customer = callback.ticket.customer
    escalations = list(callback.escalations)
    return CallbackState(
        status=callback.status, send_mode=callback.send_mode, due_at=callback.due_at,
        overall=response.overall if response else None,
        solved=response.solved if response else None,
        nps=response.nps if response else None,
        comment=response.comment if response else None,
        dimensions={d.dimension: d.score for d in response.dimensions} if response else {},
        complaints=[{"text": c.text, "source": c.source,
                     "sentiment": c.sentiment.value if c.sentiment else None,
                     "severity": c.severity.value,
                     "categories": {k.category for k in c.categories}}
                    for c in callback.complaints],
        escalations=escalations,
        opted_out=customer.opted_out_at is not None,
        wrong_person=customer.contact_flagged_at is not None,
        zone=customer_zone(callback.ticket, settings))


_PROMISE_WORDS = ("与您联系", "专人", "跟进处理", "给您回电", "致电您")


def _promises_contact(text: str) -> bool:
    plain = reading.simplified(text)
    return any(w in plain for w in _PROMISE_WORDS) or (
        "联系您" in plain and "再联系您" not in plain)


def _found(wanted: str, said: str) -> bool:
    if wanted == "<time>":
        return reading.has_time(said)
    return reading.simplified(wanted) in said


def says_any(item: str | list[str], said: str) -> bool:
    """`said` (in Simplified) contains `item`, or one of the alternatives when it is a list."""
    return any(_found(option, said) for option in (item if isinstance(item, list) else [item]))


def wait_for(condition: Callable[[], Any], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
