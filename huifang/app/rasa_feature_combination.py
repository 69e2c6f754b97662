"""Rasa joins the sparse features of a message's featurizers (regex, emoji, two count-vector
featurizers) by copying the first and stacking each next one onto it, one
`scipy.sparse.hstack` at a time: six stacks per message, each converting its blocks to COO
again and checking them, about 8 % of the Rasa server's CPU a turn (docs/performance.md).

`combine_sparse_features_in_one_stack()` (called by the launcher before Rasa starts) joins
them in one go when every part is a COO matrix of the same number of rows: the rows, shifted
columns and values laid end to end in the order scipy's `bmat` lays them, with its value and
index types, so the matrix is the same, entry for entry. Anything else (dense features, other
sparse formats, a single part, rows that differ) goes to Rasa's own method, which raises as
before. Runs in the Rasa virtualenv (Rasa, numpy and scipy only)."""

from __future__ import annotations

from typing import Any


def _stacked(parts: list[Any]) -> Any:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse._sputils import get_index_dtype, upcast

    offsets = np.cumsum([0] + [part.shape[1] for part in parts])
    shape = (parts[0].shape[0], int(offsets[-1]))
    index = get_index_dtype(maxval=max(shape))
    value = upcast(*(part.dtype for part in parts))
    data = np.concatenate([part.data.astype(value, copy=False) for part in parts])
    row = np.concatenate([part.row.astype(index, copy=False) for part in parts])
    col = np.concatenate([(part.col.astype(index, copy=False) + index(offset))
                          for part, offset in zip(parts, offsets[:-1])])
    return coo_matrix((data, (row, col)), shape=shape)


def combine_sparse_features_in_one_stack() -> None:
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import coo_matrix

    rasas_own = Message._combine_features

    def combine(features: list[Features], featurizers: list[str]) -> Features | None:
        parts = [f.features for f in features]
        if (len(parts) < 2 or any(type(part) is not coo_matrix for part in parts)
                or len({part.shape[0] for part in parts}) != 1):
            return rasas_own(features, featurizers)
        first = features[0]
        return Features(_stacked(parts), first.type, first.attribute, featurizers)

    Message._combine_features = staticmethod(combine)  # type: ignore[method-assign]
