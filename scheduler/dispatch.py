"""One dispatch pass: claim due rounds → re-check the send rules → gateway → record the result.

Each step is its own short transaction; no transaction is held open across the HTTP call.
A step only writes if this worker still holds the lease, so a worker that was presumed dead
and lost its lease cannot overwrite what the worker that took over has recorded. Every state
change is huifang.callback_lifecycle's.

Retries are bounded twice: the send rules give a round up after `max_send_attempts` claims
(send_rules.attempts_left), and a round claimed RUNAWAY_MARGIN times more than that — its
dispatch kept failing before any outcome could be recorded — is failed by the claim itself,
with an alert to operations.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from huifang.callback_lifecycle import SendMode, defer, deliver, stop
from huifang.callback_policy import customer_zone
from huifang.db import session_scope
from huifang.db.models import Callback, CallbackStatus
from huifang.db.types import utcnow
from huifang.gateway_contract import RoundOutcome, RoundStatus
from huifang.operations import alert_operations
from huifang.send_rules import SendRules, Verdict
from huifang.settings import Settings
from scheduler.claims import Claim, claim_due
from scheduler.gateway_client import GatewayClient

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

NO_ADDRESS_RETRY = timedelta(days=1)
MAX_BACKOFF = timedelta(hours=1)
RUNAWAY_MARGIN = 2


@dataclass
class PassReport:
    claimed: int = 0
    delivered: int = 0  # the gateway delivered the round (now or before a crash)
    already_sent: int = 0  # …of which had been delivered before (re-dispatch after a crash)
    messages: int = 0
    later: int = 0  # moved to a later time by a rule, a temporary failure or a missing address
    stopped: int = 0  # ended for good: reopened, opted out, unreachable, cool-down, …
    lost_lease: int = 0  # another worker took the row over; it records the outcome
    runaway: int = 0  # failed by the claim: claimed again and again, never an outcome

    def add(self, other: PassReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], gateway: GatewayClient,
                 rules: SendRules, settings: Settings, *, owner: str | None = None,
                 concurrency: int | None = None, clock: Clock = utcnow) -> None:
        self.sessions = sessions
        self.gateway = gateway
        self.rules = rules
        self.settings = settings
        self.owner = owner or worker_name()
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=concurrency or settings.dispatch_concurrency,
                                        thread_name_prefix="dispatch")
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Finish the batch in hand and claim no more (process shutdown)."""
        self._stopping.set()

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)

    def claim(self) -> list[Claim]:
        return self._claim(PassReport())

    def _claim(self, report: PassReport) -> list[Claim]:
        """Lease due rounds; a runaway one (see the module's doc) is failed here instead."""
        now = self.clock()
        limit = self.settings.max_send_attempts + RUNAWAY_MARGIN
        with session_scope(self.sessions) as session:
            claims = claim_due(session, self.owner, now, self.settings.dispatch_batch_size,
                               self.settings.lease_seconds)
            runaways = [c for c in claims if c.attempts > limit]
            for runaway in runaways:
                callback = session.get_one(Callback, runaway.callback_id)
                stop(callback, CallbackStatus.FAILED,
                     f"gave up: claimed {runaway.attempts} times without an outcome: "
                     f"{callback.last_error or 'the dispatch kept failing'}", now)
        for runaway in runaways:
            alert_operations(f"callback {runaway.callback_id} failed",
                             f"claimed {runaway.attempts} times, its dispatch never recorded "
                             "an outcome")
        report.claimed += len(claims)
        report.runaway += len(runaways)
        return [c for c in claims if c not in runaways]

    def run_pass(self, max_batches: int | None = None) -> PassReport:
        """Claim and dispatch batch after batch until nothing is due (or `max_batches`)."""
        report = PassReport()
        batches = 0
        while (max_batches is None or batches < max_batches) and not self._stopping.is_set():
            claimed_before = report.claimed
            claims = self._claim(report)
            batches += 1
            for result in self._pool.map(self.dispatch, claims):
                report.add(result)
            if report.claimed - claimed_before < self.settings.dispatch_batch_size:
                break
        if report.claimed:
            log.info("dispatch pass %s: %s", self.owner, report)
        return report

    def dispatch(self, claim: Claim) -> PassReport:
        """Send one claimed round. Any error leaves the lease to expire and the row to retry."""
        try:
            return self._dispatch(claim)
        except Exception:
            log.exception("dispatch of callback %s failed; it will be retried after its lease",
                          claim.callback_id)
            return PassReport()

    def _dispatch(self, claim: Claim) -> PassReport:
        with session_scope(self.sessions) as session:
            callback = self._leased(session, claim)
            if callback is None:
                return PassReport(lost_lease=1)
            now = self.clock()
            decision = self.rules.decide(session, callback, now)
            if decision.verdict == Verdict.STOP:
                assert decision.status is not None
                stop(callback, decision.status, decision.reason, now)
                return PassReport(stopped=1)
            if decision.verdict == Verdict.LATER:
                assert decision.due_at is not None and decision.reason is not None
                defer(callback, decision.due_at, decision.reason)
                return PassReport(later=1)
            round_, mode = callback.send_round, SendMode(callback.send_mode)
        result = self.gateway.send_round(claim.callback_id, round_, mode)
        with session_scope(self.sessions) as session:
            callback = self._leased(session, claim, lock=True)
            if callback is None:
                return PassReport(lost_lease=1)
            return self._record(callback, mode, result, self.clock())

    def _leased(self, session: Session, claim: Claim, lock: bool = False) -> Callback | None:
        callback = session.get(Callback, claim.callback_id, with_for_update=lock)
        if callback is None or callback.lease_owner != self.owner:
            return None
        return callback

    def _record(self, callback: Callback, mode: SendMode, result: RoundOutcome,
                now: datetime) -> PassReport:
        policy = self.rules.book.for_service(callback.ticket.service_type)
        zone = customer_zone(callback.ticket, self.settings)
        if result.status.delivered:
            deliver(callback, mode, now, policy)
            return PassReport(delivered=1, messages=result.messages,
                              already_sent=int(result.status == RoundStatus.ALREADY_SENT))
        if result.status in (RoundStatus.UNREACHABLE, RoundStatus.OPTED_OUT):
            # The gateway has already recorded it through huifang.consent; make sure of it.
            stop(callback, CallbackStatus(result.status.value),
                 f"gateway: customer {result.status.value}", now)
            return PassReport(stopped=1)
        if result.status == RoundStatus.NO_ADDRESS:
            defer(callback, policy.window.next_opening(now + NO_ADDRESS_RETRY, zone),
                  "no channel address yet (customer has not linked a chat)",
                  "gateway: no_address")
            return PassReport(later=1)
        backoff = min(timedelta(minutes=2 ** max(callback.attempts - 1, 0)), MAX_BACKOFF)
        defer(callback, policy.window.next_opening(now + backoff, zone),
              "temporary failure, retrying", result.detail)
        return PassReport(later=1)
