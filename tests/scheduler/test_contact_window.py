"""The contact window: edges, windows across midnight, days, and the customer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from huifang.contact_window import ContactWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = frozenset(range(7))
DAYTIME = ContactWindow(time(9, 0), time(20, 0), EVERY_DAY)
NIGHT_SHIFT = ContactWindow(time(22, 0), time(2, 0), frozenset({0}))  # opens Monday 22:00


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(("clock", "inside"), [
    ((8, 59, 59), False), ((9, 0, 0), True), ((19, 59, 59), True), ((20, 0, 0), False),
    ((0, 0, 0), False),
])
def test_start_is_inside_and_end_is_outside(clock: tuple[int, int, int], inside: bool) -> None:
    assert DAYTIME.contains(local(SHANGHAI, 2026, 11, 23, *clock), SHANGHAI) is inside


def test_inside_the_window_the_moment_itself_is_the_opening() -> None:
    moment = local(SHANGHAI, 2026, 11, 23, 15, 30)
    assert DAYTIME.next_opening(moment, SHANGHAI) == moment


def test_after_the_end_the_next_opening_is_tomorrow_morning() -> None:
    opening = DAYTIME.next_opening(local(SHANGHAI, 2026, 11, 23, 20, 0), SHANGHAI)
    assert opening == local(SHANGHAI, 2026, 11, 24, 9, 0)
    assert opening.tzinfo == UTC


def test_before_the_start_the_next_opening_is_the_same_morning() -> None:
    opening = DAYTIME.next_opening(local(SHANGHAI, 2026, 11, 24, 3, 15), SHANGHAI)
    assert opening == local(SHANGHAI, 2026, 11, 24, 9, 0)


def test_closed_days_are_skipped() -> None:
    weekdays = ContactWindow(time(9, 0), time(18, 0), frozenset({0, 1, 2, 3, 4}))
    friday_evening = local(SHANGHAI, 2026, 11, 27, 18, 30)
    assert weekdays.next_opening(friday_evening, SHANGHAI) == local(SHANGHAI, 2026, 11, 30, 9, 0)
    assert not weekdays.contains(local(SHANGHAI, 2026, 11, 28, 11, 0), SHANGHAI)  # Saturday


@pytest.mark.parametrize(("moment", "inside"), [
    ((2026, 11, 23, 21, 59), False),  # Monday before the start
    ((2026, 11, 23, 22, 0), True),  # Monday at the start
    ((2026, 11, 23, 23, 59), True),
    ((2026, 11, 24, 0, 30), True),  # after midnight: still Monday's window
    ((2026, 11, 24, 1, 59), True),
    ((2026, 11, 24, 2, 0), False),  # the end
    ((2026, 11, 24, 23, 0), False),  # Tuesday's window does not open
    ((2026, 11, 23, 1, 0), False),  # Sunday's window does not open either
])
def test_a_window_across_midnight_belongs_to_the_day_it_opens(moment: tuple[int, ...],
                                                              inside: bool) -> None:
    assert NIGHT_SHIFT.contains(local(SHANGHAI, *moment), SHANGHAI) is inside


def test_a_window_across_midnight_opens_next_on_its_own_day() -> None:
    tuesday_night = local(SHANGHAI, 2026, 11, 24, 23, 0)
    assert NIGHT_SHIFT.next_opening(tuesday_night, SHANGHAI) == local(SHANGHAI, 2026, 11, 30, 22, 0)


def test_the_same_instant_is_inside_for_one_customer_and_outside_for_another() -> None:
    instant = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 Shanghai, 21:00 New York (Sun)
    assert DAYTIME.contains(instant, SHANGHAI)
    assert not DAYTIME.contains(instant, NEW_YORK)
    assert DAYTIME.next_opening(instant, NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 9, 0)
    assert DAYTIME.next_opening(instant, NEW_YORK) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_openings_follow_daylight_saving_time() -> None:
    before = DAYTIME.next_opening(local(NEW_YORK, 2026, 3, 7, 21, 0), NEW_YORK)
    after = DAYTIME.next_opening(local(NEW_YORK, 2026, 3, 8, 21, 0), NEW_YORK)
    assert before == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # 09:00 EDT, clocks moved that night
    assert after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert DAYTIME.next_opening(local(NEW_YORK, 2026, 3, 6, 21, 0), NEW_YORK) == datetime(
        2026, 3, 7, 14, 0, tzinfo=UTC)  # 09:00 EST


def test_a_window_with_no_open_day_is_refused() -> None:
    with pytest.raises(ValueError):
        ContactWindow(time(9, 0), time(20, 0), frozenset()).next_opening(
            local(SHANGHAI, 2026, 11, 23, 22, 0), SHANGHAI)
