"""Rasa NLU component: convert Traditional Chinese to Simplified, and full-width digits and
Latin letters to ASCII (１０分 → 10分, ＯＫ → OK), before tokenizing.

Runs inside the Rasa virtualenv (Python 3.10). Placed first in the pipeline so that the
tokenizer, featurizers and classifiers only ever see one script and one width of digits;
training data is converted the same way. Both steps map one character to one character, so
entity offsets stay valid. Full-width punctuation (，。！) is left alone: it is what Chinese
text is written with.

This is the one OpenCC converter outside huifang/script.py, and on purpose: the Rasa virtualenv
cannot import the app's package (other Python, other dependencies), so the component keeps its
own copy of the same t2s conversion.
"""

from __future__ import annotations

from typing import Optional

from opencc import OpenCC
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.each_message import EachMessage, WithoutConfig

# Full-width ０-９, Ａ-Ｚ and ａ-ｚ sit 0xFEE0 above their ASCII twins.
_FULL_WIDTH_ALNUM = {code: code - 0xFEE0 for start, end in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"))
                     for code in range(ord(start), ord(end) + 1)}


def to_half_width(text: str) -> str:
    """`text` with full-width digits and Latin letters in ASCII; everything else as is."""
    return text.translate(_FULL_WIDTH_ALNUM)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class TraditionalToSimplified(EachMessage, WithoutConfig, GraphComponent):
    def __init__(self) -> None:
        self._converter = OpenCC("t2s")

    def _apply(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if text:
            message.set(TEXT, to_half_width(self._converter.convert(text)))
