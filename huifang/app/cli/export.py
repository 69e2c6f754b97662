from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from huifang.app.cli.common import errors, sessions
from huifang.outcome_export import outcome_rows, write_csv, write_jsonl


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def export_command(
    format: ExportFormat = typer.Option(ExportFormat.CSV, "--format", "-f"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file (default: stdout)"),
) -> None:
    """Export one row per callback with all outcome fields."""
    writer = write_csv if format == ExportFormat.CSV else write_jsonl
    with sessions()() as session:
        if output is None:
            count = writer(outcome_rows(session), sys.stdout)
        else:
            with output.open("w", encoding="utf-8-sig" if format == "csv" else "utf-8",
                             newline="") as handle:
                count = writer(outcome_rows(session), handle)
    errors.print(f"exported {count} callbacks")
