"""Background jobs of the overview: the refresh of its tallies and the weekly brief."""

from __future__ import annotations

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.dashboard.services import (
    BRIEF_KIND,
    REFRESH_KIND,
    brief_generate,
    overview_refresh,
)

__all__ = ["BRIEF_KIND", "REFRESH_KIND", "run_brief", "run_refresh"]


@job_runner(REFRESH_KIND)
def run_refresh(job: Job, progress: Progress) -> dict:
    return {"touched": overview_refresh(progress=progress,
                                        recount=bool(job.params.get("recount")))}


@job_runner(BRIEF_KIND)
def run_brief(job: Job, progress: Progress) -> dict:
    row = brief_generate(scheduled=True)
    return {"brief": row.pk, "week_start": row.week_start.isoformat()}
