"""Benchmarks (`make bench` runs them all; `python -m bench.bench_<name> [flags]` runs one).

They start real processes, which need strong secrets: random ones for this run are put in the
environment on import, unless set (as the test suite does, tests/conftest.py)."""

import os

from tests.support.test_secrets import strong_secrets

for _name, _value in strong_secrets().items():
    os.environ.setdefault(_name, _value)
