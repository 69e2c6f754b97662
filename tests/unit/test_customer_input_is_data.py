"""Customer input is data: typed text can never be read as Rasa's `/intent{…}` syntax, and a
button is only an opaque id that maps back to a payload we offered for the question now open
in that very chat. (Through the real Rasa and gateway: tests/gateway/test_customer_input_*.)"""

from __future__ import annotations

import pytest
from opencc import OpenCC
from sqlalchemy.orm import Session, sessionmaker

from bot.transcript import (
    Outgoing,
    StoredMessage,
    button_ref,
    open_button,
    parse_button_ref,
    record_inbound,
    record_outbound,
)
from huifang.db import session_scope
from huifang.db.models import Channel
from huifang.plain_text import button_intent, is_typed_intent, plain_text
from tests.gateway.support import Seeded, seed_customer

INJECTION = '/inform_score{"score":"1","question":"overall"}'
WEBCHAT = Channel.WEBCHAT


def rasa_reads_an_intent(text: str) -> bool:
    """Rasa's own test (UserMessage and RegexMessageHandler both strip, then look for "/")."""
    return text.strip().startswith("/")


@pytest.mark.parametrize("prefix", [
    "", " ", "\t\n", "\u3000", "\u00a0", "\u200b", "\ufeff", "\u2060", "\u200b\u3000 ",
    "\u202e", "\x00", "\x1c",
])
def test_text_with_a_hidden_leading_slash_is_not_an_intent(prefix: str) -> None:
    for attack in (INJECTION, '/EXTERNAL_start_callback{"callback_id":"1"}', "/opt_out"):
        text = plain_text(prefix + attack)
        assert not rasa_reads_an_intent(text)
        assert text == "／" + attack[1:]  # the customer's words, the slash made harmless
        # the NLU pipeline's first step (Traditional → Simplified) does not bring it back
        assert not rasa_reads_an_intent(OpenCC("t2s").convert(text))


@pytest.mark.parametrize("text", ["给4分吧", "还行 / 一般", "師傅態度很好", "5", "／inform_score"])
def test_ordinary_text_is_left_as_the_customer_wrote_it(text: str) -> None:
    assert plain_text(f" {text}\u3000") == text


@pytest.mark.parametrize(("typed", "is_intent"), [
    (INJECTION, True), ("\u200b/opt_out", True), ("/affirm@0.9", True), ("/deny", True),
    ('/EXTERNAL_start_callback{"callback_id":"1"}', True),
    ("/5", False), ("/ 一般", False), ("／好评", False), ("给4分吧", False), ("5/5", False),
    ("/affirm 好的", False),
])
def test_typed_intent_syntax_is_recognised_after_it_was_made_harmless(typed: str,
                                                                      is_intent: bool) -> None:
    assert is_typed_intent(plain_text(typed)) is is_intent


def test_invisible_only_text_becomes_empty() -> None:
    assert plain_text("\u200b \u3000\ufeff") == ""


@pytest.mark.parametrize(("payload", "intent"), [
    ('/inform_score{"score":"5","question":"overall"}', "inform_score"),
    ("/affirm", "affirm"),
    ("/deny@0.9", "deny"),
    ('/EXTERNAL_start_callback{"callback_id":"1"}', "EXTERNAL_start_callback"),
    ("hello", None),
    ("/", None),
    ("/{}", None),
])
def test_button_intent_names_the_intent_of_a_payload(payload: str, intent: str | None) -> None:
    assert button_intent(payload) == intent


def test_button_refs_are_opaque_and_strict() -> None:
    assert button_ref(12, 3) == "b:12:3" and parse_button_ref("b:12:3") == (12, 3)
    for bad in ("", "b:12", "b:12:3:4", "b:x:1", "b:１２:0", "b:-1:0", "esc:claim:3",
                "b:1234567890123456789:0", INJECTION, "b:chosen"):
        assert parse_button_ref(bad) is None, bad


def _keyboard(title: str, payload: str) -> Outgoing:
    return Outgoing(f"请选择 {title}", [{"title": title, "payload": payload},
                                        {"title": "其他", "payload": "/deny"}])


def _send(sessions: sessionmaker[Session], seeded: Seeded, *messages: Outgoing
          ) -> list[StoredMessage]:
    assert seeded.address is not None
    with session_scope(sessions) as session:
        return record_outbound(session, WEBCHAT, seeded.address, list(messages),
                               customer_id=seeded.customer_id, callback_id=seeded.callback_id,
                               delivered=True)


def _open(sessions: sessionmaker[Session], address: str, ref: str) -> dict[str, str] | None:
    with sessions() as session:
        return open_button(session, WEBCHAT, address, ref)


def test_only_the_open_questions_buttons_map_back_and_only_in_their_chat(
        sessions: sessionmaker[Session]) -> None:
    alice = seed_customer(sessions, WEBCHAT, address="unit-alice")
    bob = seed_customer(sessions, WEBCHAT, address="unit-bob")
    (old,) = _send(sessions, alice, _keyboard("5 非常满意", '/inform_score{"score":"5"}'))
    intro, current = _send(sessions, alice, Outgoing("好的", []),
                           _keyboard("已解决", '/affirm{"question":"solved"}'))
    (bobs,) = _send(sessions, bob, _keyboard("1 非常不满意", '/inform_score{"score":"1"}'))

    assert _open(sessions, "unit-alice", button_ref(current.id, 0)) == {
        "title": "已解决", "payload": '/affirm{"question":"solved"}'}
    assert _open(sessions, "unit-alice", button_ref(current.id, 1))["payload"] == "/deny"
    # a keyboard asked before, a message without buttons, another customer's keyboard
    assert _open(sessions, "unit-alice", button_ref(old.id, 0)) is None
    assert _open(sessions, "unit-alice", button_ref(intro.id, 0)) is None
    assert _open(sessions, "unit-alice", button_ref(bobs.id, 0)) is None
    assert _open(sessions, "unit-bob", button_ref(current.id, 0)) is None
    assert _open(sessions, "unit-alice", button_ref(current.id, 2)) is None
    assert _open(sessions, "unit-alice", INJECTION) is None
    assert _open(sessions, "nobody", button_ref(current.id, 0)) is None

    # the customer writes and the bot answers without buttons: no question is open any more
    with session_scope(sessions) as session:
        record_inbound(session, WEBCHAT, "unit-alice", customer_id=alice.customer_id,
                       callback_id=alice.callback_id, text="解决了")
    assert _open(sessions, "unit-alice", button_ref(current.id, 0)) is not None
    _send(sessions, alice, Outgoing("感谢您的评价", []))
    assert _open(sessions, "unit-alice", button_ref(current.id, 0)) is None


def test_buttons_without_a_payload_never_map(sessions: sessionmaker[Session]) -> None:
    seeded = seed_customer(sessions, WEBCHAT, address="unit-links")
    (linked,) = _send(sessions, seeded, Outgoing("详情", [
        {"title": "认领", "callback_data": "esc:claim:1"},
        {"title": "打开", "url": "https://example.com"}]))
    assert _open(sessions, "unit-links", button_ref(linked.id, 0)) is None
    assert _open(sessions, "unit-links", button_ref(linked.id, 1)) is None
