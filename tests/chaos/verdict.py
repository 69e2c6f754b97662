"""The end of a run: what was lost and what was duplicated, from the database, Rasa's tracker
and the fake Bot API server's record.

- an answer is **lost** when the customer sent it and was acknowledged, and after the quiet
  period it has no recorded effect: per conversation and text, fewer effects than
  acknowledged sends;
- an answer is **duplicated** when it took effect more often than the customer's
  acknowledged sends of it, or a complaint text was stored twice;
- an outbound message was **sent twice** to a Telegram customer when the fake server delivered
  more messages to the chat than the outbox can account for (a row sent with that Telegram
  message id, or one row in doubt each), and a survey opening reached a customer twice on any
  channel;
- a callback is **settled** when it is in a final state, or open with nothing of it stuck in
  the outbox (`pending`/`in_flight`): the dispatcher, the customer or the silence check can
  take it on;
- every escalation is alerted **once**: exactly one "new escalation" alert in the
  supervisors' chat."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.db.models import (
    FINAL_CALLBACK_STATUSES,
    Callback,
    Channel,
    DeliveryStatus,
    Direction,
    Escalation,
    Message,
)
from tests.chaos.answers import complaints_stored_twice, consumed
from tests.chaos.ledger import Ledger
from tests.support.fake_bot_api import FakeBotApi

OPENING = "服务回访助手"  # in the first message of every start round
STUCK = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)


@dataclass
class Verdict:
    callbacks: int = 0
    answers: int = 0  # messages customers sent and were acknowledged
    unacknowledged: int = 0  # attempts the channel did not acknowledge (sent again)
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    sent_twice: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)
    alerts_not_once: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        idle = ["NOTHING EXERCISED: no answer was acknowledged (see the logs)"] \
            if not self.answers else []
        return idle + [f"{kind}: {item}" for kind, items in (
            ("LOST", self.lost), ("DUPLICATED", self.duplicated),
            ("SENT TWICE", self.sent_twice), ("UNSETTLED", self.unsettled),
            ("ALERT", self.alerts_not_once)) for item in items]


def judge(session: Session, ledger: Ledger, tracker_db: Path, fake: FakeBotApi,
          addresses: dict[int, tuple[Channel, str]], supervisors_chat: int) -> Verdict:
    """`addresses`: callback → the channel and address of its customer."""
    callback_ids = sorted(addresses)
    verdict = Verdict(callbacks=len(callback_ids))
    effects = consumed(tracker_db)
    verdict.answers = sum(ledger.acknowledged().values())
    verdict.unacknowledged = ledger.attempts() - verdict.answers
    mine = set(callback_ids)
    verdict.lost, verdict.duplicated = compare(ledger, effects)
    verdict.duplicated.extend(f"callback {c} complaint {t!r} stored {n} times"
                              for c, t, n in complaints_stored_twice(session) if c in mine)
    callbacks = list(session.scalars(select(Callback).where(Callback.id.in_(callback_ids))))
    chats = [address for channel, address in addresses.values() if channel == Channel.TELEGRAM]
    outbound = list(session.scalars(select(Message).where(
        Message.direction == Direction.OUTBOUND,
        Message.callback_id.in_(callback_ids)
        | ((Message.channel == Channel.TELEGRAM) & Message.address.in_(chats)))))
    _sent_twice(verdict, addresses, outbound, fake)
    for callback in callbacks:
        verdict.statuses[callback.status.value] += 1
        stuck = [m.id for m in outbound if m.callback_id == callback.id and m.delivery in STUCK]
        if callback.status not in FINAL_CALLBACK_STATUSES and stuck:
            verdict.unsettled.append(f"callback {callback.id} ({callback.status.value}): "
                                     f"messages {stuck} still in the outbox")
    _alerts(verdict, session, fake, mine, supervisors_chat)
    return verdict


def compare(ledger: Ledger, effects: Counter[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """(lost, duplicated), one line per answer, for the texts customers wrote (the scheduler's
    EXTERNAL_* triggers are turns of the conversation too, and are not judged here)."""
    lost: list[str] = []
    duplicated: list[str] = []
    acknowledged = ledger.acknowledged()
    for key in sorted(ledger.sent()):
        missing, extra = acknowledged[key] - effects[key], effects[key] - acknowledged[key]
        where = (f"callback {key[0]} {key[1]!r}: sent and acknowledged {acknowledged[key]}, "
                 f"took effect {effects[key]}")
        lost.extend([where] * max(0, missing))
        duplicated.extend([where] * max(0, extra))
    return lost, duplicated


def _sent_twice(verdict: Verdict, addresses: dict[int, tuple[Channel, str]],
                outbound: list[Message], fake: FakeBotApi) -> None:
    by_address: dict[tuple[Channel, str], list[Message]] = {}
    for message in outbound:
        by_address.setdefault((message.channel, message.address), []).append(message)
    for callback_id, (channel, address) in addresses.items():
        rows = by_address.get((channel, address), [])
        if channel == Channel.TELEGRAM:
            delivered = fake.messages_to(int(address))
            known = {m.external_id for m in rows if m.external_id}
            doubts = sum(1 for m in rows if m.delivery == DeliveryStatus.IN_DOUBT)
            unaccounted = sum(1 for m in delivered if str(m.message_id) not in known) - doubts
            if unaccounted > 0:
                verdict.sent_twice.append(f"callback {callback_id}: {unaccounted} message(s) "
                                          "delivered to the chat beyond the outbox's rows")
            openings = sum(1 for m in delivered if OPENING in m.text)
        else:
            openings = sum(1 for m in rows if OPENING in (m.text or ""))
        if openings > 1:
            verdict.sent_twice.append(f"callback {callback_id}: the opening {openings} times")


def _alerts(verdict: Verdict, session: Session, fake: FakeBotApi, callback_ids: set[int],
            supervisors_chat: int) -> None:
    texts = [m.text for m in fake.messages_to(supervisors_chat)]
    for escalation in session.scalars(select(Escalation).where(
            Escalation.callback_id.in_(callback_ids))):
        new = re.compile(rf"新的升级工单 #{escalation.id}(?!\d)")
        count = sum(1 for text in texts if new.search(text))
        if count != 1:
            verdict.alerts_not_once.append(f"escalation {escalation.id} of callback "
                                           f"{escalation.callback_id}: alerted {count} times")
