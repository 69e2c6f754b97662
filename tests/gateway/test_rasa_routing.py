"""Several Rasa servers: each conversation always goes to the same one, and the
conversations spread over all of them."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.rasa_routing import RasaRouting
from huifang.settings import Settings

SERVERS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006/", "http://127.0.0.1:5007"]


def test_a_conversation_stays_on_one_server() -> None:
    routing, again = RasaRouting(SERVERS), RasaRouting(list(SERVERS))
    for n in range(200):
        sender = f"callback-{n}"
        assert routing.server_for(sender) == routing.server_for(sender) == again.server_for(sender)


def test_conversations_spread_over_every_server() -> None:
    spread = Counter(RasaRouting(SERVERS).server_for(f"callback-{n}") for n in range(3000))
    assert set(spread) == {url.rstrip("/") for url in SERVERS}
    assert min(spread.values()) > 800


def test_one_server_by_default() -> None:
    settings = Settings(_env_file=None, rasa_url="http://127.0.0.1:5005/")
    assert RasaRouting(settings.rasa_servers).server_for("telegram-42") == "http://127.0.0.1:5005"
    with pytest.raises(ValueError):
        RasaRouting([])
