"""The policy scan as a background job: the runner reads the scan row the service created and
runs it with progress (``services.scan_start`` starts it)."""

from __future__ import annotations

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.policies.models import Scan
from innolink.policies.services import SCAN_KIND, scan_execute


@job_runner(SCAN_KIND, result_template="policies/_scan_result.html")
def run_scan_job(job: Job, progress: Progress) -> dict:
    scan = Scan.objects.get(job=job)
    scan = scan_execute(scan=scan, progress=progress, actor=job.created_by)
    return {"scan_id": scan.pk, "year": scan.year, "enterprises": scan.enterprises,
            "eligible_pairs": scan.eligible_pairs, "new_pairs": scan.new_pairs,
            "dropped_pairs": scan.dropped_pairs, "total": str(scan.total)}
