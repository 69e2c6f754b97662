"""The labelled data: format, size, label rules, reproducibility, a generator test split that
shares no sentence with train, dev sets that share no text (nor a near copy) with train, and
hand-written text that outweighs template text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from complaints.dataset import read_labelled
from complaints.labels import CATEGORIES, COMPLAINING, SENTIMENTS, SEVERITIES
from huifang.script import to_simplified
from complaints.training import (
    DATA_DIR,
    DEV_FILES,
    GENERATOR_TEST,
    GENERATOR_TRAIN,
    HANDWRITTEN_DIR,
    HANDWRITTEN_TRAIN,
    TRAIN_FILES,
    dev_items,
    normalised,
    train_items,
)

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
    generated = len(read_labelled(GENERATOR_TRAIN))
    handwritten = sum(len(read_labelled(path)) for path in HANDWRITTEN_TRAIN)
    assert handwritten >= 2500 and generated >= 300
    assert generated < (generated + handwritten) / 4  # template text well under a third
    for path in DEV_FILES:
        dev = read_labelled(path)
        assert len(dev) >= 150 and {item.sentiment for item in dev} == set(SENTIMENTS)


def test_training_text_covers_traditional_script() -> None:
    texts = [item.text for path in HANDWRITTEN_TRAIN for item in read_labelled(path)]
    assert sum(to_simplified(text) != text for text in texts) >= 300


@pytest.mark.parametrize("path", [*TRAIN_FILES, *DEV_FILES, GENERATOR_TEST],
                         ids=lambda p: p.name)
def test_labels_follow_the_guide(path: Path) -> None:
    """docs/labeling-guide.md: categories are the complaints; praise is severity none; a
    neutral text is a suggestion (low) or a remark (none)."""
    for item in read_labelled(path):
        complaining = item.sentiment in COMPLAINING
        assert bool(item.categories) == complaining, item.text
        assert (item.severity == "none") <= (not complaining), item.text
        if item.sentiment == "positive":
            assert item.severity == "none", item.text
        if item.sentiment == "neutral":
            assert item.severity in ("low", "none"), item.text


def _bigrams(text: str) -> set[str]:
    text = normalised(text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def test_dev_sets_share_no_text_nor_a_near_copy_with_train() -> None:
    """The dev sets estimate how the classifier reads text it was not trained on: no
    training text equals a dev text, and no hand-written one is a close paraphrase of one
    (character-bigram Jaccard similarity 0.6 or more)."""
    dev = [item.text for item in dev_items()]
    assert {normalised(t) for t in dev} & {normalised(i.text) for i in train_items()} == set()
    train = [item.text for path in HANDWRITTEN_TRAIN for item in read_labelled(path)]
    dev_bigrams = [(text, _bigrams(text)) for text in dev]
    close = [(text, other) for text, grams in ((t, _bigrams(t)) for t in train)
             for other, dev_grams in dev_bigrams
             if len(grams & dev_grams) / len(grams | dev_grams) >= 0.6]
    assert close == []


def test_a_template_text_equal_to_a_dev_text_is_left_out_of_training() -> None:
    dev = {normalised(item.text) for item in dev_items()}
    every = [item for path in TRAIN_FILES for item in read_labelled(path)]
    left_out = [item.text for item in every if normalised(item.text) in dev]
    assert len(train_items()) == len(every) - len(left_out)
    assert len(left_out) <= 10  # chance hits of short phrases, not copies


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
