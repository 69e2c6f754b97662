"""The processes of a running Huifang, as command lines: one definition used by `huifang run`
(under honcho) and by the test fixtures that start the real servers."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from huifang.model_build import RASA_BIN, RASA_MODEL
from huifang.settings import PROJECT_ROOT, Settings

APP_PYTHON = sys.executable


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None


def action_server(settings: Settings, port: int) -> ProcessSpec:
    return ProcessSpec(
        "actions",
        [APP_PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        # rasa-sdk binds 0.0.0.0 unless told otherwise; the actions alert supervisors through
        # the gateway, so they need its address and the internal token of this very stack
        env={"SANIC_HOST": "127.0.0.1", "HUIFANG_DATABASE_URL": settings.database_url,
             "HUIFANG_GATEWAY_URL": settings.gateway_url,
             "HUIFANG_INTERNAL_TOKEN": settings.internal_token.get_secret_value()},
        health_url=f"http://127.0.0.1:{port}/health",
    )


def rasa_server(settings: Settings, port: int, endpoints: Path,
                model: Path = RASA_MODEL) -> ProcessSpec:
    token = settings.rasa_token.get_secret_value()
    return ProcessSpec(
        "rasa",
        [str(RASA_BIN), "run", "--enable-api", "--auth-token", token, "--interface", "127.0.0.1",
         "--port", str(port), "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(PROJECT_ROOT / "credentials.yml")],
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "TF_NUM_INTRAOP_THREADS": "1",
             "TF_NUM_INTEROP_THREADS": "1"},
        health_url=f"http://127.0.0.1:{port}/status?token={token}",
    )


def python_module(name: str, module: str, settings: Settings, health_url: str | None = None
                  ) -> ProcessSpec:
    return ProcessSpec(name, [APP_PYTHON, "-m", module],
                       env={"HUIFANG_DATABASE_URL": settings.database_url}, health_url=health_url)
