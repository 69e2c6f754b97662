"""Secure by default: every process, started for real without dev mode, refuses to start with
an unset, empty, short or placeholder secret — exit status non-zero and a message naming the
variable to set — and dev mode is what lets a weak secret through."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from huifang.app.model_build import RASA_BIN
from huifang.settings import PROJECT_ROOT
from tests.support.processes import free_port
from tests.support.test_secrets import strong_secrets

STRONG = strong_secrets()
RASA_PYTHON = str(RASA_BIN.parent / "python")

# process → its command line and the secrets it needs
PROCESSES = {
    "gateway": ([sys.executable, "-m", "bot"], ["HUIFANG_RASA_TOKEN", "HUIFANG_INTERNAL_TOKEN"]),
    "scheduler": ([sys.executable, "-m", "scheduler"],
                  ["HUIFANG_INTERNAL_TOKEN", "HUIFANG_INTAKE_API_KEYS"]),
    "console": ([sys.executable, "-m", "console"], ["HUIFANG_CONSOLE_SECRET_KEY"]),
    "actions": ([sys.executable, "-m", "huifang.app.action_server"],
                ["HUIFANG_ACTION_SERVER_TOKEN", "HUIFANG_INTERNAL_TOKEN"]),
    "rasa": ([RASA_PYTHON, "-m", "huifang.app.rasa_launcher", "run"],
             ["HUIFANG_RASA_TOKEN", "HUIFANG_ACTION_SERVER_TOKEN"]),
    # `huifang run` checks every process's secrets before it starts any (two of them here)
    "huifang run": ([sys.executable, "-m", "huifang.app.cli.main", "run", "--no-train"],
                    ["HUIFANG_INTAKE_API_KEYS", "HUIFANG_ACTION_SERVER_TOKEN"]),
}
WEAK = {
    "placeholder": ("change-me-console-secret", "is a published placeholder"),
    "empty": ("", "is not set (or empty)"),
    "short": ("Zx9!kq", "is too short"),
}
CASES = [(process, variable) for process, (_argv, needed) in PROCESSES.items()
         for variable in needed]


def environment(**overrides: str) -> dict[str, str]:
    """No HUIFANG_* from the test session, strong secrets, then `overrides`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")}
    return {**base, **STRONG, "HUIFANG_DATABASE_URL": "sqlite:///:memory:",
            "HUIFANG_GATEWAY_PORT": str(free_port()), "HUIFANG_SCHEDULER_PORT": str(free_port()),
            "HUIFANG_CONSOLE_PORT": str(free_port()),
            "HUIFANG_ACTION_SERVER_PORT": str(free_port()), **overrides}


def start(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def weak_value(variable: str, kind: str) -> str:
    value = WEAK[kind][0]
    return json.dumps([value]) if variable == "HUIFANG_INTAKE_API_KEYS" and value else value


@pytest.mark.parametrize("kind", sorted(WEAK))
@pytest.mark.parametrize(("process", "variable"), CASES)
def test_refuses_to_start_with_an_unusable_secret(process: str, variable: str,
                                                  kind: str) -> None:
    argv, _needed = PROCESSES[process]
    finished = start(argv, environment(**{variable: weak_value(variable, kind)}))
    assert finished.returncode != 0, finished.stdout[-2000:]
    assert f"{variable} {WEAK[kind][1]}" in finished.stderr, finished.stderr[-3000:]
    assert "secrets.token_urlsafe(32)" in finished.stderr


def test_an_unset_secret_is_refused_too() -> None:
    env = environment()
    del env["HUIFANG_CONSOLE_SECRET_KEY"]
    finished = start(PROCESSES["console"][0], env)
    assert finished.returncode == 2
    assert "HUIFANG_CONSOLE_SECRET_KEY is not set (or empty)" in finished.stderr


def test_dev_mode_starts_with_a_weak_secret() -> None:
    """The same refusal, lifted by HUIFANG_DEV_MODE: the console comes up and serves."""
    env = environment(HUIFANG_CONSOLE_SECRET_KEY="short", HUIFANG_DEV_MODE="true")
    process = subprocess.Popen(PROCESSES["console"][0], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{env['HUIFANG_CONSOLE_PORT']}/login"
    try:
        for _ in range(240):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            subprocess.run(["sleep", "0.5"], check=True)
        assert httpx.get(url, timeout=2).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
