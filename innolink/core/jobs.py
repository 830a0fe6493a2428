"""Background jobs with progress.

A job is a row in ``Job`` plus one task on Django's task queue. Register the work with
``@job_runner("kind")``; start it with ``job_start``, which enqueues only after the caller's
transaction commits. The runner gets the job and a ``Progress`` it reports to::

    @job_runner("enterprises.import")
    def run_import(job: Job, progress: Progress) -> dict: ...

Progress written inside a transaction becomes visible when that transaction commits, so
runners report the long phases (reading, checking) outside their final write transaction.

Messages are stored as a msgid plus parameters and rendered in the reader's language when a
page, the API or the CLI shows them (ADR 0730). Mark the msgid with ``gettext_noop`` so
``makemessages`` collects it, and pass values as ``params``::

    progress(n, total, N_("已检查 %(n)s 行"), params={"n": n}, force=True)
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django_tasks import task

from innolink.core.messages import message_render  # noqa: F401  (re-exported)
from innolink.core.models import Job

logger = logging.getLogger(__name__)

Runner = Callable[[Job, "Progress"], dict[str, Any] | None]
_RUNNERS: dict[str, Runner] = {}
_RESULT_TEMPLATES: dict[str, str] = {}


def job_runner(kind: str, *, result_template: str = "") -> Callable[[Runner], Runner]:
    """Register the function that does a kind of job, and the template that shows its result."""

    def register(func: Runner) -> Runner:
        _RUNNERS[kind] = func
        if result_template:
            _RESULT_TEMPLATES[kind] = result_template
        return func

    return register


def result_template_for(kind: str) -> str:
    return _RESULT_TEMPLATES.get(kind, "core/_job_result_default.html")


class Progress:
    """Reports progress, writing at most every ``every`` items to keep the database quiet."""

    def __init__(self, job: Job, every: int = 1000) -> None:
        self.job = job
        self.every = every
        self._last = -every

    def __call__(self, done: int, total: int | None = None, message: str | None = None,
                 *, params: dict[str, Any] | None = None, force: bool = False) -> None:
        """``message`` is a msgid (mark it with ``gettext_noop``), ``params`` its values."""
        if not force and done - self._last < self.every and (total is None or done < total):
            return
        self._last = done
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            if isinstance(message, Promise):  # a lazy translation: keep its text as it is now
                message = str(message)
            fields["message"] = message[:300]
            fields["message_params"] = _json_params(params)
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.job, key, value)


def _json_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters as JSON can store them: numbers and strings as they are, others as text."""
    return {str(k): v if isinstance(v, (int, float, str, bool)) or v is None else str(v)
            for k, v in (params or {}).items()}


def job_start(*, kind: str, title: str, params: dict[str, Any] | None = None,
              user=None, title_params: dict[str, Any] | None = None) -> Job:
    """``title`` is a msgid (``gettext_noop``) and ``title_params`` its values, shown in the
    reader's language like the progress message (ADR 0730, 0761)."""
    if kind not in _RUNNERS:
        raise KeyError(f"no job runner registered for {kind!r}")
    if isinstance(title, Promise):
        title = str(title)
    job = Job.objects.create(kind=kind, title=title[:200], title_params=_json_params(title_params),
                             params=params or {},
                             created_by=user if getattr(user, "is_authenticated", False) else None)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def job_claim(job_id) -> bool:
    """Take a queued job for this process: one conditional ``UPDATE … WHERE status='queued'``,
    so of two deliveries at the same moment (two workers, a retried delivery) exactly one sees
    a changed row and runs it."""
    return Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()) == 1


def job_run(job: Job) -> Job:
    """Run a queued job in this process (the worker's task and the management commands call
    this). A job another process has already claimed is left alone and returned as it is."""
    runner = _RUNNERS[job.kind]
    if not job_claim(job.pk):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    try:
        result = runner(job, Progress(job)) or {}
    except Exception as exc:  # a job records every failure, whatever raised it
        logger.exception("job %s failed", job.pk)
        # an ApplicationError raised with a msgid and values keeps both, so the failure reads
        # in the reader's language (ADR 0761); other failures keep their text
        message = (getattr(exc, "msgid", None) or getattr(exc, "message", None) or str(exc)
                   or exc.__class__.__name__)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), message=str(message)[:300],
            message_params=_json_params(getattr(exc, "params", None)),
            error=traceback.format_exc()[-5000:],
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result,
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return job_run(job).status  # a second delivery finds the job claimed and does nothing
