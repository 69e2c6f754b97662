"""jieba word segmentation as a spaCy tokenizer, with the project's domain dictionaries.

At training time the user dictionary is read from every `*.txt` in data/dict/ (the same files
the Rasa NLU uses); the words are saved with the model, so a loaded model segments exactly as
it did in training even if data/dict/ changed since (the build notices that and retrains).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jieba
import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import DummyTokenizer, get_words_and_spaces, registry
from spacy.vocab import Vocab

from huifang.settings import PROJECT_ROOT

DICT_DIR = PROJECT_ROOT / "data" / "dict"
UserWord = tuple[str, int | None, str | None]

jieba.setLogLevel(logging.WARNING)


def read_user_dict(directory: Path = DICT_DIR) -> list[UserWord]:
    """Lines `word [freq] [tag]` (jieba's format) from every *.txt, in file-name order."""
    words: list[UserWord] = []
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
            words.append((parts[0], freq, tag))
    return words


class JiebaTokenizer(DummyTokenizer):
    def __init__(self, vocab: Vocab, user_words: Iterable[UserWord]) -> None:
        self.vocab = vocab
        self.user_words = list(user_words)
        self._segmenter: jieba.Tokenizer | None = None

    @property
    def segmenter(self) -> jieba.Tokenizer:
        # Built on first use: loading jieba's main dictionary takes about a second, and
        # from_disk replaces the user words right after construction.
        if self._segmenter is None:
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            for word, freq, tag in self.user_words:
                segmenter.add_word(word, freq, tag)
            self._segmenter = segmenter
        return self._segmenter

    def __call__(self, text: str) -> Doc:
        words = [word for word in self.segmenter.cut(text, HMM=True) if word]
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    def to_bytes(self, **kwargs: Any) -> bytes:
        return srsly.json_dumps({"user_words": self.user_words}).encode("utf-8")

    def from_bytes(self, data: bytes, **kwargs: Any) -> JiebaTokenizer:
        self.user_words = [(w, f, t) for w, f, t in srsly.json_loads(data)["user_words"]]
        self._segmenter = None
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "user_words.json").write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, **kwargs: Any) -> JiebaTokenizer:
        return self.from_bytes((Path(path) / "user_words.json").read_bytes())


@registry.tokenizers("huifang.jieba_tokenizer.v1")
def create_jieba_tokenizer() -> Callable[[Language], JiebaTokenizer]:
    def create(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab, read_user_dict())

    return create
