"""Rasa NLU component: convert Traditional Chinese to Simplified before tokenizing.

Runs inside the Rasa virtualenv (Python 3.10). Placed first in the pipeline so that the
tokenizer, featurizers and classifiers only ever see one script; training data in Traditional
is converted the same way.

This is the one OpenCC converter outside huifang/script.py, and on purpose: the Rasa virtualenv
cannot import the app's package (other Python, other dependencies), so the component keeps its
own copy of the same t2s conversion.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from opencc import OpenCC
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.each_message import EachMessage


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class TraditionalToSimplified(EachMessage, GraphComponent):
    def __init__(self) -> None:
        self._converter = OpenCC("t2s")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TraditionalToSimplified":
        return cls()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def _apply(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if text:
            message.set(TEXT, self._converter.convert(text))
