"""The NLU pipeline's first step (nlu_components/traditional_to_simplified.py), run in the Rasa
virtualenv where the component lives: one script and one width of digits before tokenizing."""

from __future__ import annotations

import json

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from nlu_components.traditional_to_simplified import TraditionalToSimplified
component = TraditionalToSimplified()
messages = [Message(data={"text": text}) for text in json.loads(sys.argv[1])]
component.process(messages)
print(json.dumps([message.get("text") for message in messages], ensure_ascii=False))
"""

_TEXTS = ["１０分", "５", "給９分，師傅很專業", "ＯＫ", "ｔｄ", "３分吧！", "还行，８８",
          "已經修好了，多謝", "5分"]


@pytest.fixture(scope="module")
def converted() -> dict[str, str]:
    """Each of _TEXTS → the text the tokenizer sees (one Rasa-venv process: importing Rasa is
    slow)."""
    return dict(zip(_TEXTS, run_in_rasa_venv(_PROBE, json.dumps(_TEXTS), timeout=120)))


def test_full_width_digits_and_letters_become_ascii(converted: dict[str, str]) -> None:
    assert converted["１０分"] == "10分"
    assert converted["５"] == "5"
    assert converted["ＯＫ"] == "OK" and converted["ｔｄ"] == "td"
    assert converted["还行，８８"] == "还行，88"


def test_traditional_becomes_simplified_in_the_same_step(converted: dict[str, str]) -> None:
    assert converted["給９分，師傅很專業"] == "给9分，师傅很专业"
    assert converted["已經修好了，多謝"] == "已经修好了，多谢"


def test_chinese_punctuation_and_ascii_stay_as_they_are(converted: dict[str, str]) -> None:
    assert converted["３分吧！"] == "3分吧！"
    assert converted["5分"] == "5分"
