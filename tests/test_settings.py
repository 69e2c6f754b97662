from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from huifang.settings import PROJECT_ROOT, Settings

EXAMPLE = PROJECT_ROOT / ".env.example"


def test_env_example_documents_every_setting() -> None:
    names = {line.split("=", 1)[0] for line in EXAMPLE.read_text().splitlines()
             if line.startswith("HUIFANG_")}
    assert names == {f"HUIFANG_{name.upper()}" for name in Settings.model_fields}


def test_env_example_is_a_valid_configuration() -> None:
    settings = Settings(_env_file=EXAMPLE)
    assert settings.contact_window_start == time(9, 0)
    assert settings.telegram_enabled is False  # an empty token means: web chat only


def test_environment_overrides_and_validation(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("HUIFANG_CONTACT_WINDOW_END", "18:30")
    monkeypatch.setenv("HUIFANG_INTAKE_API_KEYS", '["k1", "k2"]')
    settings = Settings(_env_file=None)
    assert settings.contact_window_end == time(18, 30)
    assert [k.get_secret_value() for k in settings.intake_api_keys] == ["k1", "k2"]
    monkeypatch.setenv("HUIFANG_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
