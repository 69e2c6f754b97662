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
    # tzdata raises ImportError for some names, the file system OSError for absurd ones
    except (KeyError, ValueError, ImportError, OSError) as exc:
        raise ValueError(f"unknown time zone {name[:64]!r}") from exc
    return name
