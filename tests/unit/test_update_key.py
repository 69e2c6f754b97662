"""The inbox key of a Telegram update is computed before anything else is stored: a lone
surrogate in a name (valid JSON, found by fuzzing) used to make it raise, and the webhook
answered 503 for an update it could never store."""

from bot.inbound import update_key


def test_a_lone_surrogate_gives_a_key() -> None:
    body = {"update_id": 7, "message": {"from": {"first_name": "\ud800"}, "text": "/start \x00"}}
    assert update_key(7, body).startswith("update:7:")


def test_the_same_update_gives_the_same_key_and_another_content_another() -> None:
    body = {"update_id": 7, "message": {"text": "满意"}}
    assert update_key(7, body) == update_key(7, dict(body))
    assert update_key(7, body) != update_key(7, {"update_id": 7, "message": {"text": "不满意"}})
