"""Ticket uploads run in the background so that a large file shows its progress: checking the
file (huifang.campaign_upload.preview_file), then importing it into the new campaign. The
page polls the job's JSON; jobs live in this process's memory and expire after a while
(the console is one process; after a restart an operator uploads the file again)."""

from __future__ import annotations

import enum
import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from huifang.campaign_upload import UploadPreview, import_preview, preview_file
from huifang.settings import Settings
from huifang.ticket_import import ImportFileError, count_rows

log = logging.getLogger(__name__)

JOB_TTL_SECONDS = 6 * 3600
MAX_JOBS = 50


class Phase(enum.StrEnum):
    CHECKING = "checking"
    PREVIEW = "preview"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


@dataclass
class UploadJob:
    id: str
    owner_id: int
    filename: str
    path: Path
    phase: Phase = Phase.CHECKING
    total: int = 0
    done: int = 0
    preview: UploadPreview | None = None
    campaign_id: int | None = None
    # the customers' links (web chat, Telegram) issued by the import, shown to the operator
    # once: `take_links` hands them out and forgets them
    links: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    def advance(self, rows: int = 1) -> None:
        self.done += rows

    def take_links(self) -> dict[str, str]:
        links, self.links = self.links, {}
        return links


class UploadJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, UploadJob] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload")

    def check(self, owner_id: int, filename: str, path: Path,
              sessions: sessionmaker[Session]) -> UploadJob:
        """Start checking an uploaded file (already saved at `path`)."""
        job = UploadJob(secrets.token_urlsafe(16), owner_id, filename, path)
        with self._lock:
            self._expire()
            self._jobs[job.id] = job
        self._pool.submit(self._check, job, sessions)
        return job

    def _check(self, job: UploadJob, sessions: sessionmaker[Session]) -> None:
        try:
            job.total = count_rows(job.path)
            job.preview = preview_file(job.path, sessions, lambda _good: job.advance())
            job.phase = Phase.PREVIEW
        except ImportFileError as exc:
            self._fail(job, str(exc))
        except Exception:
            log.exception("checking upload %s failed", job.id)
            self._fail(job, "读取文件时出错，请检查文件后重新上传")
        finally:
            job.path.unlink(missing_ok=True)  # the preview holds the rows from now on

    def reserve(self, job: UploadJob) -> bool:
        """Take a previewed job for importing; False if it is taken already (a double
        submit). `unreserve` gives it back when the campaign could not be created."""
        with self._lock:
            if job.phase != Phase.PREVIEW or job.preview is None:
                return False
            job.phase, job.total, job.done = Phase.IMPORTING, len(job.preview.tickets), 0
            return True

    def unreserve(self, job: UploadJob) -> None:
        job.phase = Phase.PREVIEW

    def start_import(self, job: UploadJob, campaign_id: int, user_id: int,
                     sessions: sessionmaker[Session], now: datetime, settings: Settings) -> None:
        job.campaign_id = campaign_id
        self._pool.submit(self._import, job, user_id, sessions, now, settings)

    def _import(self, job: UploadJob, user_id: int, sessions: sessionmaker[Session],
                now: datetime, settings: Settings) -> None:
        assert job.preview is not None and job.campaign_id is not None
        try:
            report = import_preview(job.preview, job.campaign_id, user_id, job.filename,
                                    sessions, now, settings, job.advance)
            job.links = {**report.chat_links, **report.bind_links}
            job.phase = Phase.DONE
        except Exception:
            log.exception("importing upload %s failed", job.id)
            self._fail(job, "导入中断：已导入的工单保留在活动中；重新上传同一文件可补齐"
                            "（已存在的工单不会重复导入）")

    def _fail(self, job: UploadJob, message: str) -> None:
        job.error = message
        job.phase = Phase.FAILED

    def get(self, job_id: str, owner_id: int) -> UploadJob | None:
        """The job, if it is this user's (an upload is private to whoever made it)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner_id == owner_id else None

    def discard(self, job: UploadJob) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        finished = (Phase.PREVIEW, Phase.DONE, Phase.FAILED)
        stale = [j for j in self._jobs.values()
                 if j.phase in finished and now - j.started > JOB_TTL_SECONDS]
        oldest = sorted((j for j in self._jobs.values() if j.phase in finished),
                        key=lambda j: j.started)[:max(0, len(self._jobs) - MAX_JOBS + 1)]
        for job in stale + oldest:
            self._jobs.pop(job.id, None)
