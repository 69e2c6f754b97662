"""docs/deployment.md, Scale-out, for real: 2 Rasa servers (each with its own action server)
sharing Rasa's trackers and locks in Redis, 2 dispatchers and one gateway routing each
conversation by its sender over both servers, on PostgreSQL, with Telegram played by the fake
Bot API server.

The campaign ends as on the one-server path (tests/scheduler/test_gateway_end_to_end.py): every
customer gets the opening once, every callback is in progress after its first round. Besides:
both servers get conversations, each conversation stays on one (the gateway's hash); customers
who answer have their answers recorded; each server reads the other's trackers from Redis; and
when the gateway is restarted with the server list reversed, every answering customer's
conversation moves to the other server and carries on where it was."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.rasa_routing import RasaRouting
from huifang.db.models import CallbackStatus, DeliveryStatus, Direction, Message, SurveyResponse
from tests.scaleout.stack import ScaleOut, scale_out_stack
from tests.scheduler.live_stack import INTRO, LiveStack, check_first_round_delivered_once
from tests.support.fake_bot_api import FakeBotApi, FakeUser, SentMessage

pytestmark = pytest.mark.rasa

CUSTOMERS = 40
SERVERS = 2
ANSWERING_PER_SERVER = 4
OVERALL_QUESTION = "总体满意度"
SOLVED_QUESTION = "解决了吗"
# after "解决了" a 5 needs no rating and goes on to the recommendation question; a 4 gets the
# first rating (huifang/surveys/auto_after_sales.yml)
NEXT_AFTER_SOLVED = {5: "推荐", 4: "服务态度"}


@dataclass(frozen=True)
class Answering:
    user: FakeUser
    callback_id: int
    server: int  # the one the gateway first routes the conversation to
    score: int

    @property
    def sender(self) -> str:
        return f"callback-{self.callback_id}"

    @property
    def other_server(self) -> int:
        """Where the reversed server list routes the conversation."""
        return SERVERS - 1 - self.server


@pytest.fixture(scope="module")
def stack(trained_models: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleOut]:
    with scale_out_stack(tmp_path_factory.mktemp("scale-out"), SERVERS) as running_stack:
        yield running_stack


def wait_for(what: str, condition: Callable[[], object], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)


def texts_to(fake: FakeBotApi, user: FakeUser, part: str) -> list[SentMessage]:
    return [m for m in fake.messages_to(user.id) if part in m.text]


def chats_of_callbacks(live: LiveStack) -> dict[int, int]:
    """Telegram chat id → the callback its outgoing messages belong to (one each)."""
    with live.sessions() as session:
        pairs = set(session.execute(
            select(Message.address, Message.callback_id)
            .where(Message.direction == Direction.OUTBOUND, Message.callback_id.is_not(None))
        ).tuples())
    assert len({address for address, _ in pairs}) == len(pairs), "a chat with two callbacks"
    return {int(address): callback_id for address, callback_id in pairs}


def campaign_settled(live: LiveStack) -> bool:
    """Every callback's first round taken, released by its dispatcher and delivered."""
    callbacks = live.callbacks()
    with live.sessions() as session:
        unsent = session.scalar(select(Message.id).where(
            Message.direction == Direction.OUTBOUND, Message.delivery != DeliveryStatus.SENT))
    return len(callbacks) == CUSTOMERS and unsent is None and all(
        c.delivered_round >= 1 and c.lease_owner is None for c in callbacks)


def responses(live: LiveStack) -> dict[int, SurveyResponse]:
    with live.sessions() as session:
        return {r.callback_id: r for r in session.scalars(select(SurveyResponse))}


def choose_answering(users: list[FakeUser], chats: dict[int, int], served: list[set[str]]
                     ) -> list[Answering]:
    """The first few customers of each server, scoring 5 and 4 in turn."""
    chosen: list[Answering] = []
    for server, senders in enumerate(served):
        mine = [u for u in users if f"callback-{chats[u.id]}" in senders]
        chosen += [Answering(u, chats[u.id], server, 5 - (len(chosen) + i) % 2)
                   for i, u in enumerate(mine[:ANSWERING_PER_SERVER])]
    return chosen


def press_score(fake: FakeBotApi, customer: Answering) -> None:
    (question,) = [m for m in texts_to(fake, customer.user, OVERALL_QUESTION) if m.buttons()]
    button = question.button(str(customer.score))
    fake.wait_for_answer(fake.user_presses(customer.user, question, button["callback_data"]))


