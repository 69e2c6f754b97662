"""`make bench`: run every benchmark in this folder (bench_*.py) in turn; each prints numbers."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

from tests.support.test_secrets import strong_secrets


def _run_secrets() -> None:
    """The benchmarks start real processes, which need strong secrets: random ones for this
    run, unless set (the same as the test suite, tests/conftest.py)."""
    for name, value in strong_secrets().items():
        os.environ.setdefault(name, value)


def main(selected: list[str]) -> None:
    _run_secrets()
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("bench_"))
    for name in names:
        if selected and not any(s in name for s in selected):
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
