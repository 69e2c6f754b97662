"""A small supervisor for the harness: starts the real processes, restarts any that died (as
systemd's Restart=always does in production, docs/deployment.md), and kills one with SIGKILL
on request."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from huifang.app.stack import ProcessSpec
from huifang.settings import PROJECT_ROOT
from tests.support.processes import answers_ok

RESTART_DELAY = 1.0  # seconds, like the units' RestartSec (shorter: the run is short)


@dataclass
class Supervised:
    spec: ProcessSpec
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    died_at: float | None = None


@dataclass
class Supervisor:
    log_dir: Path
    _children: dict[str, Supervised] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None

    def add(self, spec: ProcessSpec, env: dict[str, str]) -> None:
        with self._lock:
            child = Supervised(spec, env)
            self._children[spec.name] = child
            self._start(child)
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, daemon=True,
                                             name="chaos-supervisor")
            self._watcher.start()

    def names(self) -> list[str]:
        return list(self._children)

    def restarts(self) -> dict[str, int]:
        return {name: child.starts - 1 for name, child in self._children.items()}

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (its own process group)."""
        with self._lock:
            process = self._children[name].process
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)

    def wait_healthy(self, name: str, timeout: float = 600.0) -> None:
        url = self._children[name].spec.health_url
        deadline = time.monotonic() + timeout
        while url and time.monotonic() < deadline:
            if answers_ok(url):
                return
            time.sleep(0.5)
        if url:
            raise TimeoutError(f"{name} not healthy after {timeout:.0f} s; see {self.log_dir}")

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        with self._lock:
            for child in reversed(list(self._children.values())):
                if child.process is not None and child.process.poll() is None:
                    child.process.terminate()
            for child in self._children.values():
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(child.process.pid, signal.SIGKILL)
                    child.process.wait()

    def _start(self, child: Supervised) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{child.spec.name}.log").open("ab") as out:
            child.process = subprocess.Popen(
                child.spec.argv, cwd=PROJECT_ROOT, env={**os.environ, **child.spec.env,
                                                        **child.env},
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        child.starts += 1
        child.died_at = None

    def _watch(self) -> None:
        while not self._stopping.wait(0.3):
            with self._lock:
                for child in self._children.values():
                    if child.process is None or child.process.poll() is None:
                        continue
                    now = time.monotonic()
                    if child.died_at is None:
                        child.died_at = now
                    elif now - child.died_at >= RESTART_DELAY:
                        self._start(child)
