"""The escalation queue page (the console's home)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from console.auth import branch_scope, current_user
from console.deps import db_session, get_now
from console.params import enum_or, optional_date, optional_str
from console.queue import VIEW_LABELS_ZH, QueueFilters, QueueView, escalation_queue, filter_options
from console.rendering import render
from huifang import escalation_alerts, outcome
from huifang.db.models import SupervisorUser

router = APIRouter()


def queue_filters(view: str | None = None, branch: str | None = None, agent: str | None = None,
                  service_type: str | None = None, category: str | None = None,
                  severity: str | None = None, since: str | None = None,
                  until: str | None = None) -> QueueFilters:
    return QueueFilters(
        view=enum_or(QueueView, view, QueueView.UNRESOLVED),
        branch=optional_str(branch),
        agent=optional_str(agent),
        service_type=optional_str(service_type),
        category=optional_str(category),
        severity=optional_str(severity),
        since=optional_date(since),
        until=optional_date(until),
    )


@router.get("/")
def queue_page(request: Request, page: int = 1, filters: QueueFilters = Depends(queue_filters),
               user: SupervisorUser = Depends(current_user),
               session: Session = Depends(db_session),
               now: datetime = Depends(get_now)) -> Response:
    scope = branch_scope(user)
    settings = request.app.state.settings
    result = escalation_queue(session, filters, scope, now, settings.zone, page,
                              settings.console_page_size)
    return render(request, "queue.html", {
        "user": user,
        "now": now,
        "filters": filters,
        "views": VIEW_LABELS_ZH,
        "result": result,
        "options": filter_options(session, scope),
        "categories_of": outcome.categories,
        "severity_of": outcome.highest_severity,
        "undeliverable": escalation_alerts.undeliverable(session, scope),
    })
