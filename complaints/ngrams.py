"""A bag of word n-grams *and* character n-grams, as a linear text classifier for spaCy.

spaCy's TextCatBOW sees only whole tokens. Chinese complaints say the same thing with many
word forms that jieba segments differently (贵得离谱 / 太贵了 / 收费贵), and customers write
phrasings no training text had; character n-grams (贵, 收费, 不耐烦) carry over where the words
do not. Same structure as spacy.TextCatBOW.v3 (hashed sparse linear layer), more keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
from spacy.attrs import ORTH
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, softmax_activation, with_cpu
from thinc.types import Floats2d

Keys = tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]
CHAR_OFFSET = numpy.uint64(1 << 40)  # keeps character keys clear of the 64-bit word hashes
CACHE_KEY = "complaints.word_char_ngrams"


def extract_word_char_ngrams(word_ngram_size: int, char_ngram_size: int
                             ) -> Model[list[Doc], Keys]:
    return Model("extract_word_char_ngrams", _forward,
                 attrs={"word_ngram_size": word_ngram_size, "char_ngram_size": char_ngram_size})


def _forward(model: Model[list[Doc], Keys], docs: list[Doc], is_train: bool
             ) -> tuple[Keys, Callable[[Floats2d], list[Doc]]]:
    ops = model.ops
    sizes = (model.attrs["word_ngram_size"], model.attrs["char_ngram_size"])
    batch_keys, batch_values = [], []
    for doc in docs:
        # The three heads read the same n-grams: computed once per Doc, kept in user_data.
        cached = doc.user_data.get((CACHE_KEY, *sizes))
        if cached is None:
            cached = doc.user_data[(CACHE_KEY, *sizes)] = _ngram_counts(ops, doc, *sizes)
        batch_keys.append(cached[0])
        batch_values.append(cached[1])
    lengths = ops.asarray([len(keys) for keys in batch_keys], dtype="int32")
    out = (numpy.concatenate(batch_keys), ops.asarray(numpy.concatenate(batch_values),
                                                      dtype="f"), lengths)
    return out, lambda d_scores: []


def _ngram_counts(ops: Any, doc: Doc, word_ngram_size: int, char_ngram_size: int
                  ) -> tuple[numpy.ndarray, numpy.ndarray]:
    words = ops.asarray(doc.to_array([ORTH]))
    chars = numpy.fromiter((ord(c) for c in doc.text if not c.isspace()),
                           dtype="uint64") + CHAR_OFFSET
    grams = [words, chars]
    grams += [ops.ngrams(n, words) for n in range(2, word_ngram_size + 1)]
    grams += [ops.ngrams(n, chars) for n in range(2, char_ngram_size + 1)]
    keys, values = numpy.unique(numpy.concatenate(grams), return_counts=True)
    return keys, values


@registry.architectures("complaints.WordCharBOW.v1")
def build_word_char_bow(exclusive_classes: bool, word_ngram_size: int, char_ngram_size: int,
                        length: int = 262144, nO: int | None = None
                        ) -> Model[list[Doc], Floats2d]:
    sparse_linear = SparseLinear_v2(nO=nO, length=2 ** (length - 1).bit_length())
    features = chain(extract_word_char_ngrams(word_ngram_size, char_ngram_size), sparse_linear)
    output = softmax_activation() if exclusive_classes else Logistic()
    model = chain(with_cpu(features, features.ops), with_cpu(output, output.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    return model
