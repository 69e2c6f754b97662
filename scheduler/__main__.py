"""`python -m scheduler`: the intake API (uvicorn) and every periodic job.

`python -m scheduler --dispatch-only` runs an extra dispatch worker without the API and
without the periodic jobs: start as many as needed on one PostgreSQL database; they share the
due callbacks without overlap.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from huifang.masking import configure_logging, mask_dsn
from huifang.secret_rules import enforce_for
from huifang.settings import get_settings
from scheduler import jobs
from scheduler.intake_api import create_app

log = logging.getLogger("scheduler")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    parser.add_argument("--dispatch-only", action="store_true",
                        help="run only the dispatch job (an extra worker; no API, no periodic jobs)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="callbacks handed to the gateway at the same time "
                             "(default: HUIFANG_DISPATCH_CONCURRENCY)")
    return parser.parse_args(argv)


def _run_worker(runtime: jobs.Runtime) -> None:
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler = jobs.start_scheduler(runtime, dispatch_only=True)
    log.info("dispatch worker %s running", runtime.dispatcher.owner)
    stopping.wait()
    runtime.dispatcher.stop()
    scheduler.shutdown(wait=True)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    configure_logging()
    settings = get_settings()
    enforce_for("scheduler", settings)
    jobs.configure_job_log(settings)
    runtime = jobs.Runtime.start(settings, concurrency=args.concurrency)
    jobs.install(runtime)
    log.info("scheduler on %s", mask_dsn(settings.database_url))
    try:
        if args.dispatch_only:
            _run_worker(runtime)
            return

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            scheduler = jobs.start_scheduler(runtime)
            try:
                yield
            finally:
                runtime.dispatcher.stop()
                scheduler.shutdown(wait=True)

        app = create_app(settings, runtime.sessions, lifespan=lifespan)
        uvicorn.run(app, host=settings.scheduler_host, port=settings.scheduler_port,
                    log_config=None, access_log=False, proxy_headers=False)
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
