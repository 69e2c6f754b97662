"""CSV / Excel import: good rows in, bad rows reported by line, twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from huifang.db.models import Callback, CallbackStatus, Customer, Ticket
from huifang.settings import Settings
from huifang.ticket_import import ImportFileError, import_file

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
SETTINGS = Settings(_env_file=None)

CSV = """ticket_id,customer_id,customer_name,phone,channel,address,service_type,agent,branch,closed_at,notes
T-100,C-1,张三,13800138000,webchat,wc-1,auto_repair,李师傅,朝阳店,2026-11-22 15:30,ok
T-101,C-2,李四,,telegram,,power_outage,抢修一班,东城所,2026-11-22T16:00:00+08:00,
T-100,C-1,张三,13800138000,webchat,wc-1,auto_repair,李师傅,朝阳店,2026-11-22 15:30,dup
T-102,C-3,王五,12ab,webchat,wc-3,auto_repair,,,2026-11-22 10:00,bad phone
T-103,C-4,赵六,,webchat,wc-4,Auto Repair,,,2026-11-22 10:00,bad service type
T-104,C-5,,,webchat,wc-5,broadband_install,,,yesterday,bad date
,C-6,,,webchat,wc-6,generic,,,2026-11-22 10:00,no ticket id

T-105,C-1,张三,,webchat,wc-1,generic,,,2026-11-22 11:00,second ticket same customer
"""


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "closed.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    return path


def test_imports_exactly_the_good_rows_and_reports_each_bad_line(
    csv_file: Path, sessions: sessionmaker[Session]
) -> None:
    report = import_file(csv_file, sessions, NOW, SETTINGS)
    assert report.imported == 3
    assert report.rows == 8
    assert [(e.line, e.ticket_id) for e in report.errors] == [
        (4, "T-100"), (5, "T-102"), (6, "T-103"), (7, "T-104"), (8, None)]
    reasons = {e.line: e.reason for e in report.errors}
    assert reasons[4] == "duplicate of line 2"
    assert reasons[5].startswith("phone:")
    assert reasons[6].startswith("service_type:")
    assert reasons[7].startswith("closed_at:")
    assert reasons[8].startswith("ticket_id:")
    assert report.ignored_columns == ["notes"]
    with sessions() as session:
        assert sorted(session.scalars(select(Ticket.external_id))) == ["T-100", "T-101", "T-105"]
        assert _count(session, Customer) == 2  # C-1 has two tickets, one customer record
        assert _count(session, Callback) == 3


def test_importing_the_same_file_twice_changes_nothing(
    csv_file: Path, sessions: sessionmaker[Session]
) -> None:
    import_file(csv_file, sessions, NOW, SETTINGS)
    with sessions() as session:
        before = [(c.id, c.ticket_id, c.due_at, c.status) for c in session.scalars(select(Callback))]
    again = import_file(csv_file, sessions, NOW, SETTINGS)
    assert again.imported == 0 and again.already_present == 3
    with sessions() as session:
        after = [(c.id, c.ticket_id, c.due_at, c.status) for c in session.scalars(select(Callback))]
    assert after == before


def test_callbacks_are_scheduled_a_day_after_close_inside_the_window(
    csv_file: Path, sessions: sessionmaker[Session]
) -> None:
    import_file(csv_file, sessions, NOW, SETTINGS)
    with sessions() as session:
        callback = session.scalar(select(Callback).join(Ticket).where(Ticket.external_id == "T-100"))
        # closed 2026-11-22 15:30 Shanghai (naive → settings time zone), +24 h, inside 09–20
        assert callback.due_at == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
        assert callback.status == CallbackStatus.SCHEDULED
        assert callback.template == "auto_after_sales"


def test_telegram_customers_get_a_deep_link(csv_file: Path,
                                            sessions: sessionmaker[Session]) -> None:
    report = import_file(csv_file, sessions, NOW, SETTINGS)
    assert list(report.bind_links) == ["T-101"]
    assert report.bind_links["T-101"].startswith("https://t.me/")


def test_excel_files_import_like_csv(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工单号", "客户编号", "服务类型", "完成时间", "手机号"])
    sheet.append(["X-1", "C-9", "auto_repair", datetime(2026, 11, 22, 9, 0), 13900139000])
    sheet.append(["X-2", "C-9", "auto_repair", "not a date", None])
    path = tmp_path / "closed.xlsx"
    workbook.save(path)
    report = import_file(path, sessions, NOW, SETTINGS)
    assert report.imported == 1
    assert [(e.line, e.ticket_id) for e in report.errors] == [(3, "X-2")]
    with sessions() as session:
        assert session.scalar(select(Customer.phone)) == "13900139000"


def test_a_file_without_required_columns_is_refused(tmp_path: Path,
                                                    sessions: sessionmaker[Session]) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="missing required columns"):
        import_file(path, sessions, NOW, SETTINGS)


def test_cli_prints_the_bad_lines_and_exits_non_zero(csv_file: Path, database_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from huifang.app.cli import common
    from huifang.app.cli.main import app
    from huifang.settings import get_settings

    monkeypatch.setenv("HUIFANG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    common.sessions.cache_clear()
    try:
        result = CliRunner().invoke(app, ["tickets", "import", str(csv_file)])
        assert result.exit_code == 1
        assert "duplicate of line 2" in result.output
        assert "imported" in result.output
        export = CliRunner().invoke(app, ["export", "--format", "jsonl"])
        assert export.exit_code == 0
        assert export.output.count('"ticket_id"') == 3
    finally:
        get_settings.cache_clear()
        common.sessions.cache_clear()
