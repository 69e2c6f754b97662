"""The complaint taxonomy of docs/domain.md: canonical codes (stored in the database) and their
Chinese names — one list for the classifier, the conversation's buttons, reports and console."""

from __future__ import annotations

CATEGORY_NAMES: dict[str, str] = {
    "attitude": "服务态度",
    "quality": "服务/维修质量",
    "timeliness": "时效/进度",
    "price": "收费/价格",
    "communication": "沟通/告知",
    "parts": "配件/产品",
    "environment": "环境/设施",
    "process": "流程/手续",
    "other": "其他",
}
