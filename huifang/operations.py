"""Alerts to operations: something was given up for good (a message never delivered, a callback
that kept failing) and a person has to look. Instead of retrying forever, every bounded retry
ends in a final state and one line here, at ERROR, with a fixed marker that log monitoring can
match (docs/reliability.md). The console shows the same final states."""

from __future__ import annotations

import logging

log = logging.getLogger("huifang.operations")

MARK = "OPERATIONS ALERT"


def alert_operations(what: str, detail: str) -> None:
    log.error("%s: %s — %s", MARK, what, detail)
