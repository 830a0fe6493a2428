from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.paginator import Paginator
from ninja import File, Form, Query, Router
from ninja.responses import Status
from ninja.files import UploadedFile

from innolink.accounts.roles import can_import_registry, can_read_registry, can_see_audit
from innolink.core.schemas import ERRORS
from innolink.core.audit import audit_trail_for
from innolink.core.errors import PermissionDenied
from innolink.core.selectors import job_for_user
from innolink.enterprises import selectors, services
from innolink.enterprises.models import EnterpriseYear, IndicatorDefinition
from innolink.enterprises.schemas import (
    AuditOut,
    CatalogueIndicatorOut,
    EnterpriseDetailOut,
    EnterprisePage,
    ImportJobOut,
    SearchIn,
    YearOut,
)

router = Router(tags=["enterprises"])


@router.get("", response={200: EnterprisePage, **ERRORS})
def enterprise_list(request, filters: Query[SearchIn]):
    user = request.auth
    if not can_read_registry(user):
        raise PermissionDenied()
    size = max(1, min(filters.page_size, 100))
    query = selectors.enterprise_search(user, selectors.EnterpriseFilters(
        q=filters.q, town=filters.town, section=filters.section, ownership=filters.ownership,
        size_class=filters.size_class, tag=filters.tag))
    paginator = Paginator(query, size)
    page = paginator.get_page(filters.page)
    return EnterprisePage(count=paginator.count, page=page.number, pages=paginator.num_pages,
                          items=list(page.object_list))


@router.get("/indicators", response={200: list[CatalogueIndicatorOut], **ERRORS})
def indicator_list(request):
    return list(IndicatorDefinition.objects.all())


@router.get("/{int:enterprise_id}", response={200: EnterpriseDetailOut, **ERRORS})
def enterprise_detail(request, enterprise_id: int):
    return selectors.enterprise_for_user(request.auth, enterprise_id)


@router.get("/{int:enterprise_id}/years", response={200: list[YearOut], **ERRORS})
def enterprise_years(request, enterprise_id: int):
    enterprise = selectors.enterprise_for_user(request.auth, enterprise_id)
    return [YearOut(year=y.year, values={k: Decimal(v) for k, v in y.values.items()})
            for y in EnterpriseYear.objects.filter(enterprise=enterprise).order_by("year")]


@router.get("/{int:enterprise_id}/audit", response={200: list[AuditOut], **ERRORS})
def enterprise_audit(request, enterprise_id: int):
    enterprise = selectors.enterprise_for_user(request.auth, enterprise_id)
    if not can_see_audit(request.auth):
        raise PermissionDenied()
    return [AuditOut(at=e.at, actor=e.actor_label if (e.actor_id or e.actor_username) else None,
                     action=e.action,
                     changes=e.changes, source=e.source)
            for e in audit_trail_for(enterprise)[:200]]


@router.post("/imports", response={202: ImportJobOut, **ERRORS})
def import_start(request, file: File[UploadedFile], commit: Form[bool] = False):
    """Upload an .xlsx or .csv; a dry run unless ``commit`` is true. Poll /api/jobs/{id}."""
    if not can_import_registry(request.auth):
        raise PermissionDenied()
    job = services.registry_import_start(content=file.read(), filename=file.name or "",
                                         actor=request.auth, commit=commit)
    return Status(202, ImportJobOut(job_id=job.pk, status=job.status))


@router.post("/imports/{job_id}/commit", response={202: ImportJobOut, **ERRORS})
def import_commit(request, job_id: uuid.UUID):
    if not can_import_registry(request.auth):
        raise PermissionDenied()
    job = services.registry_import_commit(job=job_for_user(request.auth, job_id),
                                          actor=request.auth)
    return Status(202, ImportJobOut(job_id=job.pk, status=job.status))
