"""The trained complaint model, built with the same code as `huifang models build` if stale
(only the complaint model: these tests need no Rasa model)."""

from __future__ import annotations

import pytest

from complaints.pipeline import ComplaintClassifier, load
from huifang.app.model_build import build_complaint_model


@pytest.fixture(scope="session")
def classifier() -> ComplaintClassifier:
    build_complaint_model()
    return load()
