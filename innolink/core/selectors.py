from __future__ import annotations

from innolink.accounts.roles import Role, has_role
from innolink.core.errors import NotFound
from innolink.core.models import Job


def jobs_visible_to(user):
    if has_role(user, Role.ADMIN):
        return Job.objects.all()
    if user and user.is_authenticated:
        return Job.objects.filter(created_by=user)
    return Job.objects.none()


def job_for_user(user, pk) -> Job:
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job
