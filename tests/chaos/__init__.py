"""The fault-injection harness (issue 14): a campaign of callbacks on a private PostgreSQL
cluster, real processes under a small supervisor, simulated customers on the web chat and the
fake Telegram Bot API server, and faults injected meanwhile. `python -m tests.chaos --help`;
docs/reliability.md, "Fault-injection harness"."""
