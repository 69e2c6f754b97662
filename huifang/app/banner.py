"""What `huifang run` tells a newcomer once everything is starting: where to chat as a demo
customer, where the console is, and whether the demo callbacks wait for the contact window
(at night nothing happens until it opens, and that must not look like a hang)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from huifang.app.demo import DEMO_TICKETS
from huifang.callback_policy import PolicyBook
from huifang.labels import local_datetime
from huifang.settings import Settings

OPEN_ALL_DAY = "HUIFANG_CONTACT_WINDOW_START=00:00 HUIFANG_CONTACT_WINDOW_END=23:59"


def demo_waits_until(settings: Settings, now: datetime) -> datetime | None:
    """When the first demo callback may go out, if the contact window is closed `now`."""
    book = PolicyBook.load(settings)
    # demo customers have no time zone of their own: the default zone is theirs
    opening = min(book.for_service(service).window.next_opening(now, settings.zone)
                  for *_ids, service, _agent, _branch in DEMO_TICKETS)
    return opening if opening > now else None


def _demo_line(settings: Settings, now: datetime, chat_links: dict[str, str]) -> Text:
    if not chat_links:
        return Text("no demo campaign (HUIFANG_LOAD_DEMO=false, or the database already has "
                    "tickets)")
    waits_until = demo_waits_until(settings, now)
    if waits_until is None:
        return Text(f"{len(chat_links)} demo callbacks go out now: open a chat link below",
                    style="green")
    return Text.assemble(
        ("waiting for the contact window", "bold yellow"),
        f": the demo callbacks go out at {local_datetime(waits_until, settings.zone)} "
        f"({settings.timezone}). To see them now, stop and start again with\n",
        (f"{OPEN_ALL_DAY} make run", "bold"))


def print_banner(console: Console, settings: Settings, now: datetime,
                 chat_links: dict[str, str], intake_key_generated: bool) -> None:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="cyan", no_wrap=True)
    rows.add_column()
    rows.add_row("console", settings.console_url)
    intake = f"http://{settings.scheduler_host}:{settings.scheduler_port}/docs"
    if intake_key_generated:
        intake += " (its key was generated for this run: set HUIFANG_INTAKE_API_KEYS to call it)"
    rows.add_row("intake API", intake)
    rows.add_row("demo", _demo_line(settings, now, chat_links))
    console.print(Panel(Group(rows), title="Huifang is starting", title_align="left",
                        subtitle="Ctrl-C stops everything", subtitle_align="right"))
    # Plain lines, never wrapped or cut, so a link can be copied (or clicked) whole.
    for name, link in chat_links.items():
        console.print(f"web chat of demo customer {name}: {link}", soft_wrap=True,
                      markup=False, highlight=False)
