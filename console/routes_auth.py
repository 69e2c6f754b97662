"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from console.auth import authenticate, log_in, log_out
from console.deps import db_session
from console.login_throttle import LoginThrottle
from console.rendering import render
from huifang.web.client_address import request_client

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          next: str = Form("/"), session: Session = Depends(db_session)) -> Response:
    throttle: LoginThrottle = request.app.state.login_throttle
    name = username.strip()
    client = request_client(request, request.app.state.settings.trusted_proxies)
    if minutes := throttle.minutes_locked(name, client):
        return _login_failed(request, next, username,
                             f"登录失败次数过多，请 {minutes} 分钟后再试", status_code=429)
    user = authenticate(session, name, password)
    if user is None:
        throttle.failed(name, client)
        return _login_failed(request, next, username, "用户名或密码错误", status_code=401)
    throttle.succeeded(name)
    log_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


def _login_failed(request: Request, next: str, username: str, error: str,
                  status_code: int) -> Response:
    return render(request, "login.html",
                  {"next": _safe_next(next), "error": error, "username": username},
                  status_code=status_code)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)
