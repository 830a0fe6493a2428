"""Background work of the registry: imports run as jobs with progress.

Uploaded files wait in ``MEDIA_ROOT/imports/`` for their job (the registry's and the
researchers' imports). A file is removed once nothing can use it: after an import, a failure or
a check that found errors; a clean check keeps it for the confirmation. Files nobody confirmed
are removed after ``INNOLINK_UPLOAD_RETENTION_DAYS`` days (default 7), checked whenever a new
upload is stored.
"""

from __future__ import annotations



from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.core.uploads import purge_stale_uploads, read_upload, store_upload, upload_path
from innolink.enterprises.services import IMPORT_KIND, registry_import

__all__ = ["IMPORT_KIND", "purge_stale_uploads", "read_upload", "run_registry_import",
           "store_upload", "upload_path"]


@job_runner(IMPORT_KIND, result_template="enterprises/_import_result.html")
def run_registry_import(job: Job, progress: Progress) -> dict:
    params = job.params
    keep = False
    try:
        content = read_upload(params["stored_as"])
        outcome = registry_import(content=content, filename=params["filename"],
                                  actor=job.created_by, commit=params["commit"],
                                  progress=progress, source=f"import:{str(job.pk)[:8]}")
        result = outcome.as_dict()
        keep = not params["commit"] and not result.get("error_count")
        return result
    finally:
        if not keep:  # imported, failed or refused: nothing will read the file again
            upload_path(params["stored_as"]).unlink(missing_ok=True)
