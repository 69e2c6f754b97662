"""Every Chinese name a person reads for a code: statuses, priorities, severities, roles,
the Likert scale, complaint categories, escalation reasons, and the date format of tables.

The console, the CLI, supervisor alerts, the daily digest and exports all read them from here,
so one code has one name everywhere.
"""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from huifang.complaint_categories import CATEGORY_NAMES
from huifang.db.models import (
    AlertKind,
    CallbackKind,
    CallbackStatus,
    CampaignKind,
    CampaignStatus,
    Channel,
    DeliveryStatus,
    EscalationStatus,
    InboxStatus,
    Locale,
    Priority,
    Role,
    Sentiment,
    Severity,
    TicketStatus,
)
from huifang.escalations import Reason

CHANNELS = {Channel.TELEGRAM: "Telegram", Channel.WEBCHAT: "网页聊天"}
LOCALES = {Locale.SIMPLIFIED: "简体中文", Locale.TRADITIONAL: "繁體中文",
           Locale.TRADITIONAL_HK: "繁體中文（香港）"}
TICKET_STATUSES = {TicketStatus.CLOSED: "已完成", TicketStatus.REOPENED: "已重新打开"}
CALLBACK_KINDS = {CallbackKind.SURVEY: "满意度回访", CallbackKind.RECOVERY: "问题处理回访"}
CALLBACK_STATUSES = {
    CallbackStatus.SCHEDULED: "待发送",
    CallbackStatus.SENDING: "发送中",
    CallbackStatus.IN_PROGRESS: "进行中",
    CallbackStatus.COMPLETED: "已完成",
    CallbackStatus.NO_RESPONSE: "未回复",
    CallbackStatus.OPTED_OUT: "已退订",
    CallbackStatus.UNREACHABLE: "无法送达",
    CallbackStatus.CANCELLED: "已取消",
    CallbackStatus.FAILED: "发送失败",
}
SEVERITIES = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低", Severity.NONE: "无"}
SENTIMENTS = {Sentiment.NEGATIVE: "负面", Sentiment.MIXED: "褒贬兼有", Sentiment.NEUTRAL: "中性",
              Sentiment.POSITIVE: "正面"}
PRIORITIES = {Priority.URGENT: "紧急", Priority.HIGH: "高", Priority.NORMAL: "普通"}
ESCALATION_STATUSES = {
    EscalationStatus.OPEN: "待认领",
    EscalationStatus.CLAIMED: "处理中",
    EscalationStatus.RESOLVED: "已解决",
}
DELIVERY_STATUSES = {
    DeliveryStatus.RECEIVED: "已收到",
    DeliveryStatus.PENDING: "待发送",
    DeliveryStatus.IN_FLIGHT: "发送中",
    DeliveryStatus.SENT: "已发送",
    DeliveryStatus.IN_DOUBT: "结果不明（可能已送达，不再重发）",
    DeliveryStatus.FAILED: "发送失败",
    DeliveryStatus.WITHDRAWN: "已撤回（被更新的提醒取代，未发送）",
}
ALERT_KINDS = {AlertKind.NEW: "新升级提醒", AlertKind.RAISED: "优先级提高提醒",
               AlertKind.NEWS: "新情况提醒",
               AlertKind.OVERDUE: "超时提醒"}
INBOX_STATUSES = {InboxStatus.WAITING: "待处理", InboxStatus.DONE: "已处理",
                  InboxStatus.FAILED: "处理失败"}
ROLES = {Role.SUPERVISOR: "主管", Role.OPERATOR: "回访专员", Role.ADMIN: "管理员"}
CAMPAIGN_KINDS = {CampaignKind.UPLOAD: "文件导入", CampaignKind.API: "接口导入",
                  CampaignKind.STANDING: "常设（接口）"}
CAMPAIGN_STATUSES = {CampaignStatus.ACTIVE: "进行中", CampaignStatus.PAUSED: "已暂停",
                     CampaignStatus.CANCELLED: "已取消"}
REASONS = {
    Reason.LOW_OVERALL: "总体评分低",
    Reason.HIGH_SEVERITY: "高风险投诉",
    Reason.REQUESTED_HUMAN: "客户要求人工联系",
    Reason.NOT_SOLVED: "问题未解决",
}
CATEGORIES = CATEGORY_NAMES
LIKERT = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}

# Every enum a person reads, with its names: a test checks each member has exactly one.
BY_ENUM: dict[type[enum.Enum], dict] = {
    Channel: CHANNELS, Locale: LOCALES, TicketStatus: TICKET_STATUSES,
    CallbackKind: CALLBACK_KINDS, CallbackStatus: CALLBACK_STATUSES, Severity: SEVERITIES,
    Sentiment: SENTIMENTS, Priority: PRIORITIES, EscalationStatus: ESCALATION_STATUSES,
    DeliveryStatus: DELIVERY_STATUSES, Role: ROLES, CampaignKind: CAMPAIGN_KINDS,
    CampaignStatus: CAMPAIGN_STATUSES, Reason: REASONS, AlertKind: ALERT_KINDS,
    InboxStatus: INBOX_STATUSES,
}

DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def label(mapping: dict, code: object) -> str:
    """The Chinese name of a code, or the code itself when it has none ("—" for nothing)."""
    if code is None:
        return "—"
    return mapping.get(code, str(code))


def local_datetime(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as tables, exports and alerts show it: local time, to the minute."""
    return moment.astimezone(zone).strftime(DATETIME_FORMAT) if moment else "—"
