"""The user list, for admins (accounts are created with `huifang users add`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.auth import require_admin
from console.deps import db_session
from console.rendering import render
from huifang.db.models import SupervisorUser

router = APIRouter()


@router.get("/users")
def users(request: Request, user: SupervisorUser = Depends(require_admin),
          session: Session = Depends(db_session)) -> Response:
    accounts = session.scalars(select(SupervisorUser).order_by(SupervisorUser.username)).all()
    return render(request, "users.html", {"user": user, "accounts": accounts})
