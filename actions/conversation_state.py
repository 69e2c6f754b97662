"""What every action needs to know about the conversation: its callback, the customer's
script, and a database session to write outcomes with."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.replies import detect_script
from huifang.db import create_db_engine, in_worker_thread, session_factory
from huifang.db.models import AppliedTurn
from huifang.message_metadata import MESSAGE_KEY
from huifang.settings import get_settings

T = TypeVar("T")

SKIPPED = "skipped"
SENDER_PREFIX = "callback-"


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory(create_db_engine(get_settings().database_url))


async def in_transaction(work: Callable[[Session], T]) -> T:
    """Run blocking database work in a worker thread, inside one committed transaction."""
    return await in_worker_thread(_sessions(), work)


_WRITES = "_huifang_writes"  # how many answer writes this action run made so far


def message_key(tracker: Tracker) -> str | None:
    """The gateway's idempotency key of the message this turn answers (docs/reliability.md)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            key = (event.get("metadata") or {}).get(MESSAGE_KEY)
            return key if isinstance(key, str) and key else None
    return None


def _write_step(tracker: Tracker) -> str:
    """Which write of the turn this is: the events since the customer's message (which action
    of the turn) and the writes this action run made before — the same again when Rasa runs
    the same message again."""
    since = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        since += 1
    made = getattr(tracker, _WRITES, 0)
    setattr(tracker, _WRITES, made + 1)
    return f"{since}.{made}"


async def answer_write(tracker: Tracker, work: Callable[[Session], T], replayed: T) -> T:
    """Write what this turn's message says, once per message: the turn is recorded by the
    message key in the same transaction (`applied_turn`), so a message Rasa runs again (it was
    killed after the write, before saving its tracker) writes nothing and gets `replayed`.
    Turns without a key (the scheduler's proactive ones) are written as they come."""
    key = message_key(tracker)
    if key is None:
        return await in_transaction(work)
    step = _write_step(tracker)

    def once(session: Session) -> T:
        if session.scalar(select(AppliedTurn.id).where(AppliedTurn.message_key == key,
                                                       AppliedTurn.step == step)):
            return replayed
        session.add(AppliedTurn(sender=tracker.sender_id, message_key=key, step=step))
        session.flush()
        return work(session)

    return await in_transaction(once)


def callback_id(tracker: Tracker) -> int | None:
    """The callback of this conversation, from the sender id the gateway chose (`callback-<id>`)
    — never from a slot or entity, which a message could carry."""
    number = tracker.sender_id.removeprefix(SENDER_PREFIX)
    if number != tracker.sender_id and number.isascii() and number.isdigit():
        return int(number)
    return None


def latest_text(tracker: Tracker) -> str:
    """What the customer actually typed. The NLU pipeline converts Traditional to Simplified in
    the parse data; the user event keeps the original, which decides the reply script."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return (tracker.latest_message or {}).get("text") or ""


def parsed_text(tracker: Tracker) -> str:
    """The latest message as NLU saw it (Simplified); `from_text` slot values are this text."""
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def known_overall(tracker: Tracker) -> int | None:
    """The customer's 1-5 overall score, once given."""
    value = tracker.get_slot("overall")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def customer_script(tracker: Tracker) -> str:
    return detect_script(latest_text(tracker) if not latest_text(tracker).startswith("/") else None,
                         tracker.get_slot("script"))


def is_answer_text(text: str) -> bool:
    """Button payloads (/intent{...}) are not words the customer typed."""
    return bool(text.strip()) and not text.startswith("/")


CUSTOMER_SENDER_PREFIX = "customer-"


def customer_id_from_sender(tracker: Tracker) -> int | None:
    """Conversations outside any callback are keyed by customer (see docs/contracts.md)."""
    if tracker.sender_id.startswith(CUSTOMER_SENDER_PREFIX):
        return int(tracker.sender_id.removeprefix(CUSTOMER_SENDER_PREFIX))
    return None
