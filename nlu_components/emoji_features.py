"""Rasa NLU component: features for emoji from their Unicode names.

A customer may answer a rating question with any emoji, and the word and character
featurizers know only the ones seen in training: an unseen emoji gives the classifier nothing
to go on, so the message falls back. Every emoji has a Unicode name ("POUTING FACE",
"SMILING FACE WITH HEART-SHAPED EYES", "THUMBS UP SIGN"); this component maps the words of
that name to a few fixed groups (a smile, a frown, a neutral face, thumbs up, …) and gives each
token one feature per group it shows, so 😣 shares a feature with the 😞 the model learnt.
The groups are fixed here (nothing is learnt or stored), which keeps the feature width the same
for training and prediction. Runs inside the Rasa virtualenv (Python 3.10).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.each_message import EachMessage

# group → words of Unicode emoji names that put an emoji in it (matched as whole words or
# phrases of the upper-case name). An emoji can be in several groups (😍: smile, heart).
EMOJI_GROUPS: Dict[str, Tuple[str, ...]] = {
    "smile": ("SMILING", "GRINNING", "BEAMING", "STAR-STRUCK", "HUGGING", "KISSING", "PARTYING",
              "HEART-SHAPED EYES"),
    "laugh": ("TEARS OF JOY", "LAUGHING", "ROLLING ON THE FLOOR"),
    "frown": ("ANGRY", "POUTING", "FROWNING", "DISAPPOINTED", "PERSEVERING", "CONFOUNDED",
              "WEARY", "TIRED", "UNAMUSED", "ROLLING EYES", "VOMITING", "NAUSEATED",
              "STEAM FROM NOSE", "SYMBOLS ON MOUTH",
              "SYMBOLS COVERING MOUTH", "ANGER", "WORRIED", "PENSIVE",
              "CONFUSED", "ANGUISHED", "DOWNCAST", "PILE OF POO", "BROKEN HEART",
              "EYEBROW RAISED", "LOOK OF TRIUMPH", "COLD SWEAT"),
    "cry": ("CRYING", "TEAR"),
    "neutral": ("NEUTRAL", "EXPRESSIONLESS", "WITHOUT MOUTH", "THINKING", "DIAGONAL MOUTH",
                "GRIMACING", "ZIPPER-MOUTH"),
    "heart": ("HEART",),
    "thumbs_up": ("THUMBS UP",),
    "thumbs_down": ("THUMBS DOWN",),
    "applause": ("CLAPPING", "FLEXED BICEPS", "RAISING BOTH HANDS", "TROPHY", "MEDAL"),
    "star": ("STAR", "HUNDRED POINTS"),
    "ok": ("OK HAND", "SQUARED OK", "CHECK MARK", "BALLOT BOX WITH CHECK"),
    "cross": ("CROSS MARK", "NEGATIVE SQUARED CROSS", "NO ENTRY", "PROHIBITED"),
    "pray": ("FOLDED HANDS",),
    "wave": ("WAVING HAND",),
}
GROUPS = tuple(EMOJI_GROUPS)
# any pictograph at all (animals, food, …): 🐶🍉 are emoji too, but judge nothing
ANY_EMOJI = len(GROUPS)
WIDTH = len(GROUPS) + 1


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" and ord(char) >= 0x2190


def emoji_groups(char: str) -> List[int]:
    """Indexes of the features an emoji character lights; [] for anything else (a letter, a
    digit, a skin-tone modifier or variation selector, which only change how it looks)."""
    if not _is_emoji(char):
        return []
    name = f" {unicodedata.name(char, '')} "
    found = [i for i, group in enumerate(GROUPS)
             if any(f" {word} " in name or f" {word}-" in name or f"-{word} " in name
                    for word in EMOJI_GROUPS[group])]
    return found + [ANY_EMOJI]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class EmojiFeaturizer(EachMessage, SparseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config()}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmojiFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def _apply(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT], [])
        if not message.get(TEXT) or not tokens:
            return
        sequence = np.zeros([len(tokens), WIDTH])
        for row, token in enumerate(tokens):
            for char in token.text:
                sequence[row, emoji_groups(char)] = 1.0
        sentence = sequence.max(axis=0, keepdims=True)
        self.add_features_to_message(scipy.sparse.coo_matrix(sequence),
                                     scipy.sparse.coo_matrix(sentence), TEXT, message)
