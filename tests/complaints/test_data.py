"""The labelled data: format, size, reproducibility, and a test split that shares no sentence
with train."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from complaints.dataset import read_labelled
from complaints.labels import CATEGORIES
from complaints.training import DATA_DIR

SPLITS = ("train", "dev", "test")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", DATA_DIR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_splits_are_large_enough_and_cover_every_label() -> None:
    sizes = {split: len(read_labelled(DATA_DIR / f"{split}.jsonl")) for split in SPLITS}
    assert sum(sizes.values()) >= 2000
    test = read_labelled(DATA_DIR / "test.jsonl")
    for code in CATEGORIES:
        assert sum(code in item.categories for item in test) >= 30, code
    assert {item.sentiment for item in test} == {"negative", "neutral", "positive"}
    assert {item.severity for item in test} == {"high", "medium", "low"}


def test_lengths_range_from_one_liners_to_paragraphs() -> None:
    lengths = [len(item.text) for item in read_labelled(DATA_DIR / "train.jsonl")]
    assert min(lengths) <= 4 and max(lengths) >= 60


def test_test_split_shares_no_sentence_with_train(generator: ModuleType) -> None:
    train = set().union(*(generator.sentences(i.text)
                          for i in read_labelled(DATA_DIR / "train.jsonl")))
    shared = [i.text for i in read_labelled(DATA_DIR / "test.jsonl")
              if generator.sentences(i.text) & train]
    assert shared == []


def test_sentence_normalisation(generator: ModuleType) -> None:
    assert generator.sentences("師傅很好！就是太貴了。 价格, 有点高...") == {
        "师傅很好", "就是太贵了", "价格有点高"}


def test_committed_files_are_the_generators_output(generator: ModuleType, tmp_path: Path
                                                   ) -> None:
    generator.main(tmp_path)
    for split in SPLITS:
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (
            DATA_DIR / f"{split}.jsonl").read_bytes(), split
