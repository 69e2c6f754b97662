"""The Chinese names the console's templates read (all from huifang.labels), plus the
names of escalation and campaign audit actions, which only the console shows."""

from __future__ import annotations

from huifang.labels import (
    ALERT_KINDS,
    CALLBACK_KINDS,
    CALLBACK_STATUSES,
    CAMPAIGN_KINDS,
    CAMPAIGN_STATUSES,
    CATEGORIES,
    DELIVERY_STATUSES,
    ESCALATION_STATUSES,
    LIKERT,
    PRIORITIES,
    REASONS,
    ROLES,
    SENTIMENTS,
    SEVERITIES,
    label,
)

EVENT_ACTIONS = {
    "created": "创建升级",
    "reasons_added": "追加原因",
    "claimed": "认领",
    "note": "备注",
    "contacted": "联系客户",
    "resolved": "解决",
    "reopened": "重新打开",
}
CAMPAIGN_ACTIONS = {
    "created": "创建活动",
    "imported": "导入工单",
    "paused": "暂停发送",
    "resumed": "继续发送",
    "cancelled": "取消活动",
}

JINJA_GLOBALS = {
    "CATEGORIES": CATEGORIES,  # also the root causes offered when resolving
    "PRIORITIES": PRIORITIES,
    "ESCALATION_STATUSES": ESCALATION_STATUSES,
    "CALLBACK_STATUSES": CALLBACK_STATUSES,
    "CALLBACK_KINDS": CALLBACK_KINDS,
    "DELIVERY_STATUSES": DELIVERY_STATUSES,
    "ALERT_KINDS": ALERT_KINDS,
    "CAMPAIGN_KINDS": CAMPAIGN_KINDS,
    "CAMPAIGN_STATUSES": CAMPAIGN_STATUSES,
    "SEVERITIES": SEVERITIES,
    "SENTIMENTS": SENTIMENTS,
    "ROLES": ROLES,
    "EVENT_ACTIONS": EVENT_ACTIONS,
    "CAMPAIGN_ACTIONS": CAMPAIGN_ACTIONS,
    "REASONS": {str(reason): name for reason, name in REASONS.items()},
    "LIKERT": LIKERT,
    "label": label,
}
