"""A message's sparse features are joined in one stack (huifang/app/rasa_feature_combination.py)
into the same matrix Rasa's own pairwise stacking makes, entry for entry and type for type,
and the trained model reads every text the same with it: run in the Rasa virtualenv."""

from __future__ import annotations

import pytest

from huifang.app.model_build import RASA_MODEL
from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_RANDOM_PARTS = """
import json
import numpy as np
from scipy.sparse import coo_matrix, random as sparse_random
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from huifang.app.rasa_feature_combination import combine_sparse_features_in_one_stack

rng = np.random.default_rng(13)
cases = []
for n in range(300):
    rows = int(rng.integers(1, 12))
    parts = []
    for k in range(int(rng.integers(2, 5))):
        dtype = [np.float64, np.float32, np.int64][int(rng.integers(0, 3))]
        density = [0.0, 0.05, 0.3, 1.0][int(rng.integers(0, 4))]
        matrix = sparse_random(rows, int(rng.integers(1, 3000)), density=density, format="coo",
                               random_state=int(rng.integers(0, 10**6)))
        parts.append(coo_matrix(matrix, dtype=dtype))
    cases.append([Features(p, "sequence", "text", f"featurizer-{k}")
                  for k, p in enumerate(parts)])

def described(features):
    m = features.features
    return [type(m).__name__, list(m.shape), str(m.dtype), str(m.row.dtype), str(m.col.dtype),
            m.row.tolist(), m.col.tolist(), m.data.tolist(), features.type, features.attribute,
            features.origin]

def outcome(call):
    try:
        return described(call())
    except ValueError as error:
        return "ValueError: " + str(error)

names = ["regex", "emoji", "words", "chars"]
rasas = [described(Message._combine_features(c, names)) for c in cases]
dense = [Features(np.ones((3, 4)), "sequence", "text", "d"),
         Features(np.zeros((3, 2)), "sequence", "text", "e")]
uneven = [Features(coo_matrix(np.eye(3)), "sequence", "text", "a"),
          Features(coo_matrix(np.eye(4)), "sequence", "text", "b")]
csr = [Features(coo_matrix(np.eye(3)).tocsr(), "sentence", "text", "a"),
       Features(coo_matrix(np.ones((3, 2))), "sentence", "text", "b")]
single = [Features(coo_matrix(np.eye(2)), "sentence", "text", "a")]
def others():
    return [Message._combine_features(dense, names).features.tolist(),
            outcome(lambda: Message._combine_features(uneven, names)),
            Message._combine_features(csr, names).features.toarray().tolist(),
            described(Message._combine_features(single, names))]
rasas_others = others()
combine_sparse_features_in_one_stack()
ours = [described(Message._combine_features(c, names)) for c in cases]
first_unchanged = [described(c[0]) for c in cases]
print(json.dumps({"same": rasas == ours, "cases": len(cases),
                  "nonempty": sum(1 for r in rasas if r[5]),
                  "others": rasas_others == others(), "uneven": rasas_others[1],
                  "first_unchanged": all(f[0] == "coo_matrix" for f in first_unchanged)}))
"""

_REAL_MODEL = """
import asyncio, json, sys
from rasa.core.agent import Agent
from huifang.app.rasa_feature_combination import combine_sparse_features_in_one_stack

texts = json.loads(sys.argv[2])
agent = Agent.load(sys.argv[1])

async def read_all():
    return [await agent.parse_message(text) for text in texts]

def reading(parsed):
    return [parsed["intent"]["name"], parsed["intent"]["confidence"],
            [[e["entity"], e["value"]] for e in parsed.get("entities", [])],
            [[r["name"], r["confidence"]] for r in parsed.get("intent_ranking", [])]]

rasas = [reading(p) for p in asyncio.run(read_all())]
combine_sparse_features_in_one_stack()
ours = [reading(p) for p in asyncio.run(read_all())]
print(json.dumps({"rasas": rasas, "ours": ours}))
"""

TEXTS = ["非常满意，师傅很准时", "5分", "还没解决，又坏了", "我要投诉你们", "唔该晒，搞掂咗",
         "沒有解決，我要打去消基會", "😡😡", "<img src=x onerror=alert(1)>", "退订", "10",
         "等了两个小时，收费也不透明", "call me later", "您好，请问你们是谁？", "4"]


def test_joined_in_one_stack_is_the_same_matrix_as_rasas() -> None:
    answers = run_in_rasa_venv(_RANDOM_PARTS)
    assert answers["cases"] == 300 and answers["nonempty"] > 200
    assert answers["same"]
    assert answers["others"]  # dense, other formats, a single part: Rasa's own way
    assert answers["uneven"].startswith("ValueError: Cannot combine sparse features")
    assert answers["first_unchanged"]


def test_the_trained_model_reads_every_text_the_same() -> None:
    import json

    answers = run_in_rasa_venv(_REAL_MODEL, str(RASA_MODEL), json.dumps(TEXTS), timeout=300)
    assert len(answers["rasas"]) == len(TEXTS)
    assert answers["ours"] == answers["rasas"]
