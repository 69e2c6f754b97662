"""Rasa NLU component: a message that is typed Rasa intent syntax (`／opt_out`,
`／inform_score{"score":"1"}` — the channel already made its slash full-width, huifang/
plain_text.py) is read as `nlu_fallback` with no entities, whatever DIET made of its words.

Without it, DIET read the English intent name inside the text: a typed `/opt_out` opted the
customer out, and the digit of a typed score was tagged as a score. Typed syntax is someone
trying commands, not a customer answering; the fallback gets the polite "not understood" reply
of the open question. Last in the pipeline, after FallbackClassifier.
"""

from __future__ import annotations

from typing import List

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from huifang.plain_text import is_typed_intent  # standard library only: loads in this venv
from nlu_components.each_message import WithoutConfig


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class TypedIntentIsNoIntent(WithoutConfig, GraphComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_typed_intent(message.get(TEXT) or ""):
                fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                            PREDICTED_CONFIDENCE_KEY: 1.0}
                message.data[INTENT] = fallback
                message.data[INTENT_RANKING_KEY] = [fallback]
                message.data[ENTITIES] = []
        return messages
