"""The trained complaint model, built with the same code as `huifang models build` if stale."""

from __future__ import annotations

import pytest

from complaints.pipeline import ComplaintClassifier, load


@pytest.fixture(scope="session")
def classifier(trained_models: None) -> ComplaintClassifier:
    return load()
