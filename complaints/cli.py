"""`huifang classify`: one JSON line in (`{"text": ...}`), one JSON line out, in input order.

A line that is not JSON, not an object, or has no non-empty string "text" gets an error line
`{"line": n, "error": "..."}` instead of a result, so output line n always answers input line n.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console

from complaints import evaluation
from complaints.pipeline import (
    BATCH_SIZE,
    InvalidText,
    ModelMissing,
    checked_text,
    load,
)
from huifang.app import nlu_evaluation
from huifang.app.nlu_evaluation import NluEvaluationFailed


def _parse(line: str) -> str:
    if not line.strip():
        raise InvalidText("empty line")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidText(f"not JSON: {exc.msg}") from exc
    if not isinstance(row, dict) or "text" not in row:
        raise InvalidText('expected an object with a "text" field')
    return checked_text(row["text"])


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(lines)
    while batch := list(islice(iterator, size)):
        yield batch


def classify_lines(lines: Iterable[str], out: TextIO, threshold: float | None = None,
                   batch_size: int = BATCH_SIZE) -> int:
    """Classify JSON lines in batches; returns how many lines got an error line."""
    classifier = load()
    errors = 0
    number = 0
    for batch in _batches(lines, batch_size):
        parsed: list[tuple[int, str | InvalidText]] = []
        for line in batch:
            number += 1
            try:
                parsed.append((number, _parse(line)))
            except InvalidText as exc:
                parsed.append((number, exc))
        texts = [item for _, item in parsed if isinstance(item, str)]
        results = iter(classifier.classify(texts, threshold))
        for line_number, item in parsed:
            answer: dict[str, Any]
            if isinstance(item, InvalidText):
                errors += 1
                answer = {"line": line_number, "error": str(item)}
            else:
                answer = next(results).to_json()
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
    return errors


def classify_command(
    file: Path | None = typer.Argument(
        None, metavar="[FILE]", exists=True, dir_okay=False,
        help='JSON lines, each {"text": ...} (default: standard input); with --evaluate: '
             "labelled texts"),
    evaluate: bool = typer.Option(
        False, "--evaluate", is_flag=True,
        help="FILE holds labelled texts (.jsonl, or hand-written .tsv); without FILE: the "
             "generator split, the dev sets and the independent set. Prints per-category "
             "precision/recall/F1, macro-F1, confusion tables, sentiment accuracy, "
             "negative-vs-not accuracy and high-severity recall"),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0,
        help="one probability from which every category is reported (default: the "
             "per-category thresholds stored with the model)"),
    agreement: bool = typer.Option(
        False, "--agreement", is_flag=True,
        help="with --evaluate: also score a second annotator's blind labels of dev texts "
             "against the first, as a model would be scored (the ceiling to hold it to)"),
    nlu: bool = typer.Option(
        False, "--nlu", is_flag=True, help="with --evaluate: also print the Rasa model's intent accuracy and "
                             "macro-F1 on the held-out and the independent NLU files"),
) -> None:
    """Classify complaint texts: categories, sentiment, severity (high/medium/low)."""
    try:
        if evaluate:
            console = Console(width=200)  # tables stay whole
            if file is None:
                evaluation.render_standard_sets(console, threshold)
            else:
                evaluation.render(evaluation.evaluate_file(file, threshold), console, str(file))
            if agreement:
                evaluation.render_agreement(console)
            if nlu:
                nlu_evaluation.render(nlu_evaluation.evaluate_all(), Console())
            return
        if file is None:
            # Interactive use answers each line at once; piped input is read in batches.
            classify_lines(sys.stdin, sys.stdout, threshold, 1 if sys.stdin.isatty() else 64)
        else:
            with file.open(encoding="utf-8") as handle:
                classify_lines(handle, sys.stdout, threshold)
    except (ModelMissing, ValueError, NluEvaluationFailed) as exc:  # no model; unreadable file
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


if __name__ == "__main__":
    typer.run(classify_command)
