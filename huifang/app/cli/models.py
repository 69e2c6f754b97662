from __future__ import annotations

import typer

from huifang.app.cli.common import console
from huifang.app.model_build import build_all

app = typer.Typer(help="Trained models (Rasa NLU/dialogue and the complaint classifier).",
                  no_args_is_help=True)


@app.command("build")
def build_command(force: bool = typer.Option(False, help="retrain even if up to date")) -> None:
    """Train every model that is missing or whose training files changed."""
    build_all(force)
    console.print("[green]models up to date[/green]")
