"""Background work of events: scheduling a large event runs as a job with progress."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.events.models import Event
from innolink.events.services.events import SCHEDULE_KIND, event_schedule

__all__ = ["SCHEDULE_KIND", "run_event_schedule"]


@job_runner(SCHEDULE_KIND, result_template="events/_schedule_result.html")
def run_event_schedule(job: Job, progress: Progress) -> dict:
    event = Event.objects.get(pk=job.params["event_id"])
    progress(0, 1, N_("正在排程（CP-SAT）…"), force=True)
    outcome = event_schedule(actor=job.created_by, event=event,
                             time_limit_s=float(job.params.get("time_limit_s", 30)),
                             source=f"job:{str(job.pk)[:8]}")
    progress(1, 1, N_("排程完成"), force=True)
    return {"event_id": event.pk, "placed": outcome.placed, "unplaced": len(outcome.unplaced),
            "optimal": outcome.optimal}
