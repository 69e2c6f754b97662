"""The reduced fault-injection run inside `make test` (docs/reliability.md, "Fault-injection
harness"): every process killed once, PostgreSQL restarted, Rasa slow past the gateway's
timeout — and no customer answer lost or recorded twice, nothing sent twice, every callback
settled, every escalation alerted once. A fixed seed, so a failure can be replayed with
`python -m tests.chaos --reduced --seed 14`."""

from __future__ import annotations

from pathlib import Path

from tests.chaos.campaign import REDUCED, run_campaign

SEED = 14


def test_a_reduced_campaign_under_faults_loses_and_duplicates_nothing(
        trained_models: None, tmp_path: Path) -> None:
    outcome = run_campaign(REDUCED, SEED, tmp_path)
    print(outcome.summary())
    assert outcome.faults and outcome.verdict.answers > 0
    assert outcome.verdict.ok, "\n".join([outcome.summary(), *outcome.verdict.problems()[:40]])
