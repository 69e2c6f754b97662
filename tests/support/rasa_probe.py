"""Run a snippet of Python in the Rasa virtualenv (where Rasa and our Rasa-side patches load)
and read back what it printed last, as JSON: one process per probe, because importing Rasa is
slow."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from huifang.app.model_build import RASA_BIN
from huifang.settings import PROJECT_ROOT


def run_in_rasa_venv(probe: str, *args: str, timeout: float = 180) -> Any:
    """The JSON value on the last line `probe` printed; `args` are its sys.argv[1:]."""
    result = subprocess.run(
        [str(RASA_BIN.parent / "python"), "-c", probe, *args], cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=timeout, check=False,
        env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
