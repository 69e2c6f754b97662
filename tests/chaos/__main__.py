"""`python -m tests.chaos [--reduced] [--seed N]`: the fault-injection harness (make chaos).

Prints what it injected and, last, one line: faults injected, callbacks, answers, lost,
duplicated. Exits 1 if anything was lost, duplicated, sent twice, left unsettled or alerted
other than once (each listed above the line)."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from tests.chaos.campaign import FULL, REDUCED, run_campaign

SHOWN_PROBLEMS = 40


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--reduced", action="store_true",
                        help="the short run `make test` includes (fewer callbacks, one kill "
                             "of each process)")
    parser.add_argument("--seed", type=int, default=None,
                        help="the faults' and customers' random seed (default: from the clock)")
    args = parser.parse_args(argv)
    # a SIGTERM (a CI timeout) unwinds like Ctrl-C: the processes and the cluster are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    seed = args.seed if args.seed is not None else int(time.time())
    workdir = Path(tempfile.mkdtemp(prefix="huifang-chaos-"))
    outcome = run_campaign(REDUCED if args.reduced else FULL, seed, workdir)
    problems = outcome.verdict.problems()
    for problem in problems[:SHOWN_PROBLEMS]:
        print(problem)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"… and {len(problems) - SHOWN_PROBLEMS} more")
    print(f"chaos: statuses {dict(outcome.verdict.statuses)}; unacknowledged attempts "
          f"{outcome.verdict.unacknowledged}; restarts {outcome.restarts}; "
          f"seed {seed}; logs {workdir / 'logs'}")
    print(outcome.summary(), flush=True)
    return 0 if outcome.verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
