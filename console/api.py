"""The JSON API: the same data as the pages, behind the same login and branch scope."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from console.auth import branch_scope, current_user
from console.deps import db_session, get_now
from console.pagination import PageRequest, page_request, paginate
from console.queue import QueueFilters, escalation_queue
from console.routes_queue import queue_filters
from console.routes_reports import report_query, scoped_report
from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    Complaint,
    Escalation,
    EscalationStatus,
    SupervisorUser,
    SurveyResponse,
    Ticket,
)
from huifang.outcome import outcome_of
from huifang.reports import ReportQuery, local_midnight

router = APIRouter(prefix="/api")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def callback_json(callback: Callback) -> dict[str, Any]:
    outcome = outcome_of(callback)
    escalation = outcome.escalation
    return {
        "ticket_id": callback.ticket.external_id,
        "status": callback.status.value,
        "overall": outcome.overall,
        "solved": outcome.solved,
        "nps": outcome.nps,
        "dimensions": outcome.dimensions,
        "comment": outcome.comment,
        "categories": outcome.categories,
        "sentiment": _value(outcome.sentiment),
        "severity": _value(outcome.severity),
        "escalation": None if escalation is None else {
            "id": escalation.id,
            "priority": escalation.priority.value,
            "status": escalation.status.value,
            "due_at": _iso(escalation.due_at),
        },
    }


def _value(member: Any) -> str | None:
    return None if member is None else member.value


def _callbacks_statement(scope: tuple[str, ...] | None) -> Select:
    statement = (
        select(Callback).join(Ticket, Callback.ticket_id == Ticket.id)
        .where(Callback.kind == CallbackKind.SURVEY)
        .options(
            selectinload(Callback.ticket),
            selectinload(Callback.response).selectinload(SurveyResponse.dimensions),
            selectinload(Callback.complaints).selectinload(Complaint.categories),
            selectinload(Callback.escalations),
        )
    )
    return statement if scope is None else statement.where(Ticket.branch.in_(scope))


@router.get("/callbacks/{ticket_id}")
def callback_by_ticket(ticket_id: str, user: SupervisorUser = Depends(current_user),
                       session: Session = Depends(db_session)) -> dict[str, Any]:
    callback = session.scalar(
        _callbacks_statement(branch_scope(user)).where(Ticket.external_id == ticket_id))
    if callback is None:
        raise HTTPException(status_code=404, detail="找不到该工单的回访")
    return callback_json(callback)


@router.get("/callbacks")
def callbacks(request: Request, paging: PageRequest = Depends(page_request),
              status: CallbackStatus | None = None, since: date | None = None,
              until: date | None = None, user: SupervisorUser = Depends(current_user),
              session: Session = Depends(db_session)) -> dict[str, Any]:
    """Survey callbacks, newest first; since/until filter on the local send date."""
    zone = request.app.state.settings.zone
    statement = _callbacks_statement(branch_scope(user)).order_by(Callback.id.desc())
    if status is not None:
        statement = statement.where(Callback.status == status)
    if since is not None:
        statement = statement.where(Callback.sent_at >= local_midnight(since, zone))
    if until is not None:
        statement = statement.where(
            Callback.sent_at < local_midnight(until + timedelta(days=1), zone))
    result = paginate(session, statement, paging.page, paging.per_page)
    return {"items": [callback_json(c) for c in result.items], **result.meta()}


@router.get("/escalations")
def escalation_list(request: Request, paging: PageRequest = Depends(page_request),
                    filters: QueueFilters = Depends(queue_filters),
                    user: SupervisorUser = Depends(current_user),
                    session: Session = Depends(db_session),
                    now: datetime = Depends(get_now)) -> dict[str, Any]:
    result = escalation_queue(session, filters, branch_scope(user), now,
                              request.app.state.settings.zone, paging.page, paging.per_page)
    return {"items": [_escalation_json(e, now) for e in result.items], **result.meta()}


def _escalation_json(escalation: Escalation, now: datetime) -> dict[str, Any]:
    ticket = escalation.callback.ticket
    return {
        "id": escalation.id,
        "ticket_id": ticket.external_id,
        "callback_id": escalation.callback_id,
        "priority": escalation.priority.value,
        "status": escalation.status.value,
        "reasons": list(escalation.reasons),
        "overdue": escalation.status != EscalationStatus.RESOLVED and escalation.due_at < now,
        "due_at": _iso(escalation.due_at),
        "created_at": _iso(escalation.created_at),
        "resolved_at": _iso(escalation.resolved_at),
        "owner": escalation.owner.username if escalation.owner else None,
        "branch": ticket.branch,
        "agent": escalation.callback.agent_at_send or ticket.agent,
        "service_type": ticket.service_type,
        "root_cause": escalation.root_cause,
    }


@router.get("/reports")
def report(request: Request, query: ReportQuery = Depends(report_query),
           user: SupervisorUser = Depends(current_user), session: Session = Depends(db_session),
           now: datetime = Depends(get_now)) -> dict[str, Any]:
    result = scoped_report(request, query, user, session, now)
    return {
        "by": query.by.value,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "rows": [asdict(row) for row in result.rows],
        "total": asdict(result.total),
        "pareto": [asdict(row) for row in result.pareto],
    }
