"""The labelled data: format, size, label rules, reproducibility, a generator test split that
shares no sentence with train, and hand-written text that outweighs template text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from complaints.dataset import read_labelled
from complaints.labels import CATEGORIES, COMPLAINING, SENTIMENTS, SEVERITIES
from complaints.training import DATA_DIR, DEV_FILE, GENERATOR_TEST, HANDWRITTEN_DIR, TRAIN_FILES

GENERATED = ("train", "test")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", DATA_DIR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generator_test_split_covers_every_label() -> None:
    test = read_labelled(GENERATOR_TEST)
    assert len(test) >= 700
    for code in CATEGORIES:
        assert sum(code in item.categories for item in test) >= 30, code
    assert {item.sentiment for item in test} == set(SENTIMENTS)
    assert {item.severity for item in test} == set(SEVERITIES)


def test_hand_written_text_outweighs_template_text() -> None:
    generated, handwritten = (len(read_labelled(path)) for path in TRAIN_FILES)
    assert handwritten > generated >= 300
    dev = read_labelled(DEV_FILE)
    assert len(dev) >= 150 and {item.sentiment for item in dev} == set(SENTIMENTS)


@pytest.mark.parametrize("path", [*TRAIN_FILES, DEV_FILE, GENERATOR_TEST],
                         ids=lambda p: p.name)
def test_labels_follow_the_rules(path: Path) -> None:
    for item in read_labelled(path):
        complaining = item.sentiment in COMPLAINING
        assert bool(item.categories) == complaining, item.text  # categories = complaints
        assert (item.severity == "none") <= (not complaining), item.text


def test_dev_shares_no_text_with_train_or_the_generator_test(generator: ModuleType) -> None:
    dev = {sentence for item in read_labelled(DEV_FILE)
           for sentence in generator.sentences(item.text)}
    train = {s for path in TRAIN_FILES for item in read_labelled(path)
             for s in generator.sentences(item.text)}
    assert dev & train == set()


def test_lengths_range_from_one_liners_to_paragraphs() -> None:
    lengths = [len(item.text) for path in TRAIN_FILES for item in read_labelled(path)]
    assert min(lengths) <= 4 and max(lengths) >= 100


def test_generator_test_split_shares_no_sentence_with_train(generator: ModuleType) -> None:
    train = set().union(*(generator.sentences(i.text)
                          for i in read_labelled(DATA_DIR / "train.jsonl")))
    shared = [i.text for i in read_labelled(GENERATOR_TEST)
              if generator.sentences(i.text) & train]
    assert shared == []


def test_sentence_normalisation(generator: ModuleType) -> None:
    assert generator.sentences("師傅很好！就是太貴了。 价格, 有点高...") == {
        "师傅很好", "就是太贵了", "价格有点高"}


def test_committed_files_are_the_generators_output(generator: ModuleType, tmp_path: Path
                                                   ) -> None:
    generator.main(tmp_path)
    for split in GENERATED:
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (
            DATA_DIR / f"{split}.jsonl").read_bytes(), split
    assert not list(tmp_path.glob("*.tsv"))  # hand-written files are not generated
    assert HANDWRITTEN_DIR.is_dir()
