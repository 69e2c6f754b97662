"""The banner of `huifang run`: where to chat, where the console is, and — at night — that the
demo waits for the contact window, until when, and how to open it."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from huifang.app.banner import OPEN_ALL_DAY, demo_waits_until, print_banner
from huifang.settings import Settings

SETTINGS = Settings(timezone="Asia/Shanghai", console_port=8070)
LINKS = {"王先生": "http://127.0.0.1:8080/chat/" + "a" * 40}
NIGHT = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
DAY = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def _shown(now: datetime, settings: Settings = SETTINGS,
           links: dict[str, str] = LINKS) -> str:
    console = Console(record=True, width=100)
    print_banner(console, settings, now, links, intake_key_generated=True)
    return console.export_text()


def _flat(shown: str) -> str:
    """The panel's text with its borders and line breaks taken out."""
    return " ".join(shown.replace("│", " ").split())


def test_at_night_the_banner_says_the_demo_waits_and_how_to_open_the_window() -> None:
    assert demo_waits_until(SETTINGS, NIGHT) == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    shown = _flat(_shown(NIGHT))
    assert "waiting for the contact window" in shown
    assert "2026-12-06 09:00 (Asia/Shanghai)" in shown
    assert OPEN_ALL_DAY in shown


def test_in_the_window_the_demo_goes_out_now() -> None:
    assert demo_waits_until(SETTINGS, DAY) is None
    shown = _flat(_shown(DAY))
    assert "3 demo callbacks" not in shown  # one link given: it counts the links it shows
    assert "1 demo callbacks go out now" in shown and "waiting" not in shown


def test_an_open_all_day_window_never_waits() -> None:
    settings = Settings(timezone="Asia/Shanghai", contact_window_start="00:00",
                        contact_window_end="23:59:59")
    assert demo_waits_until(settings, NIGHT) is None


def test_links_console_and_intake_are_shown_whole() -> None:
    shown = _shown(NIGHT)
    link = LINKS["王先生"]
    assert f"web chat of demo customer 王先生: {link}" in shown  # on one line, not cut
    assert "http://127.0.0.1:8070" in shown
    assert "/docs (its key was generated for this run" in _flat(shown)


def test_without_a_demo_it_says_so() -> None:
    assert "no demo campaign" in _shown(DAY, links={})
