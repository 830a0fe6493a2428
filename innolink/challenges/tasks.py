"""Background work of the challenge board: the bulk researcher import runs as a job with
progress (decision 0312).

Tasks import the services they run, never the reverse: a service starts a job by its kind
(``services.RESEARCHER_IMPORT_KIND``, ``listing_services.LISTING_IMPORT_KIND``), and
``innolink.core.jobs`` finds the runner registered here under that kind."""

from __future__ import annotations

import datetime as dt

from innolink.challenges.listing_services import LISTING_IMPORT_KIND, listing_import_run
from innolink.challenges.services import RESEARCHER_IMPORT_KIND, researcher_import
from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.enterprises.tasks import read_upload, upload_path


@job_runner(RESEARCHER_IMPORT_KIND, result_template="challenges/_import_result.html")
def run_researcher_import(job: Job, progress: Progress) -> dict:
    """Check (or import) the stored file as the user who uploaded it, in one transaction.

    The stored file is kept only while it can still be used: after a clean check, for the
    confirmation. After an import, a failure or a check with errors it is removed.
    """
    params = job.params
    path = upload_path(params["stored_as"])
    keep = False
    try:
        content = read_upload(params["stored_as"])
        source = f"import:{str(job.pk)[:8]}"
        if params.get("source") == "api":
            source = f"api:{source}"
        outcome = researcher_import(actor=job.created_by, content=content,
                                    filename=params["filename"], commit=params["commit"],
                                    progress=progress, source=source)
        keep = not params["commit"] and not outcome["errors"]
        return outcome
    finally:
        if not keep:
            path.unlink(missing_ok=True)


@job_runner(LISTING_IMPORT_KIND, result_template="challenges/_listing_import_result.html")
def run_listing_import(job: Job, progress: Progress) -> dict:
    """Check (or import) a stored 榜单 file as the organizer who uploaded it. The file stays
    after a clean check (for the confirmation) and is removed otherwise."""
    params = job.params
    path = upload_path(params["stored_as"])
    keep = False
    try:
        content = read_upload(params["stored_as"])
        source = f"import:{str(job.pk)[:8]}"
        if params.get("source") == "api":
            source = f"api:{source}"
        deadline = dt.date.fromisoformat(params["deadline"]) if params.get("deadline") else None
        outcome = listing_import_run(
            actor=job.created_by, content=content, filename=params["filename"],
            choices=params["choices"], programme_id=params.get("programme"),
            default_deadline=deadline, publish=params.get("publish", False),
            commit=params["commit"], source=source, progress=progress)
        keep = not params["commit"] and not outcome["error_count"]
        return outcome
    finally:
        if not keep:
            path.unlink(missing_ok=True)
