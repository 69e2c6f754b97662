"""Campaigns: what a survey callback belongs to, and every change of a campaign's state.

Rules (docs/campaigns.md):
- Every survey callback belongs to one campaign: an uploaded file's, the one an intake API
  call names, or else the standing campaign of its ticket's service type ("API · <type>").
- A campaign can choose the template (else the service type's), a sampling rate (else the
  policy's) and a start time (no first message before it).
- active ⇄ paused; active or paused → cancelled, which is final. Standing campaigns can be
  paused but not cancelled (the intake keeps filling them).
- Pausing holds every survey that has not started yet (the claim skips it, the send rules
  hold one already claimed); conversations already open go on, with their reminders.
- Cancelling stops every survey that has not started yet, with the reason "campaign
  cancelled"; conversations already open go on.
- Every change made by a person is written to campaign_event with who, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.callback_policy import first_send
from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    Campaign,
    CampaignEvent,
    CampaignKind,
    CampaignStatus,
    SupervisorUser,
)
from huifang.labels import CAMPAIGN_STATUSES
from huifang.recovery import RECOVERY_TEMPLATE
from huifang.callback_lifecycle import SendMode, stop
from huifang.settings import Settings
from huifang.surveys import all_templates, template_for_service

MAX_NAME = 100
CANCELLED_REASON = "campaign cancelled"
TRANSITIONS = {
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.CANCELLED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.CANCELLED}),
    CampaignStatus.CANCELLED: frozenset(),
}
ACTION_VERBS_ZH = {"paused": "暂停", "resumed": "继续", "cancelled": "取消"}


class CampaignError(ValueError):
    """A campaign action that is not allowed; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class CampaignSpec:
    """What an operator chooses for a new campaign."""

    name: str
    template: str | None = None  # None: each ticket's service type decides
    sampling_rate: float | None = None  # 0 < rate ≤ 1; None: the service type's policy
    starts_at: datetime | None = None


def selectable_templates() -> dict[str, str]:
    """Templates a campaign may choose (name → title); recovery surveys are not a campaign's."""
    return {t.name: t.title for t in all_templates().values() if t.name != RECOVERY_TEMPLATE}


def checked_spec(name: str, template: str | None, sampling_percent: float | None,
                 starts_at: datetime | None) -> CampaignSpec:
    name = " ".join(name.split())
    if not name:
        raise CampaignError("请填写活动名称")
    if len(name) > MAX_NAME:
        raise CampaignError(f"活动名称最多 {MAX_NAME} 个字")
    if template and template not in selectable_templates():
        raise CampaignError("所选问卷模板不存在")
    rate = None
    if sampling_percent is not None:
        if not 0 < sampling_percent <= 100:
            raise CampaignError("抽样比例应在 1%–100% 之间")
        rate = sampling_percent / 100.0
    return CampaignSpec(name=name, template=template or None, sampling_rate=rate,
                        starts_at=starts_at)


def _audit(session: Session, campaign: Campaign, action: str, actor: SupervisorUser | None,
           text: str | None, now: datetime) -> None:
    session.add(CampaignEvent(campaign=campaign, actor=actor, action=action, text=text,
                              created_at=now))


def _name_taken(session: Session, name: str) -> bool:
    return session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None


def create_campaign(session: Session, spec: CampaignSpec, user: SupervisorUser,
                    now: datetime) -> Campaign:
    if _name_taken(session, spec.name):
        raise CampaignError(f"已有名为“{spec.name}”的活动，请换一个名称")
    campaign = Campaign(name=spec.name, kind=CampaignKind.UPLOAD, status=CampaignStatus.ACTIVE,
                        template=spec.template, sampling_rate=spec.sampling_rate,
                        starts_at=spec.starts_at, created_by=user, created_at=now,
                        updated_at=now)
    session.add(campaign)
    _audit(session, campaign, "created", user, None, now)
    session.flush()
    return campaign


def record_import(session: Session, campaign: Campaign, user: SupervisorUser | None,
                  source: str, imported: int, already_present: int, now: datetime) -> None:
    _audit(session, campaign, "imported", user,
           f"{source}：新增 {imported} 条，已存在 {already_present} 条", now)


