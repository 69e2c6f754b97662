from __future__ import annotations

import secrets
import sys
from pathlib import Path

import typer
from honcho.manager import Manager
from pydantic import SecretStr

from huifang.app.cli.common import console, sessions
from huifang.db import session_scope
from huifang.db.migrate import upgrade
from huifang.db.types import utcnow
from huifang.app.banner import print_banner
from huifang.app.demo import DEMO_TICKETS, demo_chat_links, load_demo
from huifang.masking import mask_dsn
from huifang.app.model_build import build_all
from huifang.app.rasa_endpoints import RedisStores, write_endpoints
from huifang.secret_rules import problems, refusal, secrets_of
from huifang.settings import PROJECT_ROOT, Settings, get_settings
from huifang.app.stack import ProcessSpec, action_server, python_module, rasa_server

PROCESSES = ("rasa", "actions", "gateway", "scheduler", "console")


def _shell(spec: ProcessSpec) -> str:
    import shlex

    return " ".join(shlex.quote(part) for part in spec.argv)


def _unusable(settings: Settings) -> dict[str, list[str]]:
    """Per secret setting, the problems found (all processes of the stack)."""
    found: dict[str, list[str]] = {}
    for process in PROCESSES:
        for name, value in secrets_of(process, settings).items():
            if lines := problems({name: value}):
                found[name] = lines
    return found


def with_run_secrets(settings: Settings) -> Settings:
    """Dev mode: a random value for every secret left unset or weak, for this run only; each
    child process receives it in its environment (huifang.app.stack). Nothing is printed."""
    update: dict[str, object] = {}
    for name in _unusable(settings):
        value = SecretStr(secrets.token_urlsafe(32))
        update[name] = [value] if name == "intake_api_keys" else value
    return settings.model_copy(update=update)


def run_command(
    train: bool = typer.Option(True, help="train models first if missing or stale"),
) -> None:
    """Start the whole product: Rasa, actions, gateway (web chat), scheduler, console."""
    settings = get_settings()
    generated = list(_unusable(settings)) if settings.dev_mode else []
    if settings.dev_mode:
        settings = with_run_secrets(settings)
    elif found := _unusable(settings):
        print(refusal("run", [line for lines in found.values() for line in lines]),
              file=sys.stderr)
        raise typer.Exit(2)
    if train:
        build_all()
    upgrade(settings.database_url)
    console.print(f"[green]database ready[/green]: {mask_dsn(settings.database_url)}")
    chat_links: dict[str, str] = {}
    if settings.dev_mode and settings.load_demo:
        with session_scope(sessions()) as session:
            if load_demo(session, utcnow(), settings) is not None:
                console.print("[green]demo campaign loaded[/green]: "
                              f"{len(DEMO_TICKETS)} callbacks due now")
            chat_links = demo_chat_links(session, utcnow(), settings)
    endpoints = write_endpoints(Path(settings.rasa_tracker_db).parent / "endpoints.yml",
                                f"http://127.0.0.1:{settings.action_server_port}",
                                settings.rasa_tracker_db, RedisStores.of(settings))
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
    print_banner(console, settings, utcnow(), chat_links, "intake_api_keys" in generated)
    manager.loop()
    sys.exit(manager.returncode)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
