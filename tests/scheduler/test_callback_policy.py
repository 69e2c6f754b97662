"""The callback policy: settings defaults, per-service-type overrides, delay, sampling."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang.callback_policy import (
    POLICY_FILE,
    PolicyBook,
    PolicyFileError,
    is_sampled,
    schedule_for,
)
from huifang.db.models import Customer, Ticket
from tests.scheduler.conftest import SETTINGS, add_tickets, load, ticket_in

SHANGHAI_10AM = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _ticket(closed_at: datetime, service_type: str = "generic",
            timezone: str | None = None) -> Ticket:
    return Ticket(external_id="T-1", service_type=service_type, closed_at=closed_at,
                  customer=Customer(external_id="C-1", timezone=timezone))


def test_defaults_come_from_the_settings() -> None:
    policy = PolicyBook(SETTINGS, {}).for_service("anything")
    assert (policy.delay_hours, policy.cooldown_days, policy.reminder_after_hours,
            policy.expiry_after_hours, policy.sampling_rate) == (24.0, 30, 24.0, 72.0, 1.0)
    assert (policy.window.start, policy.window.end) == (time(9, 0), time(20, 0))
    assert policy.window.days == frozenset(range(7))


def test_a_service_type_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "policies.yml"
    path.write_text('service_types:\n  insurance_claim:\n    delay_hours: 48\n'
                    '    window_start: "09:30"\n    window_end: 17:00\n'
                    '    contact_days: [0, 1, 2, 3, 4]\n', encoding="utf-8")
    book = PolicyBook.load(SETTINGS, path)
    claim, other = book.for_service("insurance_claim"), book.for_service("auto_repair")
    assert claim.delay_hours == 48 and claim.cooldown_days == 30
    assert (claim.window.start, claim.window.end) == (time(9, 30), time(17, 0))  # 17:00 unquoted
    assert claim.window.days == frozenset({0, 1, 2, 3, 4})
    assert other.delay_hours == 24


@pytest.mark.parametrize(("entry", "message"), [
    ("delay_hourz: 3", "unknown policy keys"),
    ('window_start: "nine"', "not a clock time"),
    ('window_start: "09:00"\n    window_end: "09:00"', "non-empty"),
    ("contact_days: [7]", "non-empty"),
    ("sampling_rate: 1.5", "between 0 and 1"),
])
def test_a_broken_override_is_refused_with_its_service_type(tmp_path: Path, entry: str,
                                                            message: str) -> None:
    path = tmp_path / "policies.yml"
    path.write_text(f"service_types:\n  gas_repair:\n    {entry}\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=message) as error:
        PolicyBook.load(SETTINGS, path).validate()
    assert "gas_repair" in str(error.value)


def test_the_shipped_policy_file_is_valid() -> None:
    book = PolicyBook.load(SETTINGS, POLICY_FILE)
    book.validate()
    assert book.for_service("power_outage").delay_hours < book.for_service("generic").delay_hours


def test_the_first_send_waits_the_delay_then_the_window() -> None:
    book = PolicyBook(SETTINGS, {})
    closed_in_the_afternoon = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)  # Sunday 15:30 local
    assert schedule_for(_ticket(closed_in_the_afternoon), SHANGHAI_10AM, SETTINGS, book) == (
        closed_in_the_afternoon + timedelta(hours=24))
    closed_late = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)  # Sunday 20:30 local
    assert schedule_for(_ticket(closed_late), SHANGHAI_10AM, SETTINGS, book) == datetime(
        2026, 11, 24, 1, 0, tzinfo=UTC)  # Tuesday 09:00 local


def test_an_old_ticket_goes_out_now_not_in_the_past() -> None:
    book = PolicyBook(SETTINGS, {})
    last_month = SHANGHAI_10AM - timedelta(days=30)
    assert schedule_for(_ticket(last_month), SHANGHAI_10AM, SETTINGS, book) == SHANGHAI_10AM


def test_the_window_is_the_customers_own() -> None:
    book = PolicyBook(SETTINGS, {})
    closed = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # +24 h = 21:00 Sunday in New York
    due = schedule_for(_ticket(closed, timezone="America/New_York"), closed, SETTINGS, book)
    assert due == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


def test_the_service_types_delay_applies() -> None:
    book = PolicyBook(SETTINGS, {"power_outage": {"delay_hours": 4}})
    closed = SHANGHAI_10AM - timedelta(hours=1)
    assert schedule_for(_ticket(closed, "power_outage"), SHANGHAI_10AM, SETTINGS, book) == (
        closed + timedelta(hours=4))


def test_intake_schedules_with_the_policy(sessions: sessionmaker[Session]) -> None:
    closed = SHANGHAI_10AM - timedelta(hours=1)  # 09:00 local
    [survey] = add_tickets(sessions, ticket_in("T-9", closed_at=closed, service_type="generic"))
    assert load(sessions, survey).due_at == closed + timedelta(hours=24)


def test_sampling_is_deterministic_and_close_to_the_rate() -> None:
    ids = [f"T-{n}" for n in range(20_000)]
    sampled = [i for i in ids if is_sampled(i, 0.3)]
    assert 0.28 < len(sampled) / len(ids) < 0.32
    assert sampled == [i for i in ids if is_sampled(i, 0.3)]
    assert set(sampled) <= {i for i in ids if is_sampled(i, 0.6)}  # a higher rate keeps them
    assert all(is_sampled(i, 1.0) for i in ids[:100])
    assert not any(is_sampled(i, 0.0) for i in ids[:100])
