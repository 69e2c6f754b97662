"""Several training runs of the same linear heads folded into one model.

Each head is a linear layer over hashed feature keys followed by a sigmoid or softmax, so the
average of the runs' weights and biases gives exactly the average of their scores (logits):
an ensemble of the runs that costs nothing at run time. Runs that differ only in their seed
disagree on close calls (docs/classifier.md: high-severity recall moved with the seed); their
average is steadier than any one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy
from spacy.language import Language

from complaints.scoring import HEADS


def average_heads(runs: Sequence[Language]) -> Language:
    """The first run, its heads' parameters replaced by the mean over all runs (in place)."""
    if not runs:
        raise ValueError("no training run to average")
    for head in HEADS:
        nodes = [run.get_pipe(head).model.walk() for run in runs]
        for layers in zip(*nodes, strict=True):
            for name in layers[0].param_names:
                if layers[0].has_param(name):
                    layers[0].set_param(
                        name, numpy.mean([layer.get_param(name) for layer in layers], axis=0))
    return runs[0]
