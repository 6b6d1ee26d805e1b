"""Background jobs: long work runs in a task worker (django-tasks, database backend) and reports progress on a
`Job` row that the page which started it polls (htmx, every second).

An app registers a handler for a kind of job:

    @job_handler("core.audit_export")
    def export_audit(job: Job, progress: Progress) -> dict: ...

and starts one with `start_job("core.audit_export", title, params, actor=request.user)`. The task is enqueued
when the transaction commits, so a job never runs for a request that rolled back.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from metrocoop.core.choices import JobStatus
from metrocoop.core.models import Job

Handler = Callable[[Job, "Progress"], dict]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


class Progress:
    """Writes progress to the job row, at most every `every` steps so a tight loop does not hammer the database."""

    def __init__(self, job: Job, every: int = 1):
        self.job = job
        self.every = max(1, every)
        self._last = -1

    def total(self, total: int, message: str = "") -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total, message=message[:300])

    def advance(self, done: int, message: str = "", *, force: bool = False) -> None:
        if force or self._last < 0 or done - self._last >= self.every:
            self._last = done
            Job.objects.filter(pk=self.job.pk).update(done=done, message=message[:300])

    def result_path(self, filename: str) -> Path:
        folder = Path(settings.MEDIA_ROOT) / "jobs" / str(self.job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename


def start_job(kind: str, title: str, params: dict[str, Any] | None = None, *, actor: Any) -> Job:
    if kind not in _HANDLERS:
        raise LookupError(f"No handler for job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=actor)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def execute_job(job_id: str) -> Job:
    """Run one job in this process (what the worker does); a failure is recorded on the job, not raised."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job  # a redelivered task does no harm
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    try:
        result = _HANDLERS[job.kind](job, Progress(job, every=max(1, job.total // 100 if job.total else 1)))
    except Exception as exc:  # recorded on the job for the person who started it
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{exc}\n\n{traceback.format_exc(limit=5)}",
            message=str(exc)[:300],
            finished_at=timezone.now(),
        )
    else:
        result = result or {}
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=result,
            result_file=result.get("file", ""),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> str:
    return execute_job(job_id).status


# ---------------------------------------------------------------- a worker killed mid-job
# A worker names itself "<host>:<pid>" when it claims a task. When it dies without finishing (SIGKILL, OOM, power),
# its task stays "running" for ever in django-tasks' table. `recover_interrupted()` (run by `metrocoop worker` when
# it starts) puts such tasks back in the queue, and their jobs back to "queued", so
# another worker runs them again. That is safe because a job's effects are all-or-nothing: every handler writes
# through services in one transaction (the killed attempt's transaction was rolled back by the database), and a
# second run of a job that already finished does nothing (`execute_job`).


def worker_id() -> str:
    import os
    import socket

    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _alive(worker: str) -> bool:
    """Whether the worker named `worker` may still be running: only a worker of this host can be known dead."""
    import os
    import socket

    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted() -> list[str]:
    """Re-queue the tasks (and their jobs) whose worker on this host died mid-way; the ids of the jobs re-queued."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    requeued = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        workers = result.worker_ids or []
        if not workers or _alive(workers[-1]):
            continue
        with transaction.atomic():
            if not DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            ):
                continue  # another worker recovered it first
            args = (result.args_kwargs or {}).get("args") or []
            if result.task_path.endswith("run_job") and args:
                Job.objects.filter(pk=args[0], finished_at__isnull=True).update(
                    status=JobStatus.QUEUED, message="retried after the worker stopped 工作进程中断后重试"
                )
                requeued.append(str(args[0]))
    return requeued
