"""The part of Rasa's message-component protocol that every component here shares: training
examples and incoming messages go through the same per-message step."""

from __future__ import annotations

from typing import List

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
