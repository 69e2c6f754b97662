"""Start real server processes for tests and benchmarks, wait until they answer, stop them."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from huifang.settings import PROJECT_ROOT
from huifang.app.stack import ProcessSpec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_ok(url: str) -> bool:
    """The health URL answers 200 now (a refused or failing connection is a no)."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path,
                  timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} process exited early:\n{log.read_text()[-4000:]}")
        if answers_ok(url):
            return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


def _start(spec: ProcessSpec, log_dir: Path, extra_env: dict[str, str] | None
           ) -> tuple[subprocess.Popen[bytes], Path]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{spec.name}.log"
    env = {**os.environ, **spec.env, **(extra_env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(spec.argv, cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, log


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(spec: ProcessSpec, log_dir: Path, extra_env: dict[str, str] | None = None
            ) -> Iterator[subprocess.Popen[bytes]]:
    with running_together([spec], log_dir, extra_env) as (process,):
        yield process


@contextmanager
def running_together(specs: list[ProcessSpec], log_dir: Path,
                     extra_env: dict[str, str] | None = None
                     ) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start every process, then wait until each answers (their start-ups overlap); stop them
    all, last started first."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        logs = []
        for spec in specs:
            process, log = _start(spec, log_dir, extra_env)
            started.append(process)
            logs.append(log)
        for spec, process, log in zip(specs, started, logs):
            if spec.health_url:
                wait_until_up(spec.health_url, process, log)
        yield started
    finally:
        for process in reversed(started):
            _stop(process)
