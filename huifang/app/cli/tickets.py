from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from huifang.app.cli.common import console, errors, sessions
from huifang.db.types import utcnow
from huifang.settings import get_settings
from huifang.ticket_import import ImportFileError, count_rows, import_file

app = typer.Typer(help="Closed tickets: import from CSV or Excel.", no_args_is_help=True)


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV (UTF-8) or .xlsx file, one closed ticket per row"),
    show_links: bool = typer.Option(False, help="Print each new ticket's customer link: the "
                                    "Telegram deep link or the web-chat link (to print on "
                                    "receipts / send by SMS; shown only this once)"),
) -> None:
    """Validate every row, import the good ones, report each bad line with its reason."""
    try:
        total = count_rows(path)
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), console=errors) as bar:
            task = bar.add_task("importing", total=total)
            report = import_file(path, sessions(), utcnow(), get_settings(),
                                 progress=lambda n: bar.advance(task, n))
    except ImportFileError as exc:
        errors.print(f"[red]cannot import {path.name}:[/red] {exc}")
        raise typer.Exit(2) from exc
    summary = Table(title=f"导入结果 {path.name}")
    for column in ("rows", "imported", "already present", "reopened & re-closed", "errors"):
        summary.add_column(column, justify="right")
    summary.add_row(str(report.rows), str(report.imported), str(report.already_present),
                    str(report.rescheduled), str(len(report.errors)))
    console.print(summary)
    if report.ignored_columns:
        console.print(f"[yellow]ignored columns:[/yellow] {', '.join(report.ignored_columns)}")
    if report.errors:
        table = Table(title="有问题的行 (rows not imported)")
        table.add_column("line", justify="right")
        table.add_column("ticket_id")
        table.add_column("reason")
        for error in report.errors:
            table.add_row(str(error.line), error.ticket_id or "", error.reason)
        console.print(table)
    if show_links:
        for title, found in (("Telegram 绑定链接", report.bind_links),
                             ("网页聊天链接 (web chat)", report.chat_links)):
            if found:  # plain lines, never wrapped: the links are copied from here
                console.print(f"[bold]{title}[/bold]")
                for ticket_id, link in found.items():
                    console.print(f"{ticket_id}\t{link}", soft_wrap=True, markup=False)
    if report.errors:
        raise typer.Exit(1)
