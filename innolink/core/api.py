from __future__ import annotations

import uuid

from ninja import Router

from innolink.core.schemas import ERRORS, JobOut, MeOut
from innolink.core.selectors import job_for_user

router = Router(tags=["platform"])


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    user = request.auth
    return MeOut(id=user.pk, username=user.username, display_name=str(user), role=user.role,
                 role_label=str(user.get_role_display()), enterprise_id=user.enterprise_id,
                 institution_id=user.institution_id, department_id=user.department_id)


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS})
def job_detail(request, job_id: uuid.UUID):
    job = job_for_user(request.auth, job_id)
    return JobOut(id=job.pk, kind=job.kind, title=job.title_text, status=job.status, done=job.done,
                  total=job.total, percent=job.percent, message=job.message_text,
                  message_id=job.message, message_params=job.message_params, result=job.result,
                  created_at=job.created_at, finished_at=job.finished_at)
