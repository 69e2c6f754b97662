"""When and whether a callback goes out: the policy of each service type.

The defaults come from settings (HUIFANG_CALLBACK_DELAY_HOURS, HUIFANG_CONTACT_WINDOW_START, …);
`huifang/policies.yml` overrides any of them per service type (e.g. power repairs are
followed up sooner, insurance claims only on working days).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from huifang.contact_window import ContactWindow
from huifang.db.models import Ticket
from huifang.settings import Settings

POLICY_FILE = Path(__file__).resolve().parent / "policies.yml"

OVERRIDABLE = frozenset({
    "delay_hours", "window_start", "window_end", "contact_days", "cooldown_days",
    "sampling_rate", "reminder_after_hours", "expiry_after_hours", "busy_later_hours",
})


class PolicyFileError(ValueError):
    """policies.yml names an unknown key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Policy:
    delay_hours: float
    window: ContactWindow
    cooldown_days: int
    sampling_rate: float
    reminder_after_hours: float
    expiry_after_hours: float
    busy_later_hours: float

    @property
    def reminds(self) -> bool:
        """A reminder only makes sense if it comes before the callback expires."""
        return self.reminder_after_hours < self.expiry_after_hours


def _clock(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads an unquoted 09:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise PolicyFileError(f"{where}: {value!r} is not a clock time like \"09:00\"") from exc


def _build(values: Mapping[str, Any], where: str) -> Policy:
    try:
        window = ContactWindow(_clock(values["window_start"], where),
                               _clock(values["window_end"], where),
                               frozenset(int(d) for d in values["contact_days"]))
        policy = Policy(
            delay_hours=float(values["delay_hours"]),
            window=window,
            cooldown_days=int(values["cooldown_days"]),
            sampling_rate=float(values["sampling_rate"]),
            reminder_after_hours=float(values["reminder_after_hours"]),
            expiry_after_hours=float(values["expiry_after_hours"]),
            busy_later_hours=float(values["busy_later_hours"]),
        )
    except (TypeError, ValueError) as exc:
        raise PolicyFileError(f"{where}: {exc}") from exc
    if window.start == window.end or not window.days or not window.days <= set(range(7)):
        raise PolicyFileError(f"{where}: the contact window must be non-empty "
                              "(start != end, days within 0=Monday..6=Sunday)")
    if not 0.0 <= policy.sampling_rate <= 1.0:
        raise PolicyFileError(f"{where}: sampling_rate must be between 0 and 1")
    return policy


@dataclass(frozen=True)
class PolicyBook:
    """The settings' defaults plus the per-service-type overrides."""

    settings: Settings
    overrides: Mapping[str, Mapping[str, Any]]

    @classmethod
    def load(cls, settings: Settings, path: Path = POLICY_FILE) -> PolicyBook:
        return cls(settings, _read_overrides(path))

    def validate(self) -> None:
        """Fail fast (at process start) on a broken override rather than at send time."""
        self.for_service("")
        for service_type in self.overrides:
            self.for_service(service_type)

    def _defaults(self) -> dict[str, Any]:
        s = self.settings
        return {
            "delay_hours": s.callback_delay_hours,
            "window_start": s.contact_window_start,
            "window_end": s.contact_window_end,
            "contact_days": s.contact_days,
            "cooldown_days": s.cooldown_days,
            "sampling_rate": s.sampling_rate,
            "reminder_after_hours": s.reminder_after_hours,
            "expiry_after_hours": s.expiry_after_hours,
            "busy_later_hours": s.busy_later_hours,
        }

    def for_service(self, service_type: str) -> Policy:
        override = self.overrides.get(service_type, {})
        unknown = set(override) - OVERRIDABLE
        if unknown:
            raise PolicyFileError(f"{service_type}: unknown policy keys {sorted(unknown)}")
        return _build({**self._defaults(), **override}, service_type)


@lru_cache
def _read_overrides(path: Path) -> Mapping[str, Mapping[str, Any]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    overrides = raw.get("service_types") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise PolicyFileError(f"{path.name}: service_types must map a service type to its keys")
    return overrides


def policy_for(service_type: str, settings: Settings) -> Policy:
    return PolicyBook.load(settings).for_service(service_type)


def zone_of(timezone: str | None, settings: Settings) -> ZoneInfo:
    """A customer's time zone: their own, else the deployment's."""
    return ZoneInfo(timezone or settings.timezone)


def customer_zone(ticket: Ticket, settings: Settings) -> ZoneInfo:
    return zone_of(ticket.customer.timezone, settings)


def first_send(service_type: str, closed_at: datetime, zone: ZoneInfo, now: datetime,
               settings: Settings, book: PolicyBook | None = None) -> datetime:
    """The first send: the service type's delay after close, at the next window opening."""
    policy = (book or PolicyBook.load(settings)).for_service(service_type)
    earliest = max(closed_at + timedelta(hours=policy.delay_hours), now)
    return policy.window.next_opening(earliest, zone)


def schedule_for(ticket: Ticket, now: datetime, settings: Settings,
                 book: PolicyBook | None = None) -> datetime:
    return first_send(ticket.service_type, ticket.closed_at, customer_zone(ticket, settings),
                      now, settings, book)


def is_sampled(ticket_external_id: str, rate: float) -> bool:
    """Deterministic sampling: the same ticket always gets the same answer for a given rate,
    so a re-check at send time or a restart never flips a decision."""
    if rate >= 1.0:
        return True
    bucket = int.from_bytes(hashlib.sha256(ticket_external_id.encode()).digest()[:8], "big")
    return bucket / 2**64 < rate
