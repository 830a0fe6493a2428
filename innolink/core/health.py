"""Health of the database and the job queue, for load balancers and operators."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone


def health_report() -> tuple[bool, dict]:
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # report any failure rather than fail the probe
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        return False, checks
    from innolink.core.checks import static_manifest_problem

    problem = static_manifest_problem()
    checks["static_files"] = {"ok": problem is None, **({"error": problem} if problem else {})}

    from django_tasks_db.models import DBTaskResult

    from innolink.core.models import Job

    stale_before = timezone.now() - timedelta(minutes=10)
    queued = DBTaskResult.objects.filter(status="READY").count()
    stale = DBTaskResult.objects.filter(status="READY", enqueued_at__lt=stale_before).count()
    checks["job_queue"] = {
        "ok": stale == 0,
        "queued": queued,
        "waiting_over_10_min": stale,
        "running_jobs": Job.objects.filter(status=Job.Status.RUNNING).count(),
    }
    return all(c["ok"] for c in checks.values()), checks
