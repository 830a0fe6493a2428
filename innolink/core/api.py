from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from ninja import Router

from innolink.core.notifications import notifications_for
from innolink.core.schemas import ERRORS, JobOut, MeOut, NotificationOut, NotificationPage
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
