"""`huifang users add`: hashed passwords, branches, refusals — then the account logs in."""

from __future__ import annotations

from pathlib import Path

import typer
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from console.auth import verify_password
from console.cli import users
from huifang.db import create_db_engine, session_factory
from huifang.db.migrate import upgrade
from huifang.db.models import Role, SupervisorUser
from tests.console.console_support import build_app, cli_database, log_in


def run(url: str, *args: str, stdin: str) -> Result:
    root = typer.Typer()
    root.add_typer(users, name="users")  # the way the lead registers it into `huifang`
    with cli_database(url):
        return CliRunner().invoke(root, ["users", "add", *args], input=stdin)


def test_add_user_then_log_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    upgrade(url)
    created = run(url, "zhang", "--display-name", "张经理", "--role", "supervisor",
                  "--branch", "east", "--branch", "east", "--branch", "north",
                  "--password-stdin", stdin="长一点的密码123\n")
    assert created.exit_code == 0, created.output
    assert "已创建用户 zhang" in created.output
    prompted = run(url, "root", "--role", "admin", stdin="admin-password\nadmin-password\n")
    assert prompted.exit_code == 0, prompted.output

    factory = session_factory(create_db_engine(url))
    with factory() as session:
        zhang = session.scalar(select(SupervisorUser).where(SupervisorUser.username == "zhang"))
        assert zhang is not None
        assert (zhang.display_name, zhang.role, zhang.branches) == ("张经理", Role.SUPERVISOR,
                                                                  ["east", "north"])
        assert zhang.password_hash.startswith("$argon2id$")
        assert verify_password(zhang.password_hash, "长一点的密码123")
        root = session.scalar(select(SupervisorUser).where(SupervisorUser.username == "root"))
        assert root is not None and root.role == Role.ADMIN and root.branches == []

    with TestClient(build_app(factory)) as client:
        assert log_in(client, "zhang", "长一点的密码123").status_code == 303
        assert log_in(client, "root", "wrong-password").status_code == 401


def test_refusals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    upgrade(url)
    assert run(url, "li", "--password-stdin", stdin="short\n").exit_code == 2
    assert run(url, "li", stdin="password-one\npassword-two\npassword-one\npassword-one\n"
               ).exit_code == 0  # a mismatched confirmation is asked again
    duplicate = run(url, "li", "--password-stdin", stdin="another-password\n")
    assert duplicate.exit_code == 1 and "已存在" in duplicate.output
    assert run(url, "wang", "--role", "root", "--password-stdin",
               stdin="password-123\n").exit_code == 2
