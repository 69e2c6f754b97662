"""`huifang campaign …`: where the callbacks stand (registered into the `huifang` command)."""

from __future__ import annotations

import json
import time
from datetime import datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from huifang.app.cli.common import console, sessions
from huifang.db import session_scope
from huifang.db.models import CallbackStatus
from huifang.db.types import utcnow
from huifang.labels import CALLBACK_STATUSES, local_datetime
from huifang.settings import get_settings
from scheduler.campaign_status import CampaignFilter, CampaignStatus, campaign_status

app = typer.Typer(help="Campaigns: callbacks per state, response rate, what is due next.",
                  no_args_is_help=True)



def _status(where: CampaignFilter) -> CampaignStatus:
    with session_scope(sessions()) as session:
        return campaign_status(session, utcnow(), where)


def _local(moment: datetime) -> str:
    return local_datetime(moment, get_settings().zone)


def _print(status: CampaignStatus) -> None:
    states = Table(title="回访状态 (callbacks per state)")
    states.add_column("state")
    states.add_column("状态")
    states.add_column("count", justify="right")
    for state, count in status.by_status.items():
        states.add_row(state, CALLBACK_STATUSES[CallbackStatus(state)], str(count))
    states.add_row("total", "合计", str(status.total), style="bold")
    console.print(states)
    rate = "—" if status.response_rate is None else f"{status.response_rate:.1f}%"
    console.print(f"sent 已发送 {status.sent} · answered 已回复 {status.answered} · "
                  f"response rate 回复率 {rate} · reminders 提醒 {status.reminders_sent} · "
                  f"due now 待发 {status.due_now}")
    if status.next_due:
        upcoming = Table(title="接下来 (next due times, local)")
        upcoming.add_column("due at")
        upcoming.add_column("callbacks", justify="right")
        for slot in status.next_due:
            upcoming.add_row(_local(slot.due_at), str(slot.count))
        console.print(upcoming)


def _follow(where: CampaignFilter, interval: float) -> None:
    """A progress bar of the due backlog draining, until nothing is due."""
    first = _status(where)
    total, drained = first.due_now, 0
    with Progress(TextColumn("dispatching"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[delivered]} delivered"), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("dispatch", total=total, delivered=0)
        while True:
            now = _status(where)
            drained = max(drained, total - now.due_now)
            total = max(total, drained + now.due_now)
            bar.update(task, total=total, completed=drained, delivered=now.sent - first.sent)
            if now.due_now == 0:
                break
            time.sleep(interval)


@app.command("status")
def status_command(
    service_type: str | None = typer.Option(None, help="only this service type"),
    branch: str | None = typer.Option(None, help="only this branch"),
    as_json: bool = typer.Option(False, "--json", help="print JSON (as GET /api/campaign/status)"),
    follow: bool = typer.Option(False, help="show a progress bar while due callbacks are "
                                "dispatched, then the status"),
    interval: float = typer.Option(1.0, help="refresh interval of --follow, seconds"),
) -> None:
    """Counts per state, response rate (answered / sent) and the next due times."""
    where = CampaignFilter(service_type, branch)
    if follow:
        _follow(where, interval)
    status = _status(where)
    if as_json:
        typer.echo(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
    else:
        _print(status)
