"""A small demo campaign so a newcomer sees a callback happen on the first `huifang run` (in
dev mode only: the demo customers' chat links are printed, which is fine on a laptop and
nowhere else)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huifang import webchat_links
from huifang.db.models import Callback, Channel, Customer, Ticket
from huifang.intake import IntakeResult, TicketIn, ingest
from huifang.settings import Settings

DEMO_TICKETS = [
    ("DEMO-1001", "demo-c1", "王先生", "auto_repair", "李师傅", "朝阳4S店"),
    ("DEMO-1002", "demo-c2", "陈女士", "power_outage", "抢修二班", "东城供电所"),
    ("DEMO-1003", "demo-c3", "林小姐", "broadband_install", "装维张工", "海淀营业厅"),
]


def load_demo(session: Session, now: datetime, settings: Settings) -> IntakeResult | None:
    """Load the demo tickets into an empty database; their callbacks are due right away (the
    demo skips the delay and contact window so something happens on the first start)."""
    if session.scalar(select(func.count()).select_from(Ticket)):
        return None
    tickets = [
        TicketIn(ticket_id=tid, customer_id=cid, customer_name=name, service_type=service,
                 agent=agent, branch=branch, channel=Channel.WEBCHAT,
                 closed_at=now - timedelta(days=1))
        for tid, cid, name, service, agent, branch in DEMO_TICKETS
    ]
    result = ingest(session, tickets, now, settings)
    for callback in session.scalars(select(Callback)):
        callback.due_at = now
    return result


def demo_chat_links(session: Session, now: datetime, settings: Settings) -> dict[str, str]:
    """A fresh web-chat link per demo customer (name → URL), for `huifang run` to print on
    every start: links are stored hashed, so earlier ones cannot be shown again."""
    links = {}
    for _tid, customer_id, name, *_rest in DEMO_TICKETS:
        customer = session.scalar(select(Customer).where(Customer.external_id == customer_id))
        if customer is not None:
            token = webchat_links.issue(session, customer, None, now, settings)
            links[name] = webchat_links.chat_url(token, settings)
    return links
