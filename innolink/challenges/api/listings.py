"""API of the 榜单 import (the page's service, decision 0355; ADR 0171): upload, column
mapping, commit and the per-row report."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils.translation import gettext
from ninja import File, Form
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.challenges import access
from innolink.core.errors import NotFound, PermissionDenied
from innolink.challenges.api.schemas import (
    ListingImportColumnOut,
    ListingImportFieldOut,
    ListingImportJobOut,
    ListingImportMapIn,
    ListingImportMappingOut,
    ListingImportProblemOut,
    ListingImportReportOut,
    _no_nul,
)
from innolink.challenges.api._router import router


def _listing_job_out(job) -> ListingImportJobOut:
    return ListingImportJobOut(job_id=job.pk, status=job.status,
                               commit=bool(job.params.get("commit")))


def _mapping_out(prepared) -> ListingImportMappingOut:
    from innolink.challenges import listing_import

    columns = [ListingImportColumnOut(
        header=h, guess=prepared.guesses.get(h) or None,
        samples=[r[i] for r in prepared.sample if i < len(r) and r[i]][:2])
        for i, h in enumerate(prepared.headers) if h]
    return ListingImportMappingOut(
        needs_mapping=True, token=prepared.token, filename=prepared.filename, columns=columns,
        fields=[ListingImportFieldOut(key=f.key, label=str(f.label))
                for f in listing_import.FIELDS]
        + [ListingImportFieldOut(key=listing_import.IGNORE, label=gettext("忽略此列"))])


@router.post("/listings/import",
             response={200: ListingImportMappingOut, 202: ListingImportJobOut, **ERRORS})
def listing_import(request, file: File[UploadedFile], commit: Form[bool] = False,
                   programme: Form[int | None] = None,
                   default_deadline: Form[dt.date | None] = None,
                   publish: Form[bool] = False):
    """Organizers: upload a 榜单 (.xlsx/.csv, GBK CSV read); the same service as the import
    page, all or nothing, audited.

    - Every column known (by alias or a remembered mapping): **202** ``{job_id, status,
      commit}``. The check (``commit=false``) or the import (``commit=true``: a clean file is
      written, a file with any error writes nothing) runs as a background job; poll
      ``GET /api/jobs/{job_id}``, then read ``GET /api/challenges/listings/import/{job_id}``
      for the per-row report. A clean check is imported with
      ``POST /api/challenges/listings/import/{job_id}/commit``.
    - A column nobody has named yet: **200** ``{needs_mapping: true, token, columns, fields}``;
      answer with ``POST /api/challenges/listings/import/mapping`` (remembered for next time).
    - A file of the wrong type, empty, without a header or over 10 MB: **400**, no job.
    """
    from innolink.challenges import listing_services

    prepared = listing_services.listing_import_upload(
        actor=request.auth, content=file.read(), filename=file.name or "",
        programme_id=programme, default_deadline=default_deadline, publish=publish)
    if prepared.needs_mapping:
        return _mapping_out(prepared)
    job = listing_services.listing_import_start(actor=request.auth, token=prepared.token,
                                                source="api", commit=commit)
    return Status(202, _listing_job_out(job))


@router.post("/listings/import/mapping", response={202: ListingImportJobOut, **ERRORS})
def listing_import_map(request, payload: ListingImportMapIn):
    """Answer the column mapping of an upload (every header: a field key or ``ignore``); the
    answers are remembered and the check (or, with ``commit``, the import) job starts."""
    from innolink.challenges import listing_services

    job = listing_services.listing_import_map(
        actor=request.auth, token=_no_nul(payload.token),
        choices={_no_nul(k): _no_nul(v) for k, v in payload.choices.items()},
        source="api", commit=payload.commit)
    return Status(202, _listing_job_out(job))


def _listing_job(request, job_id: uuid.UUID):
    from innolink.challenges.listing_services import LISTING_IMPORT_KIND
    from innolink.core.selectors import job_for_user

    if not access.is_board_staff(request.auth):
        raise PermissionDenied()
    job = job_for_user(request.auth, job_id)
    if job.kind != LISTING_IMPORT_KIND:
        raise NotFound()
    return job


@router.post("/listings/import/{uuid:job_id}/commit",
             response={202: ListingImportJobOut, **ERRORS})
def listing_import_commit(request, job_id: uuid.UUID):
    """Import the file of a finished, clean check job, once (409 otherwise)."""
    from innolink.challenges import listing_services

    job = listing_services.listing_import_commit(actor=request.auth,
                                                 job=_listing_job(request, job_id))
    return Status(202, _listing_job_out(job))


@router.get("/listings/import/{uuid:job_id}", response={200: ListingImportReportOut, **ERRORS})
def listing_import_report(request, job_id: uuid.UUID):
    """The per-row report of a check or import job, reasons in the request's language."""
    from innolink.challenges.listing_import import render_reason

    job = _listing_job(request, job_id)
    r = job.result or {}

    def problems(key):
        return [ListingImportProblemOut(
            row=int(p.get("row") or 0), column=str(p.get("column") or ""),
            value=str(p.get("value") or ""), code=str(p.get("code") or ""),
            reason=render_reason(p.get("code") or "", p.get("params")),
            fatal=bool(p.get("fatal"))) for p in r.get(key) or []]

    return ListingImportReportOut(
        job_id=job.pk, status=job.status, commit=bool(job.params.get("commit")),
        message=job.message or "", committed=bool(r.get("committed")),
        rows=int(r.get("rows") or 0), listings=int(r.get("listings") or 0),
        created=int(r.get("created") or 0), published=int(r.get("published") or 0),
        error_count=int(r.get("error_count") or 0),
        warning_count=int(r.get("warning_count") or 0),
        errors=problems("errors"), warnings=problems("warnings"),
        preview=list(r.get("preview") or []))
