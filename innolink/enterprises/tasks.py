"""Background work of the registry: imports run as jobs with progress.

Uploaded files wait in ``MEDIA_ROOT/imports/`` for their job (the registry's and the
researchers' imports). A file is removed once nothing can use it: after an import, a failure or
a check that found errors; a clean check keeps it for the confirmation. Files nobody confirmed
are removed after ``INNOLINK_UPLOAD_RETENTION_DAYS`` days (default 7), checked whenever a new
upload is stored.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings

from innolink.core.errors import ApplicationError
from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.enterprises.services import registry_import

IMPORT_KIND = "enterprises.import"


def upload_path(name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def store_upload(content: bytes, suffix: str) -> str:
    """Keep an uploaded file for its job under a new random name (returned); files past the
    retention period are removed first."""
    purge_stale_uploads()
    name = f"{uuid.uuid4().hex}.{suffix}"
    upload_path(name).write_bytes(content)
    return name


def read_upload(name: str) -> bytes:
    try:
        return upload_path(name).read_bytes()
    except FileNotFoundError:
        days = settings.INNOLINK["UPLOAD_RETENTION_DAYS"]
        raise ApplicationError(f"上传的文件已不存在（未确认的文件保留 {days} 天），请重新上传",
                               code="import_gone") from None


def purge_stale_uploads(*, now: float | None = None) -> int:
    """Remove uploaded files older than the retention period; returns how many."""
    limit = (now if now is not None else time.time()) - (
        settings.INNOLINK["UPLOAD_RETENTION_DAYS"] * 86400)
    removed = 0
    for path in upload_path("x").parent.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed by another process meanwhile
            pass
    return removed


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
