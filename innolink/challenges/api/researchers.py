"""API of researchers: one's own profile and the organizers' researcher import."""

from __future__ import annotations

from django.utils.translation import gettext
from ninja import File, Form
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.challenges import selectors, services
from innolink.core.errors import NotFound
from innolink.challenges.api.schemas import (
    ProfileIn,
    ProfileOut,
    ResearcherImportJobOut,
    _no_nul,
)
from innolink.challenges.api._router import router


@router.get("/profile", response={200: ProfileOut, **ERRORS})
def profile_get(request):
    profile = selectors.profile_of(request.auth)
    if profile is None:
        raise NotFound(gettext("尚未登记科研人员/团队信息"))
    return profile


@router.put("/profile", response={200: ProfileOut, **ERRORS})
def researcher_profile_save(request, payload: ProfileIn):
    data = {k: _no_nul(v) for k, v in payload.dict().items()}
    return services.researcher_profile_save(actor=request.auth, data=data, source="api")


@router.post("/researchers/import",
             response={200: dict, 202: ResearcherImportJobOut, **ERRORS})
def researcher_import_start(request, file: File[UploadedFile], commit: Form[bool] = False):
    """Organizers: a .xlsx/.csv of researchers, upserted by e-mail; all or nothing, errors row
    by row.

    - ``commit=false`` on a small file (CSV up to 256 KiB, .xlsx up to 64 KiB, about 1,300
      rows): **200** with the check, ``{rows, created, updated, unchanged, committed: false,
      errors: [{row, column, value, reason}], error_count, preview}``. Nothing is written.
    - ``commit=true``, or a check of a larger file: **202** with ``{job_id, status}``. The work
      runs as a background job; poll ``GET /api/jobs/{job_id}`` until ``status`` is
      ``succeeded`` or ``failed``. A succeeded job's ``result`` has the shape above
      (``committed: true`` when the import wrote the file; a file with errors writes nothing
      and its ``errors`` say why). A file that cannot be read ends as a ``failed`` job whose
      ``message`` gives the reason.
    - A file of the wrong type, empty or over 10 MB is refused at once (**400**), with no job.
    """
    content = file.read()
    filename = file.name or ""
    outcome = services.researcher_import_now_or_later(actor=request.auth, content=content,
                                                      filename=filename, commit=commit,
                                                      source="api")
    if isinstance(outcome, dict):  # a small check, answered now
        return outcome
    return Status(202, ResearcherImportJobOut(job_id=outcome.pk, status=outcome.status))
