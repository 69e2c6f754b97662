"""Import closed tickets from CSV or Excel: every row validated, good rows imported, bad rows
reported by line with the reason. Importing the same file twice changes nothing."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from huifang.db import session_scope
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


@dataclass(frozen=True)
class RowError:
    line: int
    ticket_id: str | None
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    rescheduled: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    bind_links: dict[str, str] = field(default_factory=dict)

    def add(self, result: IntakeResult) -> None:
        self.imported += len(result.created)
        self.already_present += len(result.already_present)
        self.rescheduled += len(result.rescheduled)
        self.bind_links.update(result.bind_tokens)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (unknown type, no header, missing columns)."""


def _canonical(header: str) -> str:
    name = header.strip().lstrip("\ufeff")
    return HEADER_ALIASES.get(name, name.lower())


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs; the header is line 1."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ImportFileError("文件为空 (the file is empty)")
            names = [_canonical(h) for h in header]
            for values in reader:
                yield reader.line_num, dict(zip(names, values, strict=False))
        return
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError("文件为空 (the file is empty)")
        names = [_canonical(str(h or "")) for h in header]
        for number, values in enumerate(rows, start=2):
            yield number, dict(zip(names, values, strict=False))
        return
    raise ImportFileError(f"unsupported file type {suffix!r}: use .csv or .xlsx")


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


def count_rows(path: Path) -> int:
    return sum(1 for _ in _rows(path))


def import_file(
    path: Path,
    sessions: sessionmaker[Session],
    now: datetime,
    settings: Settings,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    seen: dict[str, int] = {}
    batch: list[TicketIn] = []
    header_checked = False

    def flush() -> None:
        if batch:
            with session_scope(sessions) as session:
                report.add(ingest(session, batch, now, settings))
            if progress:
                progress(len(batch))
            batch.clear()

    for line, row in _rows(path):
        if not header_checked:
            header_checked = True
            report.ignored_columns = sorted(k for k in row if k and k not in FIELDS)
            missing = {"ticket_id", "customer_id", "service_type", "closed_at"} - row.keys()
            if missing:
                raise ImportFileError(f"missing required columns: {', '.join(sorted(missing))}")
        if not any(v not in (None, "") for v in row.values()):
            continue
        report.rows += 1
        cleaned = _clean(row)
        ticket_id = cleaned.get("ticket_id")
        if ticket_id in seen:
            report.errors.append(RowError(line, ticket_id, f"duplicate of line {seen[ticket_id]}"))
            if progress:
                progress(1)
            continue
        try:
            ticket = TicketIn.model_validate(cleaned)
        except ValidationError as exc:
            report.errors.append(RowError(line, ticket_id, _reason(exc)))
            if progress:
                progress(1)
            continue
        seen[ticket.ticket_id] = line
        batch.append(ticket)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return report
