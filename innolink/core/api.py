from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Router, Schema

from innolink.core.schemas import ERRORS
from innolink.core.selectors import job_for_user

router = Router(tags=["platform"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    enterprise_id: int | None
    institution_id: int | None
    department_id: int | None


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str  # in the reader's language (Accept-Language / the language cookie)
    message_id: str  # the stored msgid (Chinese source text), stable across languages
    message_params: dict
    result: dict
    created_at: datetime
    finished_at: datetime | None


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
