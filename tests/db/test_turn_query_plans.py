"""Every statement the gateway runs for a web-chat turn finds its rows through an index, on
SQLite and on PostgreSQL: none reads a whole table that grows with every turn (messages, the
inbox, customers, callbacks), or each turn would get slower the longer the product runs.

The statements are captured from the same functions the gateway calls, in the order of a
turn, then explained: SQLite's query plan must not say `SCAN <table>`; PostgreSQL is asked
to plan with sequential scans off, so a `Seq Scan` left in its plan means no index can serve
the statement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot import inbox
from bot.conversation_routing import customer_at
from bot.inbox import InboxPolicy
from bot.relay import _begin_turn
from bot.transcript import Outgoing, open_button, record_outbound, replies_to
from huifang import webchat_links
from huifang.db import session_scope
from huifang.db.models import Channel, Locale
from huifang.db.types import utcnow
from tests.gateway.support import seed_customer

GROWING = ("message", "inbox", "customer", "callback", "ticket", "webchat_link")
WEBCHAT = Channel.WEBCHAT


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def full_scans(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = [row[-1] for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters)]
            pattern = r"^SCAN (\w+)"
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = [row[0] for row in connection.exec_driver_sql(
                f"EXPLAIN {statement}", parameters)]
            pattern = r"Seq Scan on (\w+)"
        return [line for line in plan
                if (found := re.search(pattern, line.strip())) and found.group(1) in GROWING]


def a_web_chat_turn(sessions: sessionmaker[Session], token: str, address: str) -> None:
    """The gateway's transactions of one turn, in order (bot/webchat.py, bot/inbox_worker.py,
    bot/relay.py), with a button pressed and a typed answer."""
    policy, now = InboxPolicy(), utcnow()
    with session_scope(sessions) as session:
        assert webchat_links.chat_of(session, token, now) == (address, Locale.SIMPLIFIED)
        customer = customer_at(session, WEBCHAT, address)
        assert customer is not None
        question = record_outbound(session, WEBCHAT, address, [Outgoing("满意吗？", [
            {"title": "满意", "payload": "/inform_score{\"score\":\"5\"}"}])],
            customer_id=customer.id, callback_id=None, delivered=True)
    for n, body in enumerate(({"button": f"b:{question[0].id}:0"}, {"text": "很好"})):
        with session_scope(sessions) as session:
            key = f"turn-key-{n:04d}"
            if "button" in body:
                assert open_button(session, WEBCHAT, address, body["button"]) is not None
            item = inbox.store(session, WEBCHAT, key, address, body, now)
            assert item is not None
            assert inbox.stored_id(session, WEBCHAT, key, address) == item
            assert not inbox.held_up(session, WEBCHAT, address, item)
            inbox.status_of(session, item)
        with session_scope(sessions) as session:
            taken = inbox.take_head(session, WEBCHAT, address, now, policy)
            assert taken is not None and taken.id == item
        with session_scope(sessions) as session:
            began = _begin_turn(session, WEBCHAT, address, body.get("text"), body.get("button"),
                                None, item)
            assert not isinstance(began, str), began
        with session_scope(sessions) as session:
            record_outbound(session, WEBCHAT, address, [Outgoing("谢谢", [])],
                            customer_id=customer.id, callback_id=None, delivered=True,
                            key=f"reply:{item}")
        with session_scope(sessions) as session:
            inbox.finish(session, item, now)
            assert inbox.take_head(session, WEBCHAT, address, now, policy) is None
        with session_scope(sessions) as session:
            assert [m.text for m in replies_to(session, item)] == ["谢谢"]


def test_no_statement_of_a_web_chat_turn_reads_a_whole_table(
        engine: Engine, sessions: sessionmaker[Session]) -> None:
    others = [seed_customer(sessions, WEBCHAT, address=f"other-{n}") for n in range(3)]
    seeded = seed_customer(sessions, WEBCHAT, address="turn-plans")
    assert seeded.chat_link is not None and all(o.chat_link for o in others)
    token = seeded.chat_link.rsplit("/", 1)[1]
    with captured(engine) as statements:
        a_web_chat_turn(sessions, token, "turn-plans")
    assert len(statements) > 10
    scans = {statement: found for statement, parameters in statements
             if (found := full_scans(engine, statement, parameters))}
    assert scans == {}
