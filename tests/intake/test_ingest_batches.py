"""The intake looks things up once per batch, not per ticket, and a batch still sees its own
new rows: a repeated ticket, a customer's second ticket, an address claimed twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.conversation_routing import customer_at
from huifang import webchat_links
from huifang.db.models import (
    Callback,
    CallbackStatus,
    Channel,
    ChannelAddress,
    Customer,
    Ticket,
    WebChatLink,
)
from huifang.intake import TicketIn, ingest
from huifang.settings import Settings

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SETTINGS = Settings(_env_file=None)


def _ticket(number: int, customer: str, channel: Channel = Channel.WEBCHAT,
            address: str | None = None) -> TicketIn:
    return TicketIn(ticket_id=f"T-{number}", customer_id=customer, service_type="auto_repair",
                    channel=channel, address=address, closed_at=NOW - timedelta(hours=2))


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_sees_its_own_new_rows(session: Session) -> None:
    result = ingest(session, [
        _ticket(1, "C-1", Channel.TELEGRAM, "700"),
        _ticket(1, "C-1", Channel.TELEGRAM, "700"),
        _ticket(2, "C-1", Channel.TELEGRAM, "700"),
        _ticket(3, "C-2", Channel.TELEGRAM, "700"),
        _ticket(4, "C-3"),
        _ticket(5, "C-3"),
    ], NOW, SETTINGS)
    session.commit()
    assert result.created == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    assert result.already_present == ["T-1"]
    assert _count(session, Ticket) == 5 and _count(session, Callback) == 5
    assert _count(session, Customer) == 3
    owner = session.scalar(select(Customer).join(ChannelAddress).where(
        ChannelAddress.channel == Channel.TELEGRAM, ChannelAddress.address == "700"))
    assert owner is not None and owner.external_id == "C-1"  # the first claim keeps it
    assert set(result.bind_tokens) == {"T-3"}  # C-2 still has to bind its chat
    assert set(result.chat_links) == {"T-4", "T-5"}


def test_a_second_batch_finds_the_first(session: Session) -> None:
    ingest(session, [_ticket(1, "C-1", Channel.TELEGRAM, "700")], NOW, SETTINGS)
    session.commit()
    result = ingest(session, [_ticket(1, "C-1"), _ticket(2, "C-1", Channel.TELEGRAM, "700"),
                              _ticket(3, "C-2", Channel.TELEGRAM, "700")], NOW, SETTINGS)
    session.commit()
    assert result.already_present == ["T-1"] and result.created == ["T-2", "T-3"]
    assert _count(session, Customer) == 2 and _count(session, ChannelAddress) == 1


def test_lookups_do_not_grow_with_the_batch(session: Session, engine: Engine) -> None:
    ingest(session, [_ticket(0, "C-0")], NOW, SETTINGS)  # the standing campaign exists
    session.commit()
    counted: list[str] = []
    listener = lambda *args: counted.append(args[2])
    event.listen(engine, "before_cursor_execute", listener)
    try:
        ingest(session, [_ticket(n, f"C-{n}", Channel.TELEGRAM if n % 2 else Channel.WEBCHAT,
                                 f"a-{n}" if n % 4 == 1 else None) for n in range(1, 201)],
               NOW, SETTINGS)
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    lookups = [statement for statement in counted if statement.startswith("SELECT")]
    assert len(lookups) < 10, lookups  # ticket by ticket, it was three or more each


def test_every_link_of_a_batch_leads_to_its_own_customer_and_survey(session: Session) -> None:
    """New rows are written table by table; each link and bind token must still belong to the
    ticket it was issued for."""
    items = [_ticket(n, f"C-{n // 2}", Channel.WEBCHAT if n % 3 else Channel.TELEGRAM)
             for n in range(60)]
    result = ingest(session, items, NOW, SETTINGS)
    session.commit()
    assert len(result.chat_links) == 40 and len(result.bind_tokens) == 20
    for ticket_id, url in result.chat_links.items():
        token = url.rsplit("/", 1)[1]
        link = session.scalar(select(WebChatLink).where(
            WebChatLink.token_hash == webchat_links.token_hash(token)))
        assert link is not None and link.callback is not None
        assert link.callback.ticket.external_id == ticket_id
        assert link.customer.external_id == link.callback.ticket.customer.external_id
        chat = webchat_links.chat_of(session, token, NOW)
        assert chat is not None and customer_at(session, Channel.WEBCHAT, chat[0]) is link.customer
    for ticket_id, url in result.bind_tokens.items():
        customer = session.scalar(select(Customer).where(
            Customer.bind_token == url.rsplit("start=", 1)[1]))
        ticket = session.scalar(select(Ticket).where(Ticket.external_id == ticket_id))
        assert customer is not None and ticket is not None and ticket.customer is customer
    for ticket in session.scalars(select(Ticket)):
        assert [(c.status, c.campaign is not None) for c in ticket.callbacks] == [
            (CallbackStatus.SCHEDULED, True)]
