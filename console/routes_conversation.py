"""The conversation view and every action on its escalation (each audited by huifang)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from console import conversation
from console.auth import branch_scope, current_user, may_see, require_supervision
from console.deps import db_session, get_now
from console.labels import CATEGORIES
from console.rendering import flash, render
from huifang import escalations, outcome
from huifang.db.models import Escalation, SupervisorUser
from huifang.escalations import EscalationError
from huifang.recovery import schedule_recovery

router = APIRouter()


@router.get("/callbacks/{callback_id}")
def conversation_page(request: Request, callback_id: int,
                      user: SupervisorUser = Depends(current_user),
                      session: Session = Depends(db_session),
                      now: datetime = Depends(get_now)) -> Response:
    callback = conversation.load_callback(session, callback_id)
    if callback is None or not may_see(user, callback.ticket):
        raise HTTPException(status_code=404, detail="找不到该回访记录")
    return render(request, "conversation.html", {
        "user": user,
        "now": now,
        "callback": callback,
        "ticket": callback.ticket,
        "customer": callback.ticket.customer,
        "response": callback.response,
        "dimension_labels": conversation.dimension_labels(callback),
        "categories": outcome.categories(callback.complaints),
        "sentiment": outcome.worst_sentiment(callback.complaints),
        "severity": outcome.highest_severity(callback.complaints),
        "transcript": conversation.transcript(session, callback),
        "others": conversation.other_callbacks(session, callback, branch_scope(user)),
        "root_causes": CATEGORIES,
    })


@router.get("/escalations/{escalation_id}")
def escalation_page(escalation_id: int, user: SupervisorUser = Depends(current_user),
                    session: Session = Depends(db_session)) -> Response:
    escalation = _visible_escalation(session, user, escalation_id)
    return RedirectResponse(
        f"/callbacks/{escalation.callback_id}#escalation-{escalation.id}", status_code=303)


def _visible_escalation(session: Session, user: SupervisorUser, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or not may_see(user, escalation.callback.ticket):
        raise HTTPException(status_code=404, detail="找不到该升级工单")
    return escalation


def _act(request: Request, session: Session, user: SupervisorUser, escalation_id: int,
         action: Callable[[Escalation], str]) -> Response:
    """Run one action, commit it with its audit row, and go back to the conversation."""
    escalation = _visible_escalation(session, user, escalation_id)
    try:
        message = action(escalation)
    except EscalationError as exc:
        session.rollback()
        flash(request, str(exc), "error")
    else:
        session.commit()
        flash(request, message)
    return RedirectResponse(
        f"/callbacks/{escalation.callback_id}#escalation-{escalation.id}", status_code=303)


@router.post("/escalations/{escalation_id}/claim")
def claim(request: Request, escalation_id: int,
          user: SupervisorUser = Depends(require_supervision),
          session: Session = Depends(db_session), now: datetime = Depends(get_now)) -> Response:
    def run(escalation: Escalation) -> str:
        escalations.claim(session, escalation, user, now)
        return "已认领，请尽快联系客户"

    return _act(request, session, user, escalation_id, run)


@router.post("/escalations/{escalation_id}/note")
def note(request: Request, escalation_id: int, text: str = Form(""), contact: bool = Form(False),
         user: SupervisorUser = Depends(require_supervision),
         session: Session = Depends(db_session),
         now: datetime = Depends(get_now)) -> Response:
    def run(escalation: Escalation) -> str:
        escalations.add_note(session, escalation, user, text, now, contact=contact)
        return "已记录联系情况" if contact else "备注已保存"

    return _act(request, session, user, escalation_id, run)


@router.post("/escalations/{escalation_id}/resolve")
def resolve(request: Request, escalation_id: int, root_cause: str = Form(""),
            resolution: str = Form(""), recovery: bool = Form(False),
            user: SupervisorUser = Depends(require_supervision),
         session: Session = Depends(db_session),
            now: datetime = Depends(get_now)) -> Response:
    def run(escalation: Escalation) -> str:
        if root_cause not in CATEGORIES:
            raise EscalationError("请选择问题根因")
        escalations.resolve(session, escalation, user, root_cause, resolution, now)
        if recovery and schedule_recovery(session, escalation, now,
                                          request.app.state.settings) is not None:
            return "已解决，并已安排问题处理回访"
        return "已解决"

    return _act(request, session, user, escalation_id, run)


@router.post("/escalations/{escalation_id}/reopen")
def reopen(request: Request, escalation_id: int, text: str = Form(""),
           user: SupervisorUser = Depends(require_supervision),
         session: Session = Depends(db_session),
           now: datetime = Depends(get_now)) -> Response:
    def run(escalation: Escalation) -> str:
        escalations.reopen(session, escalation, user, text.strip(), now,
                           request.app.state.settings)
        return "已重新打开"

    return _act(request, session, user, escalation_id, run)
