"""Who may use the console: argon2 password hashes, a signed session cookie, CSRF tokens, and
branch scoping (huifang.branch_scope: a supervisor with branches sees only those; an admin sees
everything)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.deps import db_session
from huifang.branch_scope import branch_scope, may_see  # noqa: F401 (re-exported)
from huifang.constant_time import same_secret
from huifang.db.models import Role, SupervisorUser

SESSION_USER = "user_id"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRequired(Exception):
    """Raised by `current_user` for an anonymous request; the app answers 401 or a redirect."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> SupervisorUser | None:
    user = session.scalar(select(SupervisorUser).where(SupervisorUser.username == username))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use (also for the anonymous login form)."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every state-changing request must echo the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_secret(sent, expected or ""):
        raise HTTPException(status_code=403, detail="请求校验失败，请刷新页面后重试")


def log_in(request: Request, user: SupervisorUser) -> None:
    """A fresh session for the user (never reuse the anonymous one: session fixation)."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request, session: Session = Depends(db_session)) -> SupervisorUser:
    user_id = request.session.get(SESSION_USER)
    user = session.get(SupervisorUser, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        request.session.pop(SESSION_USER, None)
        raise LoginRequired
    return user


def require_admin(user: SupervisorUser = Depends(current_user)) -> SupervisorUser:
    if user.role != Role.ADMIN:
        raise HTTPException(status_code=403, detail="需要管理员权限")
    return user


def require_operations(user: SupervisorUser = Depends(current_user)) -> SupervisorUser:
    """Campaigns, uploads, the do-not-contact list: operations staff (and admins)."""
    if user.role not in (Role.OPERATOR, Role.ADMIN):
        raise HTTPException(status_code=403, detail="需要回访专员或管理员权限")
    return user


def require_supervision(user: SupervisorUser = Depends(current_user)) -> SupervisorUser:
    """Working escalations: supervisors (and admins); operators only read them."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise HTTPException(status_code=403, detail="需要主管或管理员权限")
    return user
