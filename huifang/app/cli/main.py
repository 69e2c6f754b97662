"""The `huifang` command."""

from __future__ import annotations

import logging

import typer

from complaints.cli import classify_command
from console.cli import users
from huifang.app.cli import database, models, tickets
from huifang.app.cli.export import export_command
from huifang.app.cli.report import report
from huifang.app.cli.run import run_command
from huifang.masking import configure_logging
from scheduler.cli import app as campaign


def _masked_logging() -> None:
    # the same masked logging as every other process; it also logs (masked) what would
    # otherwise print as a raw traceback
    configure_logging(logging.WARNING)


app = typer.Typer(help="Huifang 回访: post-service satisfaction callbacks in Chinese.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False,
                  callback=_masked_logging)
app.add_typer(database.app, name="db")
app.add_typer(tickets.app, name="tickets")
app.add_typer(models.app, name="models")
app.command("export")(export_command)
app.command("run")(run_command)
app.command("report")(report)
app.command("classify")(classify_command)
app.add_typer(campaign, name="campaign")
app.add_typer(users, name="users")

if __name__ == "__main__":
    app()
