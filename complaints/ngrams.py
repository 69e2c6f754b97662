"""A bag of word n-grams, character n-grams and cue features, as a linear text classifier for
spaCy, and the fast way to score texts and their clauses with it.

spaCy's TextCatBOW sees only whole tokens. Chinese complaints say the same thing with many
word forms that jieba segments differently (贵得离谱 / 太贵了 / 收费贵), and customers write
phrasings no training text had; character n-grams (贵, 收费, 不耐烦) carry over where the words
do not. The cue features (complaints.cues) add, per clause, which aspects it names and whether
it praises or blames. Same structure as spacy.TextCatBOW.v3 (hashed sparse linear layer), more
keys. A key that occurs twice is passed twice with value 1, which the linear layer sums exactly
as it would a count of 2 (no numpy.unique per text: it cost more than the rest together).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy
from spacy.attrs import IDX, ORTH
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    Logistic,
    Model,
    NumpyOps,
    SparseLinear_v2,
    chain,
    softmax_activation,
    with_cpu,
)
from thinc.types import Floats2d

from complaints.clauses import clause_bounds
from complaints.cues import cue_keys

Keys = tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]
CHAR_OFFSET = numpy.uint64(1 << 40)  # keeps character keys clear of the 64-bit word hashes
CACHE_KEY = "complaints.keys"
WORD_NGRAMS = 2
CHAR_NGRAMS = 3
_ops = NumpyOps()


def _ngram_keys(words: numpy.ndarray, text: str) -> numpy.ndarray:
    chars = numpy.frombuffer("".join(text.split()).encode("utf-32-le"),
                             dtype=numpy.uint32).astype(numpy.uint64) + CHAR_OFFSET
    grams = [words, chars]
    # thinc's ngrams() reads past the end of an array shorter than n: a clause cut inside a
    # word ("0.6" at its full stop) has characters but no word of its own
    grams += [_ops.ngrams(n, words) for n in range(2, WORD_NGRAMS + 1) if len(words) >= n]
    grams += [_ops.ngrams(n, chars) for n in range(2, CHAR_NGRAMS + 1) if len(chars) >= n]
    return numpy.concatenate(grams)


@dataclass(frozen=True)
class TextKeys:
    """The feature keys of a whole text and of each of its clauses (none for a one-clause
    text)."""

    text: numpy.ndarray
    clauses: list[numpy.ndarray]


def text_keys(doc: Doc) -> TextKeys:
    words, starts = doc.to_array([ORTH, IDX]).T
    words = words.astype(numpy.uint64)
    bounds = clause_bounds(doc.text, set(starts.tolist()))
    clause_cues, clauses = [], []
    for start, end in bounds:
        span_text = doc.text[start:end]
        cues = numpy.asarray(cue_keys(span_text), dtype=numpy.uint64)
        clause_cues.append(cues)
        if len(bounds) > 1:
            first, last = numpy.searchsorted(starts, (start, end))
            clauses.append(numpy.concatenate([_ngram_keys(words[first:last], span_text), cues]))
    whole = numpy.concatenate([_ngram_keys(words, doc.text), *clause_cues])
    return TextKeys(whole, clauses)


def _batch(keys: Sequence[numpy.ndarray]) -> Keys:
    flat = numpy.concatenate(keys) if keys else numpy.zeros((0,), dtype=numpy.uint64)
    return (flat, numpy.ones(len(flat), dtype="f"),
            numpy.asarray([len(k) for k in keys], dtype="int32"))


def extract_keys() -> Model[list[Doc], Keys]:
    return Model("extract_word_char_cue_keys", _forward)


def _forward(model: Model[list[Doc], Keys], docs: list[Doc], is_train: bool
             ) -> tuple[Keys, Callable[[Floats2d], list[Doc]]]:
    keys = []
    for doc in docs:
        # In training the three heads read the same Doc: its keys are computed once.
        if CACHE_KEY not in doc.user_data:
            doc.user_data[CACHE_KEY] = text_keys(doc).text
        keys.append(doc.user_data[CACHE_KEY])
    return _batch(keys), lambda d_scores: []


def predict(model: Model[list[Doc], Floats2d], keys: Sequence[numpy.ndarray]) -> Floats2d:
    """The head's probabilities for pre-computed keys (one row per entry of keys)."""
    linear = model.get_ref("output_layer")
    scores = linear.predict(_batch(keys))
    if model.attrs["multi_label"]:
        return 1.0 / (1.0 + numpy.exp(-scores))
    scores = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


@registry.architectures("complaints.WordCharCueBOW.v1")
def build_word_char_cue_bow(exclusive_classes: bool, length: int = 262144,
                            nO: int | None = None) -> Model[list[Doc], Floats2d]:
    sparse_linear = SparseLinear_v2(nO=nO, length=2 ** (length - 1).bit_length())
    features = chain(extract_keys(), sparse_linear)
    output = softmax_activation() if exclusive_classes else Logistic()
    model = chain(with_cpu(features, features.ops), with_cpu(output, output.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    return model
