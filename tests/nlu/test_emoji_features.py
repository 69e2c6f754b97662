"""The emoji featurizer's groups (nlu_components/emoji_features.py), computed in the Rasa
virtualenv where the component runs. Its effect on the trained model is measured in
tests/conversation/test_rasa_evaluation.py."""

from __future__ import annotations

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

_PROBE = """
import json, sys
from nlu_components.emoji_features import GROUPS, emoji_groups
names = list(GROUPS) + ["any"]
print(json.dumps({c: [names[i] for i in emoji_groups(c)] for c in sys.argv[1]}))
"""


_CHARS = "😣😾😍😐👍👎💯👌❌🙏👋🐶🍉🎂好5a\U0001F3FB\uFE0F。"


@pytest.fixture(scope="module")
def groups() -> dict[str, list[str]]:
    """Each character of _CHARS → its groups (one Rasa-venv process: importing Rasa is slow)."""
    return run_in_rasa_venv(_PROBE, _CHARS, timeout=120)


def test_faces_and_gestures_fall_into_groups_by_their_unicode_names(
        groups: dict[str, list[str]]) -> None:
    assert groups["😣"] == ["frown", "any"]  # PERSEVERING FACE, in no list by itself
    assert groups["😾"] == ["frown", "any"]  # POUTING CAT FACE
    assert groups["😍"] == ["smile", "heart", "any"]
    assert groups["😐"] == ["neutral", "any"]
    assert groups["👍"] == ["thumbs_up", "any"] and groups["👎"] == ["thumbs_down", "any"]
    assert groups["💯"] == ["star", "any"] and groups["👌"] == ["ok", "any"]
    assert groups["❌"] == ["cross", "any"]
    assert groups["🙏"] == ["pray", "any"] and groups["👋"] == ["wave", "any"]


def test_emoji_that_judge_nothing_are_only_emoji(groups: dict[str, list[str]]) -> None:
    assert groups["🐶"] == groups["🍉"] == groups["🎂"] == ["any"]


def test_letters_digits_and_skin_tones_light_nothing(groups: dict[str, list[str]]) -> None:
    # U+1F3FB is a skin-tone modifier and U+FE0F a variation selector: they follow an emoji
    # and only change how it looks
    assert all(groups[c] == [] for c in "好5a\U0001F3FB\uFE0F。")
