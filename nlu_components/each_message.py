"""The parts of Rasa's component protocol that the components here share: training examples
and incoming messages going through the same per-message step, and creation without
settings."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class EachMessage:
    def _apply(self, message: Message) -> None:
        raise NotImplementedError

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._apply(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._apply(message)
        return messages


class WithoutConfig:
    """A component with no settings of its own: created as `cls()`."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        return cls()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}
