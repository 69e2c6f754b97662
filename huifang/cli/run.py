from __future__ import annotations

import sys
from pathlib import Path

import typer
from honcho.manager import Manager

from huifang.cli.common import console, sessions
from huifang.db import session_scope
from huifang.db.migrate import upgrade
from huifang.db.types import utcnow
from huifang.demo import DEMO_TICKETS, load_demo
from huifang.masking import mask_dsn
from huifang.model_build import build_all
from huifang.rasa_endpoints import write_endpoints
from huifang.settings import PROJECT_ROOT, get_settings
from huifang.stack import ProcessSpec, action_server, python_module, rasa_server


def _shell(spec: ProcessSpec) -> str:
    import shlex

    return " ".join(shlex.quote(part) for part in spec.argv)


def run_command(
    train: bool = typer.Option(True, help="train models first if missing or stale"),
) -> None:
    """Start the whole product: Rasa, actions, gateway (web chat), scheduler, console."""
    settings = get_settings()
    if train:
        build_all()
    upgrade(settings.database_url)
    console.print(f"[green]database ready[/green]: {mask_dsn(settings.database_url)}")
    if settings.load_demo:
        with session_scope(sessions()) as session:
            if load_demo(session, utcnow(), settings) is not None:
                console.print("[green]demo campaign loaded[/green]: "
                              f"{len(DEMO_TICKETS)} callbacks due now")
    endpoints = write_endpoints(Path(settings.rasa_tracker_db).parent / "endpoints.yml",
                                f"http://127.0.0.1:{settings.action_server_port}",
                                settings.rasa_tracker_db)
    rasa_port = int(settings.rasa_url.rsplit(":", 1)[1])
    specs = [
        rasa_server(settings, rasa_port, endpoints),
        action_server(settings, settings.action_server_port),
        python_module("gateway", "bot", settings),
        python_module("scheduler", "scheduler", settings),
        python_module("console", "console", settings),
    ]
    manager = Manager()
    for spec in specs:
        manager.add_process(spec.name, _shell(spec), env={**_environ(), **spec.env},
                            cwd=str(PROJECT_ROOT))
    console.print(
        f"web chat: {settings.public_base_url}/chat/{DEMO_TICKETS[0][6]}  ·  "
        f"console: {settings.console_url}  ·  "
        f"intake API: http://{settings.scheduler_host}:{settings.scheduler_port}/docs"
    )
    manager.loop()
    sys.exit(manager.returncode)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
