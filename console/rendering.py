"""Server-rendered pages: the Jinja2 environment, time formatting, flash messages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from console.auth import CSRF_FIELD, csrf_token
from console.labels import JINJA_GLOBALS
from huifang.surveys import service_name

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_FLASH = "flash"


def make_templates(zone: ZoneInfo) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    templates.env.globals.update(JINJA_GLOBALS, CSRF_FIELD=CSRF_FIELD)
    templates.env.filters["localtime"] = lambda value, fmt="%Y-%m-%d %H:%M": (
        value.astimezone(zone).strftime(fmt) if value else "—")
    templates.env.filters["number"] = format_number
    templates.env.filters["service"] = service_name
    return templates


def format_number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def sla_text(due_at: datetime, now: datetime) -> str:
    """What the countdown shows before the page's script takes over ("剩余 3小时5分")."""
    seconds = int((due_at - now).total_seconds())
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = (f"{days}天" if days else "") + (f"{hours}小时" if hours or days else "") + f"{mins}分"
    return f"剩余 {parts}" if seconds >= 0 else f"已超时 {parts}"


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault(_FLASH, []).append([kind, message])


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    context = dict(context or {})
    context.setdefault("user", None)
    context["csrf_token"] = csrf_token(request)
    context["flashes"] = request.session.pop(_FLASH, [])
    context["sla_text"] = sla_text
    return request.app.state.templates.TemplateResponse(request, template, context,
                                                        status_code=status_code)
