"""Times as a customer reads them: 今天18:30, 明天09:00, 11月25日 09:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def describe(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return f"今天{clock}"
    if days == 1:
        return f"明天{clock}"
    if days == 2:
        return f"后天{clock}"
    return f"{local.month}月{local.day}日 {clock}"


def known_zone(name: str) -> str:
    """`name` if it is an IANA time zone, else ValueError (for pydantic validators)."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, ImportError) as exc:  # tzdata raises ImportError for some
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name
