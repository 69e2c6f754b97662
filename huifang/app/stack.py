"""The processes of a running Huifang, as command lines: one definition used by `huifang run`
(under honcho) and by the test fixtures that start the real servers.

Each process is handed, in its environment, exactly the secrets it needs (taken from the
settings it is built from, so `huifang run` in dev mode can hand out secrets it generated)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from huifang.log_masking import RASA_LOGGING_CONFIG
from huifang.app.model_build import RASA_BIN, RASA_MODEL
from huifang.app.rasa_endpoints import REDIS_PASSWORD_VARIABLE, RedisStores
from huifang.secret_rules import DEV_MODE_VARIABLE, secrets_of, variable
from huifang.settings import PROJECT_ROOT, Settings

APP_PYTHON = sys.executable
RASA_PYTHON = RASA_BIN.parent / "python"
# `python -m <module>` → the name its secrets are listed under in huifang.secret_rules
PROCESS_OF_MODULE = {"bot": "gateway", "scheduler": "scheduler", "console": "console"}


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None


def secret_environment(process: str, settings: Settings) -> dict[str, str]:
    """HUIFANG_* variables carrying `process`'s secrets (and the dev-mode switch)."""
    env = {DEV_MODE_VARIABLE: "true" if settings.dev_mode else "false"}
    for name, value in secrets_of(process, settings).items():
        if value is None:
            continue
        env[variable(name)] = value if isinstance(value, str) else json.dumps(list(value))
    return env


def action_server(settings: Settings, port: int) -> ProcessSpec:
    return ProcessSpec(
        "actions",
        [APP_PYTHON, "-m", "huifang.app.action_server", "--port", str(port)],
        # the actions alert supervisors through the gateway's internal API
        env={"HUIFANG_DATABASE_URL": settings.database_url,
             "HUIFANG_GATEWAY_INTERNAL_URL": settings.gateway_internal_url,
             **secret_environment("actions", settings)},
        health_url=f"http://127.0.0.1:{port}/health",
    )


def rasa_server(settings: Settings, port: int, endpoints: Path,
                model: Path = RASA_MODEL) -> ProcessSpec:
    token = settings.rasa_token.get_secret_value()
    redis = RedisStores.of(settings)
    redis_password = {REDIS_PASSWORD_VARIABLE: redis.password} if redis and redis.password else {}
    return ProcessSpec(
        "rasa",
        # the launcher checks the secrets and passes HUIFANG_RASA_TOKEN as --auth-token, so
        # the token never appears on a command line
        [str(RASA_PYTHON), "-m", "huifang.app.rasa_launcher", "run", "--enable-api",
         "--interface", "127.0.0.1",
         "--port", str(port), "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(PROJECT_ROOT / "credentials.yml"),
         "--logging-config-file", str(RASA_LOGGING_CONFIG)],  # phone numbers masked
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "TF_NUM_INTRAOP_THREADS": "1",
             "TF_NUM_INTEROP_THREADS": "1", **secret_environment("rasa", settings),
             **redis_password},
        health_url=f"http://127.0.0.1:{port}/status?token={token}",
    )


def python_module(name: str, module: str, settings: Settings, health_url: str | None = None
                  ) -> ProcessSpec:
    return ProcessSpec(name, [APP_PYTHON, "-m", module],
                       env={"HUIFANG_DATABASE_URL": settings.database_url,
                            **secret_environment(PROCESS_OF_MODULE[module], settings)},
                       health_url=health_url)
