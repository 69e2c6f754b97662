"""Times as a customer reads them: 今天18:30, 明天09:00, 11月25日 09:00."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def month_day(day: date) -> str:
    """11月25日: a day as Chinese readers write it (the year is understood)."""
    return f"{day.month}月{day.day}日"


def month_day_time(moment: datetime, zone: ZoneInfo) -> str:
    """11月25日 09:00, in `zone`."""
    local = moment.astimezone(zone)
    return f"{month_day(local)} {local:%H:%M}"


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
    return month_day_time(moment, zone)


def known_zone(name: str) -> str:
    """`name` if it is an IANA time zone, else ValueError (for pydantic validators)."""
    try:
        ZoneInfo(name)
    # tzdata raises ImportError for some names, the file system OSError for absurd ones
    except (KeyError, ValueError, ImportError, OSError) as exc:
        raise ValueError(f"unknown time zone {name[:64]!r}") from exc
    return name