def check_routing(stack: ScaleOut, senders: set[str]) -> list[set[str]]:
    """Each conversation on exactly one server, as the gateway's hash says, both servers used,
    every tracker in Redis; returns each server's conversations."""
    served = stack.locked_conversations()
    assert set().union(*served) == senders
    assert sum(len(group) for group in served) == len(senders)  # none on two servers
    assert all(served), [len(group) for group in served]  # every server got some
    routing = RasaRouting(stack.rasa_urls)
    assert all(routing.server_for(sender) == stack.rasa_urls[server]
               for server, group in enumerate(served) for sender in group)
    assert stack.redis_keys("tracker") == {f"{stack.key_prefix}:tracker:{s}" for s in senders}
    return served


def check_trackers_shared(stack: ScaleOut, answering: list[Answering]) -> None:
    """The server that never saw a conversation reads it, answer included, from Redis."""
    for customer in answering:
        own = stack.tracker(customer.server, customer.sender)
        other = stack.tracker(customer.other_server, customer.sender)
        assert other["events"] == own["events"]
        assert other["slots"]["requested_slot"] == "solved", other["slots"]
        assert other["slots"]["overall"] == customer.score, other["slots"]


def test_two_rasa_two_action_servers_two_dispatchers_deliver_and_converse_like_one(
        stack: ScaleOut) -> None:
    live, fake = stack.live, stack.live.fake
    users = live.campaign(CUSTOMERS, "SCALE")
    workers = {"HUIFANG_DISPATCH_BATCH_SIZE": "5", "HUIFANG_DISPATCH_INTERVAL_SECONDS": "0.3"}
    live.start_dispatcher("dispatcher-1", concurrency=4, **workers)
    live.start_dispatcher("dispatcher-2", concurrency=4, **workers)
    assert live.make_due() == CUSTOMERS
    wait_for("every first round delivered", lambda: campaign_settled(live), 300)

    per_chat = check_first_round_delivered_once(live, users)
    chats = chats_of_callbacks(live)
    assert sorted(chats) == sorted(u.id for u in users)
    served = check_routing(stack, {f"callback-{c}" for c in chats.values()})

    # customers of both servers answer the first question with a button
    answering = choose_answering(users, chats, served)
    assert len(answering) == SERVERS * ANSWERING_PER_SERVER
    for customer in answering:
        press_score(fake, customer)
    fake.wait_for(lambda: all(texts_to(fake, c.user, SOLVED_QUESTION) for c in answering), 120,
                  "the second question to every answering customer")
    recorded = responses(live)
    assert {c.callback_id: recorded[c.callback_id].overall for c in answering} == {
        c.callback_id: c.score for c in answering}
    check_trackers_shared(stack, answering)

    # the server list reversed: each answering conversation's next turn is the other server's
    marks = stack.log_marks()
    stack.start_gateway("gateway-reversed", list(reversed(stack.rasa_urls)))
    for customer in answering:
        fake.user_sends(customer.user, "解决了")
    fake.wait_for(lambda: all(texts_to(fake, c.user, NEXT_AFTER_SOLVED[c.score])
                              for c in answering), 120,
                  "the third question to every answering customer")
    moved = stack.locked_conversations(since=marks)
    for customer in answering:
        assert customer.sender in moved[customer.other_server]
        assert customer.sender not in moved[customer.server]
    recorded = responses(live)
    assert {c.callback_id: (recorded[c.callback_id].overall, recorded[c.callback_id].solved)
            for c in answering} == {c.callback_id: (c.score, True) for c in answering}
    for customer in answering:  # each question once: the conversation went on, not over
        asked = [len(texts_to(fake, customer.user, part)) for part in
                 (INTRO, OVERALL_QUESTION, SOLVED_QUESTION, NEXT_AFTER_SOLVED[customer.score])]
        assert asked == [1, 1, 1, 1], (customer, asked)

    # the others were left alone; nobody's callback moved on from its first round
    quiet = {u.id for u in users} - {c.user.id for c in answering}
    assert {chat: len(fake.messages_to(chat)) for chat in quiet} == {
        chat: per_chat[chat] for chat in quiet}
    assert set(recorded) == {c.callback_id for c in answering}
    callbacks = live.callbacks()
    assert {c.status for c in callbacks} == {CallbackStatus.IN_PROGRESS}
    assert {c.delivered_round for c in callbacks} == {1}
    assert fake.rejected(429) == []
