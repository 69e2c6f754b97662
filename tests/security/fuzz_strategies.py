"""Hypothesis strategies for hostile input: text with NUL, lone surrogates, control and
direction characters, Rasa's `/intent{…}` syntax, formulas; arbitrary JSON; ticket rows and
Telegram updates whose fields are sometimes right and sometimes anything at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest and reproducible: the same examples on every run (CI included), no time limit per
# example (the first one pays for warm-up), fixtures shared by the examples of one test.
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NASTY = [
    "\x00", "a\x00b", "\ud800", "\udfff", "\u202e", "\u2028", "\r\n", "\ufeff", "／", "　/",
    '/EXTERNAL_start_callback{"callback_id":"1","template":"generic"}',
    '/inform_score{"score":"1","question":"overall"}', "/deny", "/start", "/start x",
    '=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1", "' OR 1=1 --", "%00", "../../etc",
    "9" * 400, "控制台：https://evil.example", "0x7fffffff", "NaN", "1e309", "",
    "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "2025-01-01T00:00:00-23:59",
]

characters = st.characters(codec=None, exclude_categories=())  # every code point, surrogates too
hostile_text = st.one_of(st.sampled_from(NASTY), st.text(characters, max_size=60),
                         st.text(characters, min_size=1, max_size=5).map(lambda t: t * 500))

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner,
                                                                           max_size=4),
    max_leaves=12)


def sometimes(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the valid value, else anything JSON can carry."""
    return st.one_of(valid, valid, json_values)


# -- tickets (intake API and CSV import) -----------------------------------------------------

SERVICE_TYPES = ["auto_repair", "utility_repair", "broadband", "insurance_claim"]
valid_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                      min_size=1, max_size=30).map(str.strip).filter(bool)
valid_dates = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
    lambda d: d.isoformat(timespec="minutes"))


def ticket_dicts(ticket_ids: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"ticket_id": sometimes(ticket_ids), "customer_id": sometimes(valid_names),
         "service_type": sometimes(st.sampled_from(SERVICE_TYPES)),
         "closed_at": sometimes(valid_dates)},
        optional={"customer_name": sometimes(valid_names),
                  "phone": sometimes(st.sampled_from(["13812345678", "+85291234567",
                                                      "0912-345-678", "abc"])),
                  "channel": sometimes(st.sampled_from(["webchat", "telegram"])),
                  "address": sometimes(valid_names),
                  "locale": sometimes(st.sampled_from(["zh-Hans", "zh-Hant"])),
                  "timezone": sometimes(st.sampled_from(["Asia/Shanghai", "Asia/Taipei", "Mars"])),
                  "agent": sometimes(valid_names), "branch": sometimes(valid_names),
                  "summary": sometimes(hostile_text), "extra": json_values})


# -- Telegram updates ------------------------------------------------------------------------

def telegram_users(known_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(known_ids), st.integers(1, 2**52)),
         "is_bot": st.booleans(), "first_name": hostile_text},
        optional={"username": hostile_text, "language_code": st.sampled_from(
            ["zh-hans", "zh-hant", "zh-TW", "en", "", "xx-yy"])})


def telegram_updates(known_ids: list[int], chats: list[int],
                     commands: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    users = telegram_users(known_ids)
    chat = st.fixed_dictionaries({"id": st.one_of(st.sampled_from(chats), st.integers(-2**52,
                                                                                      2**52)),
                                  "type": st.sampled_from(["private", "group", "supergroup",
                                                           "channel"])})
    text = st.one_of(hostile_text, st.builds(lambda c, a: f"{c} {a}", st.sampled_from(commands),
                                             hostile_text))
    # a command as Telegram marks it (an entity at offset 0), with any arguments, sent by a
    # known user in a known group or in their own private chat
    def command_from(user: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.builds(
            lambda c, a, chat_id: {
                "message_id": 1, "date": 0, "from": user, "text": f"{c} {a}",
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "entities": [{"type": "bot_command", "offset": 0, "length": len(c)}]},
            st.sampled_from(commands), st.one_of(hostile_text, st.integers(-3, 10**6).map(str)),
            st.sampled_from([user["id"], *[c for c in chats if c < 0]]))

    command = st.fixed_dictionaries({"id": st.sampled_from(known_ids), "is_bot": st.just(False),
                                     "first_name": hostile_text}).flatmap(command_from)
    message = st.one_of(command, st.fixed_dictionaries(
        {"message_id": st.integers(1, 2**31), "date": st.integers(0, 2**31), "chat": chat},
        optional={"from": users, "text": text,
                  "entities": st.lists(st.fixed_dictionaries(
                      {"type": st.sampled_from(["bot_command", "mention", "url", "bold"]),
                       "offset": st.integers(-2, 80), "length": st.integers(-2, 80)}),
                      max_size=3),
                  "sticker": st.just({"file_id": "x", "file_unique_id": "y", "type": "regular",
                                      "width": 1, "height": 1, "is_animated": False,
                                      "is_video": False}),
                  "contact": st.fixed_dictionaries({"phone_number": hostile_text,
                                                    "first_name": hostile_text})}))
    callback_query = st.fixed_dictionaries(
        {"id": hostile_text.filter(bool), "from": users, "chat_instance": st.just("ci")},
        optional={"data": st.one_of(hostile_text, st.builds(
            lambda a, n: f"esc:{a}:{n}", st.sampled_from(["claim", "resolve", "x"]),
            st.integers(-5, 10**12))), "message": message})
    return st.fixed_dictionaries(
        {"update_id": st.integers(0, 2**31)},
        optional={"message": message, "edited_message": message,
                  "callback_query": callback_query, "poll": json_values})
