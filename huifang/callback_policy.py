"""When a callback should go out: delay after close, then the next contact-window opening."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from huifang.contact_window import ContactWindow
from huifang.db.models import Ticket
from huifang.settings import Settings


def contact_window(settings: Settings) -> ContactWindow:
    return ContactWindow(settings.contact_window_start, settings.contact_window_end,
                         frozenset(settings.contact_days))


def customer_zone(ticket: Ticket, settings: Settings) -> ZoneInfo:
    return ZoneInfo(ticket.customer.timezone or settings.timezone)


def schedule_for(ticket: Ticket, now: datetime, settings: Settings) -> datetime:
    earliest = max(ticket.closed_at + timedelta(hours=settings.callback_delay_hours), now)
    return contact_window(settings).next_opening(earliest, customer_zone(ticket, settings))