def standing_name(service_type: str) -> str:
    return f"API · {service_type}"


def standing_campaign(session: Session, service_type: str, now: datetime) -> Campaign:
    """The intake's default campaign of a service type, created on first use."""
    campaign = session.scalar(select(Campaign).where(
        Campaign.kind == CampaignKind.STANDING, Campaign.service_type == service_type))
    if campaign is None:
        campaign = Campaign(name=standing_name(service_type), kind=CampaignKind.STANDING,
                            service_type=service_type, created_at=now, updated_at=now)
        session.add(campaign)
        _audit(session, campaign, "created", None, "接口默认活动", now)
        session.flush()
    return campaign


def named_campaign(session: Session, name: str, now: datetime) -> Campaign:
    """The campaign an intake API call names, created on first use; never a cancelled one."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise CampaignError(f"活动名称应为 1–{MAX_NAME} 个字 (campaign name must be 1–{MAX_NAME} "
                            "characters)")
    campaign = session.scalar(select(Campaign).where(Campaign.name == name))
    if campaign is None:
        campaign = Campaign(name=name, kind=CampaignKind.API, created_at=now, updated_at=now)
        session.add(campaign)
        _audit(session, campaign, "created", None, "接口创建", now)
        session.flush()
    elif campaign.status == CampaignStatus.CANCELLED:
        raise CampaignError(f"活动“{name}”已取消 (campaign {name!r} was cancelled)")
    return campaign


def template_for(campaign: Campaign, service_type: str) -> str:
    return campaign.template or template_for_service(service_type).name


def first_send_at(campaign: Campaign, service_type: str, closed_at: datetime, zone: ZoneInfo,
                  now: datetime, settings: Settings) -> datetime:
    """The policy's first send time, but never before the campaign's start."""
    start = max(now, campaign.starts_at) if campaign.starts_at else now
    return first_send(service_type, closed_at, zone, start, settings)


def sampling_rate(campaign: Campaign | None, policy_rate: float) -> float:
    if campaign is None or campaign.sampling_rate is None:
        return policy_rate
    return campaign.sampling_rate


def holds_new_surveys(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.status != CampaignStatus.ACTIVE


def _change(session: Session, campaign: Campaign, to: CampaignStatus, action: str,
            user: SupervisorUser, text: str | None, now: datetime) -> None:
    if to not in TRANSITIONS[campaign.status]:
        raise CampaignError(f"活动{CAMPAIGN_STATUSES[campaign.status]}，不能{ACTION_VERBS_ZH[action]}")
    campaign.status = to
    campaign.updated_at = now
    _audit(session, campaign, action, user, text or None, now)


def pause(session: Session, campaign: Campaign, user: SupervisorUser, now: datetime,
          note: str | None = None) -> None:
    _change(session, campaign, CampaignStatus.PAUSED, "paused", user, note, now)


def resume(session: Session, campaign: Campaign, user: SupervisorUser, now: datetime,
           note: str | None = None) -> None:
    _change(session, campaign, CampaignStatus.ACTIVE, "resumed", user, note, now)


def cancel(session: Session, campaign: Campaign, user: SupervisorUser, now: datetime,
           reason: str) -> int:
    """Cancel the campaign and stop its surveys that have not started; returns how many."""
    reason = reason.strip()
    if not reason:
        raise CampaignError("请填写取消原因")
    if campaign.kind == CampaignKind.STANDING:
        raise CampaignError("接口默认活动不能取消，可以暂停")
    _change(session, campaign, CampaignStatus.CANCELLED, "cancelled", user, reason, now)
    waiting = session.scalars(
        select(Callback).where(Callback.campaign_id == campaign.id,
                               Callback.kind == CallbackKind.SURVEY,
                               Callback.status == CallbackStatus.SCHEDULED,
                               Callback.send_mode == SendMode.START.value)
        .with_for_update()
    ).all()
    for callback in waiting:
        stop(callback, CallbackStatus.CANCELLED, CANCELLED_REASON, now)
    session.flush()
    return len(waiting)
