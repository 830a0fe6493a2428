from __future__ import annotations

import uuid
from datetime import datetime

from django.core.paginator import Paginator
from ninja import Router, Schema

from innolink.core.notifications import notifications_for
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


class NotificationOut(Schema):
    id: int
    kind: str
    title: str  # in the reader's language (Accept-Language / the language cookie)
    body: str  # likewise, followed by the sender's note as written
    title_id: str  # the stored msgids (Chinese source text) and values, stable across
    body_id: str  # languages; empty for a notification from before ADR 0790
    title_params: dict
    body_params: dict
    note: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[NotificationOut]


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


@router.get("/notifications", response={200: NotificationPage, **ERRORS})
def notification_list(request, q: str = "", unread: bool = False, page: int = 1,
                      page_size: int = 50):
    """The caller's notifications, newest first, worded in the request's language; ``q`` is
    looked for in the stored (platform-language) title and body."""
    rows = notifications_for(request.auth, unread_only=unread,
                             query=q.replace("\x00", "").strip()[:50])
    paginator = Paginator(rows, max(1, min(page_size, 100)))
    current = paginator.get_page(page)
    return NotificationPage(count=paginator.count, page=current.number, pages=paginator.num_pages,
                            items=[NotificationOut(
                                id=n.pk, kind=n.kind, title=n.title_text, body=n.body_text,
                                title_id=n.title_msgid, body_id=n.body_msgid,
                                title_params=n.title_params, body_params=n.body_params,
                                note=n.note, url=n.url, created_at=n.created_at,
                                read_at=n.read_at) for n in current.object_list])
