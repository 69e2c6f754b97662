"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from console.auth import authenticate, log_in, log_out
from console.deps import db_session
from console.rendering import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          next: str = Form("/"), session: Session = Depends(db_session)) -> Response:
    user = authenticate(session, username.strip(), password)
    if user is None:
        return render(request, "login.html",
                      {"next": _safe_next(next), "error": "用户名或密码错误", "username": username},
                      status_code=401)
    log_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)
