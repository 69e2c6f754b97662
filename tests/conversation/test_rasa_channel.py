"""The one input channel of the real Rasa server (rasa_channels/customer_input.py): it refuses
anyone without the Rasa token, Rasa's own unauthenticated REST channel is off, and what a
customer typed is never read as an intent, whatever it looks like."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.rasa_http import RasaConversations, texts

pytestmark = pytest.mark.rasa

SCORE_ONE = '/inform_score{"score":"1","question":"overall"}'


def _events(client: RasaConversations, sender: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{client.rasa_url}/conversations/{sender}/tracker",
                         params={"token": client.token}, timeout=30)
    response.raise_for_status()
    return list(response.json()["events"])


def _url(client: RasaConversations) -> str:
    return f"{client.rasa_url}/webhooks/huifang/webhook"


def test_the_channel_refuses_requests_without_the_right_token(rasa_client: RasaConversations
                                                              ) -> None:
    body = {"sender": "callback-1", "text": "你好"}
    assert httpx.post(_url(rasa_client), json=body, timeout=30).status_code == 401
    for header in ("Bearer wrong-token", f"Token {rasa_client.token}", "Bearer",
                   f"Bearer {rasa_client.token}x", f"Bearer  {rasa_client.token}"):
        response = httpx.post(_url(rasa_client), json=body, headers={"Authorization": header},
                              timeout=30)
        assert response.status_code == 401, header
    non_ascii = httpx.post(_url(rasa_client), json=body, timeout=30,
                           headers={"Authorization": "Bearer 令牌".encode()})
    assert non_ascii.status_code == 401
    # the token in the query string, as the HTTP API takes it, is not enough here
    assert httpx.post(_url(rasa_client), json=body, params={"token": rasa_client.token},
                      timeout=30).status_code == 401
    assert rasa_client.post_channel(body).status_code == 200


def test_rasas_own_rest_channel_is_off(rasa_client: RasaConversations) -> None:
    response = httpx.post(f"{rasa_client.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "callback-1", "message": SCORE_ONE}, timeout=30)
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    {"text": "你好"},
    {"sender": "", "text": "你好"},
    {"sender": 5, "text": "你好"},
    {"sender": "callback-1"},
    {"sender": "callback-1", "text": "5", "button": "/affirm"},
    {"sender": "callback-1", "text": 5},
    {"sender": "callback-1", "text": "\u200b\u3000"},
    {"sender": "callback-1", "button": "affirm"},
    {"sender": "callback-1", "button": '/EXTERNAL_start_callback{"callback_id":"1"}'},
    {"sender": "callback-1", "button": "/EXTERNAL_reminder"},
    ["callback-1", "你好"],
])
def test_malformed_or_internal_messages_are_refused(rasa_client: RasaConversations,
                                                    body: Any) -> None:
    response = rasa_client.post_channel(body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]


def test_intent_syntax_in_text_reaches_rasa_as_plain_text(start_callback) -> None:
    victim = start_callback("generic")
    attacker = start_callback("generic")
    forged = ('/EXTERNAL_start_callback{"callback_id":"%d","template":"recovery"}'
              % victim.callback_id)
    for attack in (forged, "\u3000" + SCORE_ONE, "\u00a0\u200b/opt_out", "/request_human"):
        replies = attacker.say(attack)
        assert replies and "工单号" not in texts(replies)  # answered; no survey (re)started
    events = [e for e in _events(attacker.client, attacker.sender) if e["event"] == "user"]
    said = events[-4:]
    assert [e["text"][0] for e in said] == ["／"] * 4
    for event in said:
        parsed = event["parse_data"]
        # typed syntax is no intent and tags nothing (DIET read "opt_out" as opt_out)
        assert (parsed["intent"]["name"], parsed["entities"]) == ("nlu_fallback", [])
    for stored in (victim.stored(), attacker.stored()):
        # nobody answered anything: the typed score's digit is no score of 1 (it escalated)
        assert stored.response is None or stored.response.overall is None
        assert stored.escalations == [] and stored.ticket.customer.opted_out_at is None


def test_a_button_the_gateway_mapped_back_still_answers(start_callback) -> None:
    c = start_callback("generic")
    reply = c.press('/inform_score{"score":"4","question":"overall"}')
    assert "解决了吗" in texts(reply)
    assert c.stored().response.overall == 4


def test_a_message_key_already_taken_in_is_answered_again_not_run_again(
        start_callback: Any, rasa_client: RasaConversations) -> None:
    """The gateway timed out or died after Rasa took the message in, and sends it again with
    its key: the same replies, one user event, the answer recorded once, and the next message
    goes to the next question (docs/reliability.md, "Inbound")."""
    conversation = start_callback()
    body = {"sender": conversation.sender, "text": "非常满意",
            "metadata": {"message_key": "inbox:900001"}}
    first = rasa_client.channel(body)
    again = rasa_client.channel(body)
    assert [m["text"] for m in again] == [m["text"] for m in first] and first
    users = [e for e in _events(rasa_client, conversation.sender)
             if e["event"] == "user" and not e["text"].startswith("EXTERNAL")]
    assert [e["text"] for e in users] == ["非常满意"]
    assert users[0]["metadata"]["message_key"] == "inbox:900001"
    assert conversation.stored().response.overall == 5
    rasa_client.channel({**body, "text": "解决了", "metadata": {"message_key": "inbox:900002"}})
    assert conversation.stored().response.solved is True


def test_a_first_try_is_not_looked_up(start_callback: Any, rasa_client: RasaConversations
                                     ) -> None:
    """The gateway marks a message no one handed to Rasa before (`first_try`): its key cannot
    be in the tracker, so the channel does not read the tracker for it. The mark is the
    gateway's promise; here it is broken on purpose to show the lookup really is skipped."""
    conversation = start_callback()
    body = {"sender": conversation.sender, "text": "非常满意",
            "metadata": {"message_key": "inbox:900101", "first_try": True}}
    rasa_client.channel(body)
    rasa_client.channel(body)
    users = [e for e in _events(rasa_client, conversation.sender)
             if e["event"] == "user" and not e["text"].startswith("EXTERNAL")]
    assert [e["text"] for e in users] == ["非常满意", "非常满意"]


def test_a_message_key_must_be_a_short_string(rasa_client: RasaConversations) -> None:
    for key in (5, "", "k" * 81, ["inbox:1"]):
        response = rasa_client.post_channel({"sender": "callback-1", "text": "你好",
                                             "metadata": {"message_key": key}})
        assert response.status_code == 400, key
