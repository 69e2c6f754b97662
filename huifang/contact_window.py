"""Where the contact window is checked: no messages at night or very early.

The window is given in local wall-clock time of the customer's time zone (falling back to the
configured one). `start > end` means the window wraps past midnight (e.g. 22:00–02:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ContactWindow:
    start: time
    end: time
    days: frozenset[int]  # Monday == 0, of the day the window opens

    def _opens_on(self, day: datetime) -> bool:
        return day.weekday() in self.days

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        t = local.time()
        if self.start <= self.end:
            return self._opens_on(local) and self.start <= t < self.end
        if t >= self.start:
            return self._opens_on(local)
        if t < self.end:
            return self._opens_on(local - timedelta(days=1))
        return False

    def next_opening(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` itself when inside the window, otherwise the next time the window opens."""
        if self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        for offset in range(0, 8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self.start, tzinfo=zone)
            if opening > local and opening.weekday() in self.days:
                return opening.astimezone(UTC)
        raise ValueError("contact window has no open day")
