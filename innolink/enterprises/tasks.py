"""Background work of the registry: imports run as jobs with progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.enterprises.services import registry_import

IMPORT_KIND = "enterprises.import"


def upload_path(name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@job_runner(IMPORT_KIND, result_template="enterprises/_import_result.html")
def run_registry_import(job: Job, progress: Progress) -> dict:
    params = job.params
    content = upload_path(params["stored_as"]).read_bytes()
    outcome = registry_import(content=content, filename=params["filename"], actor=job.created_by,
                              commit=params["commit"], progress=progress,
                              source=f"import:{str(job.pk)[:8]}")
    return outcome.as_dict()
