"""Web-chat links are the customer's credential: random, issued by intake and import, stored
hashed, expiring; a ticketing-system address opens nothing. And the public listener's other
guards: body-size limits before parsing, rate limits, the internal API off the public port."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.conversation_routing import customer_at
from huifang import webchat_links
from huifang.app.cli.main import app as huifang_cli
from huifang.db import session_scope
from huifang.web.client_address import client_address, trusted_networks
from huifang.db.models import Channel, Customer, Message, WebChatLink
from huifang.db.types import utcnow
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings
from scheduler.intake_api import create_app as intake_app
from tests.console.console_support import cli_database
from tests.gateway.support import (
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
    seed_customer,
)
from tests.support.fake_bot_api import serve_asgi

INTAKE_KEY = "intake-key-for-the-link-tests-0123456789"


@pytest.fixture
def gateway(database_url: str, rasa_down: str) -> Iterator[GatewayUnderTest]:
    with running_gateway(gateway_settings(database_url, rasa_down,
                                          webchat_requests_per_minute=8)) as running:
        yield running


def _customer_of(session: Session, token: str) -> Customer | None:
    """Whom the gateway lets in with this link: the customer at its web-chat address."""
    chat = webchat_links.chat_of(session, token, utcnow())
    return customer_at(session, Channel.WEBCHAT, chat[0]) if chat is not None else None


def token_of(link: str | None) -> str:
    assert link is not None
    return link.rsplit("/", 1)[1]


def test_intake_issues_a_random_hashed_expiring_link_per_web_chat_ticket(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    one = seed_customer(sessions, Channel.WEBCHAT, address="crm-visible-address-1")
    two = seed_customer(sessions, Channel.WEBCHAT)
    tokens = [token_of(one.chat_link), token_of(two.chat_link)]
    assert one.chat_link == f"{gateway.settings.public_base_url}/chat/{tokens[0]}"
    assert tokens[0] != tokens[1] and all(len(t) >= 22 for t in tokens)  # ≥ 128 bits
    with sessions() as session:
        rows = session.scalars(select(WebChatLink)).all()
        assert {r.token_hash for r in rows} == {hashlib.sha256(t.encode()).hexdigest()
                                                for t in tokens}
        assert all(r.expires_at - r.created_at == timedelta(days=30) for r in rows)
    # the ticketing system's address opens nothing; the link does
    assert httpx.get(f"{gateway.url}/chat/crm-visible-address-1").status_code == 404
    assert httpx.get(f"{gateway.url}/webchat/crm-visible-address-1/messages").status_code == 404
    assert httpx.get(f"{gateway.url}/chat/{tokens[0]}").status_code == 200


def test_an_unknown_or_expired_link_gets_a_polite_chinese_404(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(sessions, Channel.WEBCHAT)
    token = token_of(seeded.chat_link)
    assert httpx.get(f"{gateway.url}/webchat/{token}/messages").status_code == 200
    with session_scope(sessions) as session:
        session.execute(update(WebChatLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    for url in (f"{gateway.url}/chat/{token}", f"{gateway.url}/chat/{token[:-1]}x"):
        page = httpx.get(url)
        assert page.status_code == 404
        assert "这个聊天链接无效或已过期" in page.text and 'lang="zh-Hans"' in page.text
    answer = httpx.post(f"{gateway.url}/webchat/{token}/messages", json={"text": "你好"})
    assert answer.status_code == 404 and "无效或已过期" in answer.json()["detail"]
    assert gateway.read(lambda s: s.scalars(select(Message)).all()) == []  # nothing recorded


def test_one_customers_link_never_shows_anothers_conversation(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    mine = seed_customer(sessions, Channel.WEBCHAT, address="wc-mine")
    theirs = seed_customer(sessions, Channel.WEBCHAT, address="wc-theirs")
    theirs_url = f"{gateway.url}/webchat/{token_of(theirs.chat_link)}/messages"
    assert httpx.post(theirs_url, json={"text": "我的电话是13812345678"}).status_code == 202
    assert len(httpx.get(theirs_url).json()) == 2  # their message and the "processing" notice
    mine_url = f"{gateway.url}/webchat/{token_of(mine.chat_link)}/messages"
    assert httpx.get(mine_url).json() == []
    assert gateway.messages(Channel.WEBCHAT, "wc-mine") == []


def test_the_intake_api_and_the_import_return_the_links(
        database_url: str, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=database_url,
                        intake_api_keys=[SecretStr(INTAKE_KEY)])
    ticket = {"ticket_id": "LINK-1", "customer_id": "link-c1", "service_type": "auto_repair",
              "closed_at": "2026-11-20T10:00:00+08:00"}
    with serve_asgi(intake_app(settings, sessions)) as url:
        answer = httpx.post(f"{url}/api/tickets", json=[ticket, {**ticket, "ticket_id": "LINK-2",
                                                                "channel": "telegram"}],
                            headers={"X-API-Key": INTAKE_KEY}).json()
    assert list(answer["chat_links"]) == ["LINK-1"] and list(answer["bind_links"]) == ["LINK-2"]
    with sessions() as session:
        customer = _customer_of(session, token_of(answer["chat_links"]["LINK-1"]))
        assert customer is not None and customer.external_id == "link-c1"

    csv = tmp_path / "tickets.csv"
    csv.write_text("ticket_id,customer_id,service_type,closed_at\n"
                   "LINK-3,link-c3,auto_repair,2026-11-20 10:00\n", encoding="utf-8")
    with cli_database(database_url):
        printed = CliRunner().invoke(huifang_cli, ["tickets", "import", str(csv),
                                                   "--show-links"])
    assert printed.exit_code == 0, printed.output
    line = next(line for line in printed.output.splitlines() if line.startswith("LINK-3"))
    with sessions() as session:
        customer = _customer_of(session, token_of(line.split()[-1]))
        assert customer is not None and customer.external_id == "link-c3"


def test_requests_beyond_the_per_link_rate_get_a_polite_429(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    token = token_of(seed_customer(sessions, Channel.WEBCHAT).chat_link)
    other = token_of(seed_customer(sessions, Channel.WEBCHAT).chat_link)
    codes = [httpx.get(f"{gateway.url}/webchat/{token}/messages").status_code
             for _ in range(9)]
    assert codes == [200] * 8 + [429]
    refused = httpx.get(f"{gateway.url}/webchat/{token}/messages")
    assert refused.status_code == 429 and "请稍等片刻再试" in refused.json()["detail"]
    assert httpx.get(f"{gateway.url}/chat/{token}").status_code == 429
    assert httpx.get(f"{gateway.url}/webchat/{other}/messages").status_code == 200


def test_per_client_rate_believes_x_forwarded_for_only_from_trusted_proxies(
        database_url: str, rasa_down: str, sessions: sessionmaker[Session]) -> None:
    settings = gateway_settings(database_url, rasa_down, webchat_requests_per_minute=100,
                                webchat_requests_per_minute_per_client=3,
                                trusted_proxies=["127.0.0.1"])
    with running_gateway(settings) as running:
        tokens = [token_of(seed_customer(sessions, Channel.WEBCHAT).chat_link)
                  for _ in range(2)]

        def get(token: str, client: str) -> int:
            return httpx.get(f"{running.url}/webchat/{token}/messages",
                             headers={"X-Forwarded-For": client}).status_code

        assert [get(tokens[0], "203.0.113.7") for _ in range(3)] == [200] * 3
        assert get(tokens[1], "203.0.113.7") == 429  # same client, other link
        assert get(tokens[1], "198.51.100.9") == 200  # another client behind the proxy


def test_bodies_over_the_limit_are_refused_before_parsing(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    token = token_of(seed_customer(sessions, Channel.WEBCHAT).chat_link)
    url = f"{gateway.url}/webchat/{token}/messages"
    limit = gateway.settings.webchat_max_body_bytes
    declared = httpx.post(url, content=b"{" + b" " * limit + b"}",
                          headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and "请求内容过大" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"text": "'
        for _ in range(limit // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    streamed = httpx.post(url, content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert httpx.post(url, json={"text": "好"}).status_code != 413
    # a malformed Content-Length (sent raw: HTTP clients refuse to) is a 400, never parsed
    host, port = gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(f"POST /webchat/{token}/messages HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}".encode())
        assert raw.recv(200).startswith(b"HTTP/1.1 400")


def test_the_internal_api_is_not_on_the_public_listener_and_round_is_bounded(
        sessions: sessionmaker[Session], gateway: GatewayUnderTest) -> None:
    seeded = seed_customer(sessions, Channel.WEBCHAT)
    auth = {"Authorization": f"Bearer {gateway.settings.internal_token.get_secret_value()}"}
    path = f"/internal/callbacks/{seeded.callback_id}/send"
    public = httpx.post(f"{gateway.url}{path}", json={"round": 1, "mode": "start"}, headers=auth)
    assert public.status_code == 404
    for round_ in (0, 1001, 2**31, 10**30):
        answer = httpx.post(f"{gateway.internal_url}{path}",
                            json={"round": round_, "mode": "start"}, headers=auth)
        assert answer.status_code == 422, round_


def test_ingest_without_web_chat_issues_no_link(sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    with session_scope(sessions) as session:
        result = ingest(session, [TicketIn(ticket_id="TG-1", customer_id="tg-1",
                                           service_type="auto_repair", channel=Channel.TELEGRAM,
                                           closed_at=now)], now)
        assert result.chat_links == {} and session.scalars(select(WebChatLink)).all() == []


PROXY = trusted_networks(("10.0.0.0/8", "127.0.0.1"))


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not a proxy: its header is ignored
    ("127.0.0.1", None, "127.0.0.1"),
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.1.1", "203.0.113.7"),  # nearest untrusted hop
    ("127.0.0.1", "10.2.2.2, 10.1.1.1", "10.2.2.2"),
    ("127.0.0.1", "203.0.113.7, not-an-ip", "127.0.0.1"),  # garbage: the proxy itself
    (None, "203.0.113.7", "-"),
])
def test_client_address(peer: str | None, forwarded: str | None, client: str) -> None:
    assert client_address(peer, forwarded, PROXY) == client
    assert client_address(peer or None, forwarded, ()) == (peer or "-")
