"""Import closed tickets from CSV or Excel: every row validated, good rows imported, bad rows
reported by line with the reason. Importing the same file twice changes nothing."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import session_scope
from huifang.db.models import Campaign
from huifang.intake import IntakeResult, TicketIn, ingest
from huifang.settings import Settings

BATCH_SIZE = 500

# Ticketing systems export Chinese headers as often as English ones.
HEADER_ALIASES = {
    "工单号": "ticket_id",
    "工单编号": "ticket_id",
    "客户编号": "customer_id",
    "客户号": "customer_id",
    "客户姓名": "customer_name",
    "姓名": "customer_name",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "渠道": "channel",
    "联系地址": "address",
    "语言": "locale",
    "时区": "timezone",
    "服务类型": "service_type",
    "服务人员": "agent",
    "技师": "agent",
    "网点": "branch",
    "门店": "branch",
    "摘要": "summary",
    "完成时间": "closed_at",
    "结单时间": "closed_at",
}
FIELDS = set(TicketIn.model_fields)
REQUIRED = ("ticket_id", "customer_id", "service_type", "closed_at")
# The Chinese name of each field in error messages: its first Chinese header above.
FIELD_LABELS_ZH: dict[str, str] = {}
for _header, _field in HEADER_ALIASES.items():
    FIELD_LABELS_ZH.setdefault(_field, _header)
VALUE_ERRORS_ZH = {
    "phone": "电话号码格式不正确（应为 7–15 位数字）",
    "service_type": "服务类型应为小写英文代码，如 auto_repair",
    "timezone": "时区无效，应如 Asia/Shanghai",
}
ERROR_TYPES_ZH = {
    "missing": "不能为空",
    "string_too_short": "不能为空",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "enum": "取值无效（可选：{expected}）",
    "datetime_parsing": "不是有效的日期时间（例如 2025-03-01 14:30）",
    "datetime_from_date_parsing": "不是有效的日期时间（例如 2025-03-01 14:30）",
    "datetime_type": "不是有效的日期时间（例如 2025-03-01 14:30）",
}


@dataclass(frozen=True)
class RowError:
    line: int
    ticket_id: str | None
    reason: str
    reason_zh: str
    duplicate_of: int | None = None  # the earlier line with the same ticket id


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    rescheduled: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    bind_links: dict[str, str] = field(default_factory=dict)
    chat_links: dict[str, str] = field(default_factory=dict)

    def add(self, result: IntakeResult) -> None:
        self.imported += len(result.created)
        self.already_present += len(result.already_present)
        self.rescheduled += len(result.rescheduled)
        self.bind_links.update(result.bind_tokens)
        self.chat_links.update(result.chat_links)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (unknown type, no header, missing columns)."""


def _canonical(header: str) -> str:
    name = header.strip().lstrip("\ufeff")
    return HEADER_ALIASES.get(name, name.lower())


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM); else GB18030, which Excel on Chinese Windows saves."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for _ in handle:
                pass
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs; the header is line 1."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding=_csv_encoding(path), newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    raise ImportFileError("文件为空 (the file is empty)")
                names = [_canonical(h) for h in header]
                start = reader.line_num + 1
                for values in reader:
                    # the line the row starts on (a quoted field may span several lines)
                    yield start, dict(zip(names, values, strict=False))
                    start = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFileError("无法读取该 CSV 文件，请另存为 UTF-8 编码的 CSV "
                                  f"(unreadable CSV: {exc})") from exc
        return
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ImportFileError(f"无法读取该 Excel 文件 (not a readable .xlsx file: {exc})") \
                from exc
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError("文件为空 (the file is empty)")
        names = [_canonical(str(h or "")) for h in header]
        for number, values in enumerate(rows, start=2):
            yield number, dict(zip(names, values, strict=False))
        return
    raise ImportFileError(f"不支持的文件类型 {suffix!r}，请使用 .csv 或 .xlsx "
                          f"(unsupported file type {suffix!r}: use .csv or .xlsx)")


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in row.items():
        if key not in FIELDS:
            continue
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            continue
        cleaned[key] = str(value) if isinstance(value, int | float) and key != "closed_at" else value
    return cleaned


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "row"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _reason_zh(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        label = FIELD_LABELS_ZH.get(name, name or "该行")
        if item["type"] == "value_error" and name in VALUE_ERRORS_ZH:
            parts.append(VALUE_ERRORS_ZH[name])
        elif item["type"] in ERROR_TYPES_ZH:
            parts.append(label + ERROR_TYPES_ZH[item["type"]].format(**item.get("ctx", {})))
        else:
            parts.append(f"{label}：{item['msg']}")
    return "；".join(parts)


def count_rows(path: Path) -> int:
    return sum(1 for _ in _rows(path))


def validated_tickets(path: Path, report: ImportReport,
                      on_row: Callable[[bool], None] | None = None
                      ) -> Iterator[tuple[int, TicketIn]]:
    """The file's good rows (line, ticket) in order, read lazily; each bad row goes to
    `report.errors` with its line and reason. `on_row(good)` is told of every row read."""
    seen: dict[str, int] = {}
    header_checked = False
    for line, row in _rows(path):
        if not header_checked:
            header_checked = True
            report.ignored_columns = sorted(k for k in row if k and k not in FIELDS)
            missing = [name for name in REQUIRED if name not in row]
            if missing:
                names = "、".join(f"{FIELD_LABELS_ZH[m]}({m})" for m in missing)
                raise ImportFileError(f"缺少必填列：{names} "
                                      f"(missing required columns: {', '.join(missing)})")
        if not any(v not in (None, "") for v in row.values()):
            continue
        report.rows += 1
        cleaned = _clean(row)
        ticket_id = cleaned.get("ticket_id")
        if ticket_id in seen:
            first = seen[ticket_id]
            report.errors.append(RowError(line, ticket_id, f"duplicate of line {first}",
                                          f"与第 {first} 行的工单号重复", duplicate_of=first))
            if on_row:
                on_row(False)
            continue
        try:
            ticket = TicketIn.model_validate(cleaned)
        except ValidationError as exc:
            report.errors.append(RowError(line, ticket_id, _reason(exc), _reason_zh(exc)))
            if on_row:
                on_row(False)
            continue
        seen[ticket.ticket_id] = line
        if on_row:
            on_row(True)
        yield line, ticket


def import_tickets(tickets: Iterable[TicketIn], sessions: sessionmaker[Session], now: datetime,
                   settings: Settings, report: ImportReport,
                   progress: Callable[[int], None] | None = None,
                   campaign_id: int | None = None) -> ImportReport:
    """Ingest in batches, one transaction each; `progress(n)` after every batch. New surveys
    join the campaign `campaign_id` (default: the standing campaign of their service type)."""
    batch: list[TicketIn] = []

    def flush() -> None:
        if batch:
            with session_scope(sessions) as session:
                campaign = session.get(Campaign, campaign_id) if campaign_id else None
                report.add(ingest(session, batch, now, settings, campaign=campaign))
            if progress:
                progress(len(batch))
            batch.clear()

    for ticket in tickets:
        batch.append(ticket)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return report


def import_file(
    path: Path,
    sessions: sessionmaker[Session],
    now: datetime,
    settings: Settings,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()

    def bad_row_done(good: bool) -> None:
        if progress and not good:
            progress(1)

    tickets = (ticket for _, ticket in validated_tickets(path, report, bad_row_done))
    return import_tickets(tickets, sessions, now, settings, report, progress)
