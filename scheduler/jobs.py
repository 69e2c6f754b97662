"""Thin APScheduler wiring: each job is a small function over the services of this package.

Jobs live in a persistent SQLAlchemyJobStore on the application database, so a restart keeps
their schedule (a digest missed while the process was down still goes out when it is back).
APScheduler stores jobs by reference, not by value; the runtime objects a job needs (session
factory, gateway client, dispatcher) are installed once per process with `install()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from huifang.callback_policy import PolicyBook
from huifang.db import create_db_engine, session_factory, session_scope
from huifang.db.types import utcnow
from huifang.send_rules import SendRules
from huifang.settings import Settings
from scheduler.daily_digest import send_daily_digest
from scheduler.dispatch import Dispatcher, worker_name
from scheduler.escalation_watch import watch_escalations
from scheduler.gateway_client import GatewayClient
from scheduler.reminders import run_follow_ups

log = logging.getLogger(__name__)
# where APScheduler writes "Running job …" / "… executed successfully" for every run
JOB_RUN_LOGGER = "apscheduler.executors"


def configure_job_log(settings: Settings) -> None:
    """APScheduler's line per job run only when asked for (settings.scheduler_job_log): with
    dispatch every few seconds it would bury everything else. Its warnings and errors stay."""
    level = logging.INFO if settings.scheduler_job_log else logging.WARNING
    logging.getLogger(JOB_RUN_LOGGER).setLevel(level)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    book: PolicyBook
    gateway: GatewayClient
    dispatcher: Dispatcher

    @classmethod
    def start(cls, settings: Settings, concurrency: int | None = None) -> Runtime:
        concurrency = concurrency or settings.dispatch_concurrency
        book = PolicyBook.load(settings)
        book.validate()
        engine = create_db_engine(settings.database_url)
        sessions = session_factory(engine)
        owner = worker_name()
        gateway = GatewayClient.from_settings(settings, max_connections=concurrency,
                                              worker=owner)
        dispatcher = Dispatcher(sessions, gateway, SendRules(settings, book), settings,
                                owner=owner, concurrency=concurrency)
        return cls(settings, engine, sessions, book, gateway, dispatcher)

    def close(self) -> None:
        self.dispatcher.close()
        self.gateway.close()
        self.engine.dispose()


_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def _current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler.jobs.install() was not called in this process")
    return _runtime


def dispatch_due() -> None:
    _current().dispatcher.run_pass()


def follow_up_silence() -> None:
    rt = _current()
    with session_scope(rt.sessions) as session:
        run_follow_ups(session, utcnow(), rt.book, rt.settings)


def watch_escalation_deadlines() -> None:
    watch_escalations(_current().sessions, utcnow())


def daily_digest() -> None:
    rt = _current()
    send_daily_digest(rt.sessions, rt.gateway, utcnow(), rt.settings)


class _ExpectedSkips(logging.Filter):
    """A dispatch pass drains the queue and may outlast its interval; the runs skipped
    meanwhile are by design (max_instances=1), not worth a warning each."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_ExpectedSkips())


def start_scheduler(runtime: Runtime, *, dispatch_only: bool = False) -> BackgroundScheduler:
    """All jobs on the persistent store; or, for an extra dispatch worker (scale-out), only
    the dispatch job in memory — the periodic jobs run in the main scheduler process."""
    settings = runtime.settings
    store = MemoryJobStore() if dispatch_only else SQLAlchemyJobStore(engine=runtime.engine)
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=settings.zone,
    )
    scheduler.start(paused=True)
    scheduler.add_job(dispatch_due, "interval", seconds=settings.dispatch_interval_seconds,
                      id="dispatch", replace_existing=True, next_run_time=utcnow())
    if not dispatch_only:
        scheduler.add_job(follow_up_silence, "interval",
                          seconds=settings.follow_up_interval_seconds,
                          id="follow_up", replace_existing=True)
        scheduler.add_job(watch_escalation_deadlines, "interval",
                          seconds=settings.escalation_watch_interval_seconds, id="escalation_watch",
                          replace_existing=True)
        if scheduler.get_job("daily_digest") is None:
            # Kept when present: replacing it would forget a run missed while we were down.
            at = settings.digest_time
            scheduler.add_job(daily_digest, "cron", hour=at.hour, minute=at.minute,
                              second=at.second,
                              id="daily_digest", misfire_grace_time=6 * 3600)
    scheduler.resume()
    return scheduler
