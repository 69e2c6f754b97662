"""The report page, its charts and its CSV / Excel downloads; the `huifang report` command."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from huifang.app.cli import common
from huifang.app.cli.report import report
from tests.console.console_support import Dataset, cli_database, log_in


@pytest.fixture
def supervisor(client: TestClient, report_dataset: Dataset) -> TestClient:
    log_in(client, "anywhere")
    return client


def test_report_page_renders_four_inline_svg_charts(supervisor: TestClient) -> None:
    page = supervisor.get("/reports?by=week").text
    assert len(re.findall(r'<svg[^>]*class="chart-svg"', page)) == 4
    for key in ("rates", "nps", "pareto", "escalations"):
        assert f'id="chart-{key}"' in page
    assert "37.5%" in page and "时效/进度" in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids of the inline charts collide"
    assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]+"', "", page).replace(
        "http://www.w3.org", ""), "nothing may be loaded from another site"


def test_empty_report_says_so(supervisor: TestClient) -> None:
    page = supervisor.get("/reports?since=2030-01-01").text
    assert page.count("暂无数据") == 4 and "所选时间内没有投诉" in page


def test_metrics_csv_has_a_bom_and_the_same_figures(supervisor: TestClient) -> None:
    response = supervisor.get("/reports/export.csv?by=branch&table=metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["网点", "已发送", "已回复", "回复率%"]
    assert [r[0] for r in rows[1:]] == ["east", "west", "合计"]
    east = dict(zip(rows[0], rows[1], strict=True))
    assert (east["已发送"], east["满意率(CSAT)%"], east["NPS"], east["一次解决率%"]) == (
        "6", "50.0", "100.0", "40.0")
    assert dict(zip(rows[0], rows[3], strict=True))["处理时长中位数(小时)"] == "6.0"


def test_pareto_csv_uses_chinese_category_names(supervisor: TestClient) -> None:
    text = supervisor.get("/reports/export.csv?table=pareto").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["投诉类别", "次数", "占比%", "累计占比%"]
    assert rows[1] == ["时效/进度", "3", "42.86", "42.86"]
    assert rows[-1] == ["服务/维修质量", "1", "14.29", "100.0"]


def test_excel_has_both_tables(supervisor: TestClient) -> None:
    response = supervisor.get("/reports/export.xlsx?by=month")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["指标", "投诉类别帕累托"]
    metrics = [list(r) for r in workbook["指标"].iter_rows(values_only=True)]
    assert metrics[0][0] == "月"
    assert metrics[1][:4] == ["2025-03", 6, 5, 83.33]
    assert metrics[-1][0] == "合计" and metrics[-1][1] == 11
    pareto = list(workbook["投诉类别帕累托"].iter_rows(values_only=True))
    assert pareto[1] == ("时效/进度", 3, 42.86, 42.86)


def test_unknown_export_format_is_404(supervisor: TestClient) -> None:
    assert supervisor.get("/reports/export.pdf").status_code == 404
    assert supervisor.get("/reports/export.csv?table=secrets").status_code == 404


def test_cli_report_prints_tables_and_exports(console_db_url: str, report_dataset: Dataset,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app = typer.Typer()
    app.command()(report)  # registered the way the lead registers it into `huifang`
    monkeypatch.setattr(common.console, "width", 250)  # 15 columns need a wide terminal
    target = tmp_path / "weekly.xlsx"
    with cli_database(console_db_url):
        result = CliRunner().invoke(app, ["--by", "branch", "--since", "2025-03-01",
                                          "--export", str(target)])
        bad = CliRunner().invoke(app, ["--export", str(tmp_path / "x.pdf")])
    assert result.exit_code == 0, result.output
    assert "east" in result.output and "合计" in result.output and "时效/进度" in result.output
    sheet = load_workbook(target)["指标"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "east", "west", "合计"]
    assert bad.exit_code == 2
