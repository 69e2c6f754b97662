"""Fixtures of the security tests: the fake Telegram Bot API and a closed Rasa port, as the
gateway tests have them."""

from tests.gateway.conftest import fake_telegram, rasa_down  # noqa: F401 (fixtures)
