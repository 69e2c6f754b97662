"""Campaign operations: the list, a campaign's live page and its pause / resume / cancel, the
upload of a ticket file (preview, then import), the survey preview and the do-not-contact
list. Thin routes over huifang.campaigns, campaign_figures, campaign_upload, do_not_contact."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from console.auth import branch_scope, current_user, require_operations
from console.campaign_views import FIGURE_LABELS, figure_texts
from console.charts import campaign_chart
from console.deps import db_session, get_now
from console.pagination import paginate
from console.params import optional_str
from console.rendering import flash, render
from console.survey_preview import SCRIPTS, preview
from console.upload_jobs import Phase, UploadJob, UploadJobs
from huifang import campaigns, do_not_contact, report_export
from huifang.campaign_figures import (
    STATE_LABELS_ZH,
    CallbackFilters,
    callbacks_statement,
    campaign_figures,
    filter_values,
    timeline,
)
from huifang.campaign_upload import start_campaign
from huifang.db.models import Campaign, CampaignKind, Customer, Role, SupervisorUser
from huifang.log_masking import mask_text
from huifang.surveys import all_templates

router = APIRouter()

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _jobs(request: Request) -> UploadJobs:
    app = request.app
    if not hasattr(app.state, "upload_jobs"):
        app.state.upload_jobs = UploadJobs()
    return app.state.upload_jobs


def _may_operate(user: SupervisorUser) -> bool:
    return user.role in (Role.OPERATOR, Role.ADMIN)


# -- uploading a ticket file (routes before /campaigns/{campaign_id}: "new" is no id) ---------

@router.get("/campaigns/new")
def upload_form(request: Request, user: SupervisorUser = Depends(require_operations)
                ) -> Response:
    return render(request, "campaign_upload.html", {
        "user": user, "max_mb": request.app.state.settings.campaign_upload_max_mb})


def _saved_upload(upload: UploadFile, max_bytes: int) -> Path:
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise campaigns.CampaignError("请上传 .csv 或 .xlsx 文件")
    with tempfile.NamedTemporaryFile(prefix="huifang-upload-", suffix=suffix,
                                     delete=False) as target:
        shutil.copyfileobj(upload.file, target, 1024 * 1024)
    path = Path(target.name)
    if path.stat().st_size > max_bytes:
        path.unlink()
        raise campaigns.CampaignError(f"文件过大（最大 {max_bytes // (1024 * 1024)} MB）")
    return path


@router.post("/campaigns/new")
def upload(request: Request, file: UploadFile = File(...),
           user: SupervisorUser = Depends(require_operations)) -> Response:
    settings = request.app.state.settings
    try:
        path = _saved_upload(file, settings.campaign_upload_max_mb * 1024 * 1024)
    except campaigns.CampaignError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse("/campaigns/new", status_code=303)
    job = _jobs(request).check(user.id, Path(file.filename or "").name, path,
                               request.app.state.session_factory)
    return RedirectResponse(f"/campaigns/new/{job.id}", status_code=303)


def _job(request: Request, job_id: str, user: SupervisorUser) -> UploadJob:
    job = _jobs(request).get(job_id, user.id)
    if job is None:
        raise HTTPException(status_code=404, detail="找不到该上传（可能已过期），请重新上传文件")
    return job


@router.get("/campaigns/new/{job_id}")
def upload_job_page(request: Request, job_id: str,
                    user: SupervisorUser = Depends(require_operations)) -> Response:
    job = _job(request, job_id, user)
    phase = job.phase  # read once: the job's thread moves on meanwhile (preview before phase)
    return render(request, "campaign_preview.html", {
        "user": user, "job": job, "phase": phase, "preview": job.preview, "Phase": Phase,
        "templates": campaigns.selectable_templates(),
        "links": job.take_links() if phase == Phase.DONE else {}})


@router.get("/api/campaigns/uploads/{job_id}")
def upload_job_json(request: Request, job_id: str,
                    user: SupervisorUser = Depends(require_operations)) -> dict[str, Any]:
    job = _job(request, job_id, user)
    # with customer links to hand out, the page shows them before going to the campaign
    done = job.phase == Phase.DONE and job.campaign_id is not None and not job.links
    return {"phase": job.phase.value, "done": job.done, "total": job.total, "error": job.error,
            "next": f"/campaigns/{job.campaign_id}" if done else None}


def _local_start(value: str, request: Request) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise campaigns.CampaignError("开始时间格式不正确") from exc
    zone = request.app.state.settings.zone
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _percent_or_none(value: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise campaigns.CampaignError("抽样比例应为 1–100 的数字") from exc


@router.post("/campaigns/new/{job_id}/confirm")
def confirm_upload(request: Request, job_id: str, name: str = Form(""),
                   template: str = Form(""), sampling_percent: str = Form(""),
                   starts_at: str = Form(""),
                   user: SupervisorUser = Depends(require_operations),
                   session: Session = Depends(db_session),
                   now: datetime = Depends(get_now)) -> Response:
    jobs, job = _jobs(request), _job(request, job_id, user)
    if not jobs.reserve(job):
        flash(request, "该文件已在导入或已导入", "error")
        return RedirectResponse(f"/campaigns/new/{job.id}", status_code=303)
    assert job.preview is not None
    try:
        spec = campaigns.checked_spec(name, optional_str(template),
                                      _percent_or_none(sampling_percent),
                                      _local_start(starts_at, request))
        campaign = start_campaign(session, spec, job.preview, user, now)
        session.commit()
    except campaigns.CampaignError as exc:
        session.rollback()
        jobs.unreserve(job)
        flash(request, str(exc), "error")
        return RedirectResponse(f"/campaigns/new/{job.id}", status_code=303)
    except BaseException:
        jobs.unreserve(job)
        raise
    jobs.start_import(job, campaign.id, user.id, request.app.state.session_factory, now,
                      request.app.state.settings)
    return RedirectResponse(f"/campaigns/new/{job.id}", status_code=303)


@router.post("/campaigns/new/{job_id}/discard")
def discard_upload(request: Request, job_id: str,
                   user: SupervisorUser = Depends(require_operations)) -> Response:
    _jobs(request).discard(_job(request, job_id, user))
    return RedirectResponse("/campaigns/new", status_code=303)


# -- the list and a campaign's page ------------------------------------------------------------

@router.get("/campaigns")
def campaign_list(request: Request, user: SupervisorUser = Depends(current_user),
                  session: Session = Depends(db_session),
                  now: datetime = Depends(get_now)) -> Response:
    settings = request.app.state.settings
    rows = list(session.scalars(select(Campaign).order_by(Campaign.created_at.desc(),
                                                          Campaign.id.desc())))
    figures = campaign_figures(session, rows, now, settings, branch_scope(user))
    return render(request, "campaigns.html", {
        "user": user,
        "campaigns": [(c, figure_texts(c, figures[c.id], settings.zone)) for c in rows],
        "labels": FIGURE_LABELS,
        "may_operate": _may_operate(user),
    })


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id).options(
        selectinload(Campaign.events), selectinload(Campaign.created_by)))
    if campaign is None:
        raise HTTPException(status_code=404, detail="找不到该回访活动")
    return campaign


def campaign_filters(state: str | None = None, branch: str | None = None,
                     agent: str | None = None) -> CallbackFilters:
    chosen = optional_str(state)
    return CallbackFilters(state=chosen if chosen in STATE_LABELS_ZH else None,
                           branch=optional_str(branch), agent=optional_str(agent))


@router.get("/campaigns/{campaign_id}")
def campaign_page(request: Request, campaign_id: int, page: int = 1,
                  filters: CallbackFilters = Depends(campaign_filters),
                  user: SupervisorUser = Depends(current_user),
                  session: Session = Depends(db_session),
                  now: datetime = Depends(get_now)) -> Response:
    settings = request.app.state.settings
    campaign = _campaign(session, campaign_id)
    scope = branch_scope(user)
    figures = campaign_figures(session, [campaign], now, settings, scope)[campaign.id]
    branches, agents = filter_values(session, campaign.id, scope)
    return render(request, "campaign.html", {
        "user": user,
        "campaign": campaign,
        "texts": figure_texts(campaign, figures, settings.zone),
        "labels": FIGURE_LABELS,
        "states": STATE_LABELS_ZH,
        "chart": campaign_chart(timeline(session, campaign.id, settings.zone, now, scope)),
        "filters": filters,
        "branches": branches,
        "agents": agents,
        "callbacks": paginate(session, callbacks_statement(campaign.id, filters, scope), page,
                              settings.console_page_size),
        "may_operate": _may_operate(user),
        "may_cancel": campaign.kind != CampaignKind.STANDING,
        "templates": all_templates(),
        "refresh_seconds": settings.campaign_refresh_seconds,
    })


@router.get("/api/campaigns/{campaign_id}")
def campaign_json(request: Request, campaign_id: int,
                  user: SupervisorUser = Depends(current_user),
                  session: Session = Depends(db_session),
                  now: datetime = Depends(get_now)) -> dict[str, Any]:
    """The live figures of the campaign page (as displayed) and the raw counts."""
    settings = request.app.state.settings
    campaign = _campaign(session, campaign_id)
    figures = campaign_figures(session, [campaign], now, settings, branch_scope(user))[
        campaign.id]
    return {"id": campaign.id, "status": campaign.status.value,
            "texts": figure_texts(campaign, figures, settings.zone),
            "counts": {"total": figures.total, "sent": figures.sent,
                       "answered": figures.answered, **figures.states}}


@router.get("/campaigns/{campaign_id}/chart")
def campaign_chart_svg(request: Request, campaign_id: int,
                       user: SupervisorUser = Depends(current_user),
                       session: Session = Depends(db_session),
                       now: datetime = Depends(get_now)) -> Response:
    campaign = _campaign(session, campaign_id)
    chart = campaign_chart(timeline(session, campaign.id, request.app.state.settings.zone, now,
                                    branch_scope(user)))
    return Response(chart.svg, media_type="image/svg+xml")


def _change(request: Request, session: Session, campaign_id: int,
            action: Callable[[Campaign], str]) -> Response:
    campaign = _campaign(session, campaign_id)
    try:
        message = action(campaign)
    except campaigns.CampaignError as exc:
        session.rollback()
        flash(request, str(exc), "error")
    else:
        session.commit()
        flash(request, message)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/cancel")
def cancel(request: Request, campaign_id: int, reason: str = Form(""),
           user: SupervisorUser = Depends(require_operations),
           session: Session = Depends(db_session), now: datetime = Depends(get_now)) -> Response:
    def run(campaign: Campaign) -> str:
        stopped = campaigns.cancel(session, campaign, user, now, reason)
        return f"已取消活动，{stopped} 条未发送的回访已停止"

    return _change(request, session, campaign_id, run)


PAUSE_RESUME = {
    "pause": (campaigns.pause, "已暂停：不再发出新的回访，进行中的对话继续"),
    "resume": (campaigns.resume, "已继续发送"),
}


@router.post("/campaigns/{campaign_id}/{action}")
def pause_or_resume(request: Request, campaign_id: int, action: str, note: str = Form(""),
                    user: SupervisorUser = Depends(require_operations),
                    session: Session = Depends(db_session),
                    now: datetime = Depends(get_now)) -> Response:
    if action not in PAUSE_RESUME:
        raise HTTPException(status_code=404, detail="没有这个操作")
    change, message = PAUSE_RESUME[action]

    def run(campaign: Campaign) -> str:
        change(session, campaign, user, now, note.strip())
        return message

    return _change(request, session, campaign_id, run)


# -- survey preview ----------------------------------------------------------------------------

@router.get("/surveys")
def survey_preview(request: Request, user: SupervisorUser = Depends(current_user)) -> Response:
    templates = list(all_templates().values())
    return render(request, "surveys.html", {
        "user": user,
        "previews": [(t, {script: preview(t, script) for script in SCRIPTS})
                     for t in templates],
        "scripts": SCRIPTS,
    })


# -- do-not-contact list -----------------------------------------------------------------------

@router.get("/do-not-contact")
def do_not_contact_page(request: Request, q: str = "", page: int = 1,
                        user: SupervisorUser = Depends(require_operations),
                        session: Session = Depends(db_session)) -> Response:
    search = optional_str(q)
    total = do_not_contact.count(session, search)
    page = max(page, 1)
    per_page = request.app.state.settings.console_page_size
    return render(request, "do_not_contact.html", {
        "user": user, "q": search or "", "total": total, "page": page,
        "pages": max(1, -(-total // per_page)),
        "entries": do_not_contact.entries(session, search, per_page, (page - 1) * per_page),
        "status_label": do_not_contact.status_label,
        "mask_phone": mask_text,
    })


@router.get("/do-not-contact/export.csv")
def do_not_contact_export(request: Request, q: str = "",
                          user: SupervisorUser = Depends(require_operations),
                          session: Session = Depends(db_session),
                          now: datetime = Depends(get_now)) -> Response:
    zone = request.app.state.settings.zone
    table = do_not_contact.export_table(do_not_contact.entries(session, optional_str(q)), zone)
    stem = f"huifang-do-not-contact-{now.astimezone(zone):%Y%m%d}"
    return Response(report_export.to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})


@router.post("/do-not-contact/{customer_id}/re-enable")
def re_enable(request: Request, customer_id: int, reason: str = Form(""), q: str = Form(""),
              user: SupervisorUser = Depends(require_operations),
              session: Session = Depends(db_session),
              now: datetime = Depends(get_now)) -> Response:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HTTPException(status_code=404, detail="找不到该客户")
    try:
        do_not_contact.re_enable(session, customer, user, reason, now)
    except do_not_contact.DoNotContactError as exc:
        session.rollback()
        flash(request, str(exc), "error")
    else:
        session.commit()
        flash(request, f"已恢复联系客户 {customer.external_id}（原因已记录）")
    target = f"/do-not-contact?{urlencode({'q': q})}" if q else "/do-not-contact"
    return RedirectResponse(target, status_code=303)
