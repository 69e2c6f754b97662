"""The APScheduler wiring: jobs in the persistent store, and a digest missed while the
process was down still goes out when it comes back."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from huifang.db.types import utcnow
from scheduler import jobs
from tests.scheduler.conftest import SETTINGS
from tests.scheduler.gateway_standin import GatewayStandIn


@pytest.fixture
def runtime(database_url: str, gateway_standin: GatewayStandIn) -> Iterator[jobs.Runtime]:
    settings = SETTINGS.model_copy(update={"database_url": database_url,
                                           "gateway_internal_url": gateway_standin.url,
                                           "dispatch_interval_seconds": 3600})
    running = jobs.Runtime.start(settings, concurrency=2)
    jobs.install(running)
    yield running
    running.close()


def test_jobs_are_stored_and_the_digest_runs_at_half_past_eight(runtime: jobs.Runtime) -> None:
    scheduler = jobs.start_scheduler(runtime)
    try:
        assert {j.id for j in scheduler.get_jobs()} == {
            "dispatch", "follow_up", "escalation_watch", "daily_digest"}
        digest = scheduler.get_job("daily_digest").next_run_time
        assert (digest.hour, digest.minute, str(digest.tzinfo)) == (8, 30, "Asia/Shanghai")
    finally:
        scheduler.shutdown()


def test_a_dispatch_worker_keeps_its_job_in_memory_only(runtime: jobs.Runtime) -> None:
    scheduler = jobs.start_scheduler(runtime, dispatch_only=True)
    try:
        assert [j.id for j in scheduler.get_jobs()] == ["dispatch"]
    finally:
        scheduler.shutdown()
    stored = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=runtime.engine)})
    stored.start(paused=True)
    assert stored.get_jobs() == []
    stored.shutdown()


def test_a_digest_missed_while_down_goes_out_on_restart(
        runtime: jobs.Runtime, gateway_standin: GatewayStandIn) -> None:
    soon = datetime.now(runtime.settings.zone) + timedelta(seconds=3)
    runtime.settings = runtime.settings.model_copy(update={"digest_time": soon.time()})
    jobs.start_scheduler(runtime).shutdown()  # down before the digest time…
    time.sleep(max(0.0, (soon - datetime.now(soon.tzinfo)).total_seconds()) + 1)
    assert gateway_standin.digests == []
    scheduler = jobs.start_scheduler(runtime)  # …and back after it
    try:
        deadline = time.monotonic() + 15
        while not gateway_standin.digests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(gateway_standin.digests) == 1
        assert gateway_standin.digests[0][0].startswith("【回访日报】")
        assert scheduler.get_job("daily_digest").next_run_time > utcnow() + timedelta(hours=23)
    finally:
        scheduler.shutdown()


@pytest.mark.parametrize("wanted", [False, True])
def test_the_per_run_log_lines_are_off_unless_asked_for(wanted: bool) -> None:
    logger = logging.getLogger("apscheduler.executors.default")  # "Running job …" is INFO
    before = logging.getLogger(jobs.JOB_RUN_LOGGER).level
    try:
        jobs.configure_job_log(SETTINGS.model_copy(update={"scheduler_job_log": wanted}))
        assert logger.isEnabledFor(logging.INFO) is wanted
        assert logger.isEnabledFor(logging.WARNING)
    finally:
        logging.getLogger(jobs.JOB_RUN_LOGGER).setLevel(before)
