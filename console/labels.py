"""Chinese names of the codes the console shows (statuses, priorities, categories …)."""

from __future__ import annotations

from huifang.db.models import (
    CallbackKind,
    CallbackStatus,
    EscalationStatus,
    Priority,
    Role,
    Sentiment,
    Severity,
)
from huifang.escalations import REASON_LABELS_ZH
from huifang.reports import CATEGORY_LABELS_ZH

CATEGORIES = CATEGORY_LABELS_ZH  # also the root causes offered when resolving
PRIORITIES = {Priority.URGENT: "紧急", Priority.HIGH: "高", Priority.NORMAL: "普通"}
ESCALATION_STATUSES = {
    EscalationStatus.OPEN: "待认领",
    EscalationStatus.CLAIMED: "处理中",
    EscalationStatus.RESOLVED: "已解决",
}
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
CALLBACK_KINDS = {CallbackKind.SURVEY: "满意度回访", CallbackKind.RECOVERY: "问题处理回访"}
SEVERITIES = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低"}
SENTIMENTS = {Sentiment.NEGATIVE: "负面", Sentiment.NEUTRAL: "中性", Sentiment.POSITIVE: "正面"}
ROLES = {Role.SUPERVISOR: "主管", Role.ADMIN: "管理员"}
EVENT_ACTIONS = {
    "created": "创建升级",
    "reasons_added": "追加原因",
    "claimed": "认领",
    "note": "备注",
    "contacted": "联系客户",
    "resolved": "解决",
    "reopened": "重新打开",
}
REASONS = {str(reason): label for reason, label in REASON_LABELS_ZH.items()}
LIKERT = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}


def label(mapping: dict, code: object) -> str:
    """The Chinese name of a code, or the code itself when it has none."""
    if code is None:
        return "—"
    return mapping.get(code, str(code))


JINJA_GLOBALS = {
    "CATEGORIES": CATEGORIES,
    "PRIORITIES": PRIORITIES,
    "ESCALATION_STATUSES": ESCALATION_STATUSES,
    "CALLBACK_STATUSES": CALLBACK_STATUSES,
    "CALLBACK_KINDS": CALLBACK_KINDS,
    "SEVERITIES": SEVERITIES,
    "SENTIMENTS": SENTIMENTS,
    "ROLES": ROLES,
    "EVENT_ACTIONS": EVENT_ACTIONS,
    "REASONS": REASONS,
    "LIKERT": LIKERT,
    "label": label,
}
