"""`huifang users …`: console accounts (the lead registers `users` into the huifang CLI)."""

from __future__ import annotations

import sys

import typer
from sqlalchemy import select

from console.auth import hash_password
from huifang.app.cli.common import console, errors, sessions
from huifang.db import session_scope
from huifang.db.models import Role, SupervisorUser

MIN_PASSWORD_LENGTH = 8

users = typer.Typer(no_args_is_help=True)


@users.callback()
def users_group() -> None:
    """控制台的用户（supervisor / operator / admin）。"""


@users.command("add")
def add(
    username: str = typer.Argument(..., help="登录用户名"),
    display_name: str | None = typer.Option(None, "--display-name", help="显示的姓名"),
    role: Role = typer.Option(Role.SUPERVISOR, "--role", help="supervisor、operator（回访专员）或 admin"),
    branch: list[str] = typer.Option([], "--branch",
                                     help="负责的网点，可重复；不填则可查看全部网点"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="从标准输入读取密码（第一行）"),
) -> None:
    """Create a console user; the password is prompted for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.print(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")
        raise typer.Exit(code=2)
    branches = list(dict.fromkeys(branch))
    with session_scope(sessions()) as session:
        if session.scalar(select(SupervisorUser).where(SupervisorUser.username == username)):
            errors.print(f"用户 {username} 已存在")
            raise typer.Exit(code=1)
        session.add(SupervisorUser(username=username, display_name=display_name or username,
                                   password_hash=hash_password(password), role=role,
                                   branches=branches))
    console.print(f"已创建用户 {username}（{role.value}，{'、'.join(branches) or '全部网点'}）")


@users.command("grant")
def grant(
    username: str = typer.Argument(..., help="用户名，如 telegram-123456789"),
    branch: list[str] = typer.Option(..., "--branch", help="可查看和处理的网点，可重复"),
) -> None:
    """Set the branches an account may see and act on (replaces the earlier list).

    Accounts created for allow-listed Telegram supervisors start with no branch at all.
    """
    branches = list(dict.fromkeys(b.strip() for b in branch if b.strip()))
    if not branches:
        errors.print("请至少指定一个网点（--branch）")
        raise typer.Exit(code=2)
    with session_scope(sessions()) as session:
        user = session.scalar(select(SupervisorUser).where(SupervisorUser.username == username))
        if user is None:
            errors.print(f"没有用户 {username}")
            raise typer.Exit(code=1)
        user.branches = branches
    console.print(f"用户 {username} 现可查看：{'、'.join(branches)}")
