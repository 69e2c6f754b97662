"""The customer's overall score reaches the complaint classifier: the action server knows it
once the customer rated, and the classifier weighs it as evidence about the sentiment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import complaint_classification
from actions.survey_form import ValidateSurveyForm
from complaints.pipeline import Result


class RecordingClassifier:
    """Stands in for complaints.classify: records the scores it is given."""

    def __init__(self) -> None:
        self.overall: list[int | None] = []

    def __call__(self, texts: Sequence[str], threshold: float | None = None,
                 overall: Sequence[int | None] | None = None) -> list[Result]:
        self.overall += list(overall) if overall is not None else [None] * len(texts)
        return [Result(text, ["timeliness"], {"timeliness": 0.9}, "negative", "medium")
                for text in texts]


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingClassifier:
    classifier = RecordingClassifier()
    monkeypatch.setattr(complaint_classification, "_classifier", lambda: classifier)
    return classifier


async def test_classify_text_passes_the_overall_score(recording: RecordingClassifier) -> None:
    await complaint_classification.classify_text("等了两个小时", 2)
    await complaint_classification.classify_text("等了两个小时")
    assert recording.overall == [2, None]


async def test_the_form_classifies_with_the_score_already_given(
        survey: Any, domain: dict[str, Any], recording: RecordingClassifier) -> None:
    s = survey()
    tracker = s.tracker("comment", "师傅来得太晚了，等了一下午", intent="complain", overall=2,
                        solved=True)
    await ValidateSurveyForm().run(CollectingDispatcher(), tracker, domain)
    assert recording.overall and set(recording.overall) == {2}


def test_warm_up_loads_the_classifier_before_any_answer(complaint_model: None) -> None:
    """The action server calls warm_up before it serves: the first customer's answer after a
    start no longer pays the classifier's loading (~2 s)."""
    complaint_classification._classifier.cache_clear()
    complaint_classification.warm_up()
    assert complaint_classification._classifier.cache_info().currsize == 1
