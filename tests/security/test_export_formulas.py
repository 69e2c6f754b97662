"""Every CSV and Excel export stores outside text that looks like a formula as text: a
customer's comment `=HYPERLINK(...)` and an agent called `@SUM(1)` must not run in Excel, while
the numbers (a negative NPS) stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from huifang import survey_answers
from huifang.app.cli.main import app as huifang_cli
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackStatus, Channel, Role, Ticket
from huifang.intake import TicketIn, ingest
from huifang.outcome_export import outcome_rows, write_csv
from huifang.spreadsheet_cells import formula_safe
from tests.console.console_support import add_user, build_app, cli_database, log_in, utc

COMMENT = '=HYPERLINK("https://evil.example/x","点这里领取补偿")'
AGENT = "@SUM(1)"
BRANCH = "+连锁店"
DETECTOR_NPS = 2  # the only NPS answer: NPS = -100


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_text_that_starts_a_formula_gets_an_apostrophe(text: str) -> None:
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("value", [-100.0, -3, 0, 4.5, "王师傅", "a=b", "", None, "'=quoted"])
def test_numbers_and_ordinary_text_pass_unchanged(value: object) -> None:
    assert formula_safe(value) == value


@pytest.fixture
def hostile_data(sessions: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with session_scope(sessions) as session:
        ingest(session, [TicketIn(
            ticket_id="-T1", customer_id="=cust", customer_name="王先生", phone="13812345678",
            channel=Channel.WEBCHAT, address="web-formula", service_type="auto_repair",
            agent=AGENT, branch=BRANCH, closed_at=utc(4, 1, 0))], utc(4, 1, 0))
        callback = session.query(Callback).join(Ticket).filter(
            Ticket.external_id == "-T1").one()
        callback.sent_at = utc(4, 2, 2)
        callback.status = CallbackStatus.IN_PROGRESS
        survey_answers.record_overall(session, callback, 4, utc(4, 2, 2))
        survey_answers.record_nps(session, callback, DETECTOR_NPS, utc(4, 2, 2))
        survey_answers.record_comment(session, callback, COMMENT, utc(4, 2, 3))
        add_user(session, "boss", Role.ADMIN)
    yield sessions


def _csv(content: bytes | str) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _assert_outcome_csv(rows: list[dict[str, str]]) -> None:
    (row,) = rows
    assert row["comment"] == "'" + COMMENT
    assert row["agent"] == "'" + AGENT
    assert row["branch"] == "'" + BRANCH
    assert row["ticket_id"] == "'-T1" and row["customer_id"] == "'=cust"
    assert row["nps"] == str(DETECTOR_NPS) and row["overall"] == "4"


def test_outcome_csv_stores_formulas_as_text(hostile_data: sessionmaker[Session]) -> None:
    out = io.StringIO()
    with hostile_data() as session:
        assert write_csv(outcome_rows(session), out) == 1
    _assert_outcome_csv(_csv(out.getvalue()))


def test_cli_export_file_stores_formulas_as_text(hostile_data: sessionmaker[Session],
                                                 database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "outcomes.csv"
    with cli_database(database_url):
        result = CliRunner().invoke(huifang_cli, ["export", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    _assert_outcome_csv(_csv(target.read_bytes()))


def _agent_row(rows: list[list[object]]) -> list[object]:
    return next(r for r in rows if r[0] == "'" + AGENT)


def _assert_report_workbook(content: bytes) -> None:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["指标"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "'" + AGENT)
    assert row[0].data_type == "s", "the agent's name must be a text cell, not a formula"
    nps = row[headers.index("NPS")]
    assert nps.value == -100.0 and nps.data_type == "n"
    assert all(c.data_type != "f" for r in workbook.worksheets for line in r.iter_rows()
               for c in line), "no cell of any sheet may be a formula"


def test_console_report_downloads_store_formulas_as_text(
        hostile_data: sessionmaker[Session]) -> None:
    with TestClient(build_app(hostile_data)) as client:
        assert log_in(client, "boss").status_code == 303
        xlsx = client.get("/reports/export.xlsx?by=agent")
        metrics = client.get("/reports/export.csv?by=agent&table=metrics")
        branches = client.get("/reports/export.csv?by=branch&table=metrics")
    assert xlsx.status_code == metrics.status_code == branches.status_code == 200
    _assert_report_workbook(xlsx.content)
    table = list(csv.reader(io.StringIO(metrics.content.decode("utf-8-sig"))))
    row = _agent_row(table)  # type: ignore[arg-type]
    assert row[table[0].index("NPS")] == "-100.0", "a negative number stays a plain number"
    assert [r[0] for r in csv.reader(io.StringIO(branches.content.decode("utf-8-sig")))][1] \
        == "'" + BRANCH


def test_cli_report_exports_store_formulas_as_text(hostile_data: sessionmaker[Session],
                                                  database_url: str, tmp_path: Path) -> None:
    xlsx, metrics = tmp_path / "report.xlsx", tmp_path / "report.csv"
    with cli_database(database_url):
        for target in (xlsx, metrics):
            result = CliRunner().invoke(huifang_cli, ["report", "--by", "agent",
                                                      "--since", "2025-04-01",
                                                      "--export", str(target)])
            assert result.exit_code == 0, result.output
    _assert_report_workbook(xlsx.read_bytes())
    table = list(csv.reader(io.StringIO(metrics.read_text(encoding="utf-8-sig"))))
    assert _agent_row(table)[table[0].index("NPS")] == "-100.0"  # type: ignore[arg-type]
