from __future__ import annotations

import typer

from huifang.app.cli.common import console
from huifang.db.migrate import downgrade, upgrade
from huifang.masking import mask_dsn
from huifang.settings import get_settings

app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(revision: str = typer.Argument("head")) -> None:
    """Migrate the database to REVISION (default: newest)."""
    url = get_settings().database_url
    upgrade(url, revision)
    console.print(f"[green]database at {revision}[/green]: {mask_dsn(url)}")


@app.command("downgrade")
def downgrade_command(revision: str = typer.Argument(...)) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    downgrade(get_settings().database_url, revision)
    console.print(f"[yellow]database at {revision}[/yellow]")
