"""The real action server loads the complaint classifier before it serves, so the first
customer's answer after a start does not wait for it."""

from __future__ import annotations

import pytest

from tests.support.stack import RasaStack

pytestmark = pytest.mark.rasa


def test_the_action_server_has_the_classifier_loaded_when_it_serves(rasa_stack: RasaStack) -> None:
    log = (rasa_stack.log_dir / "actions.log").read_text(errors="replace")
    loaded = log.find("complaint classifier loaded before serving")
    ready = log.find("Worker ready")
    assert 0 <= loaded < ready, log[-3000:]
