from __future__ import annotations

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from complaints.cli import classify_command, classify_lines
from complaints.evaluation import SECOND_ANNOTATIONS, STANDARD_SETS
from complaints.pipeline import ComplaintClassifier
from complaints.training import DEV_FILE
from huifang.settings import PROJECT_ROOT

LINES = [
    '{"text": "师傅很专业就是太贵了"}',
    '{"text": ""}',
    '{"text": 42}',
    "not json",
    '{"comment": "no text"}',
    "",
    '{"text": "師傅態度很好，謝謝"}',
    '["太贵了"]',
    '{"text": "刹车失灵了，我要找律师"}',
]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(classify_command)
    return app


def test_one_output_line_per_input_line_with_error_lines(classifier: ComplaintClassifier
                                                         ) -> None:
    result = CliRunner().invoke(_app(), [], input="\n".join(LINES) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(LINES)
    errors = {row["line"]: row["error"] for row in out if "error" in row}
    assert set(errors) == {2, 3, 4, 5, 6, 8}
    assert errors[2] == "text is empty" and "string" in errors[3]
    answers = [row for row in out if "error" not in row]
    assert [a["text"] for a in answers] == ["师傅很专业就是太贵了", "師傅態度很好，謝謝",
                                            "刹车失灵了，我要找律师"]
    assert answers[0]["categories"] == ["price"] and answers[0]["sentiment"] == "mixed"
    assert answers[2]["severity"] == "high"
    assert set(answers[1]) >= {"text", "categories", "scores", "sentiment", "severity"}


def test_batches_keep_the_order(classifier: ComplaintClassifier) -> None:
    import io

    out = io.StringIO()
    errors = classify_lines(LINES * 3, out, batch_size=4)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert errors == 18 and len(rows) == 27
    assert [r.get("line") for r in rows if "error" in r][:6] == [2, 3, 4, 5, 6, 8]
    assert [r["text"] for r in rows if "text" in r][3] == "师傅很专业就是太贵了"


def test_threshold_option(classifier: ComplaintClassifier) -> None:
    result = CliRunner().invoke(_app(), ["--threshold", "0"], input=LINES[0] + "\n")
    assert len(json.loads(result.stdout)["categories"]) == 9


def test_evaluate_prints_the_scores(classifier: ComplaintClassifier) -> None:
    result = CliRunner().invoke(_app(), ["--evaluate", str(DEV_FILE)])
    assert result.exit_code == 0, result.output
    for expected in ("attitude", "precision", "macro-F1", "sentiment accuracy",
                     "negative-vs-not accuracy", "sentiment confusion", "category confusion",
                     "high-severity recall"):
        assert expected in result.stdout


def test_evaluate_without_a_file_reports_every_standard_set(classifier: ComplaintClassifier
                                                            ) -> None:
    result = CliRunner().invoke(_app(), ["--evaluate"])
    assert result.exit_code == 0, result.output
    for title, _ in STANDARD_SETS:
        assert title in result.stdout
    assert result.stdout.count("macro-F1 (categories)") >= 4  # generator split and dev sets


def test_evaluate_with_agreement_scores_the_second_annotator(classifier: ComplaintClassifier
                                                              ) -> None:
    result = CliRunner().invoke(_app(), ["--evaluate", str(DEV_FILE), "--agreement"])
    assert result.exit_code == 0, result.output
    for title, _, _ in SECOND_ANNOTATIONS:
        assert f"{title}: second annotator against" in result.stdout
    assert result.stdout.count("macro-F1 (categories)") == 1 + len(SECOND_ANNOTATIONS)


def test_module_entry_point_reads_a_file(classifier: ComplaintClassifier, tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "等了三个小时"}\n{"text": "  "}\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "complaints.cli", str(source)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["categories"] == ["timeliness"]
    assert second == {"line": 2, "error": "text is empty"}
