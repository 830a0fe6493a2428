"""Background jobs of the overview: the refresh of its tallies and the weekly brief."""

from __future__ import annotations

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job

REFRESH_KIND = "dashboard.refresh"
BRIEF_KIND = "dashboard.brief"


@job_runner(REFRESH_KIND)
def run_refresh(job: Job, progress: Progress) -> dict:
    from innolink.dashboard.services import overview_refresh

    return {"touched": overview_refresh(progress=progress,
                                        recount=bool(job.params.get("recount")))}


@job_runner(BRIEF_KIND)
def run_brief(job: Job, progress: Progress) -> dict:
    from innolink.dashboard.services import brief_generate

    row = brief_generate(scheduled=True)
    return {"brief": row.pk, "week_start": row.week_start.isoformat()}
