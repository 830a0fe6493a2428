"""Training the request-routing suggestion model as a background job
(``routing.router_train_start`` starts it)."""

from __future__ import annotations

from innolink.core.jobs import Progress, job_runner
from innolink.servicedesk.routing import TRAIN_KIND, router_train


@job_runner(TRAIN_KIND)
def run_router_train(job, progress: Progress) -> dict:
    from innolink.accounts.models import User

    actor = User.objects.filter(pk=job.created_by_id).first()
    row = router_train(actor=actor, progress=progress)
    return {"model": row.pk, "trained_on": row.trained_on, "held_out": row.held_out,
            "top1": str(row.top1), "top3": str(row.top3)}
