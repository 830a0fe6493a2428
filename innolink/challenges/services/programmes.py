"""Programmes (赛事): the competitions a challenge may belong to."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innolink.challenges import access, validation
from innolink.challenges.models import Programme
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import PermissionDenied, \
    ValidationFailed


PROGRAMME_FIELDS = ("name", "edition", "track", "organizer", "region", "eligibility", "source",
                    "rubric", "timeline")


@transaction.atomic
def programme_save(*, actor, programme: Programme | None, data: dict[str, Any],
                   source: str = "web") -> Programme:
    """Create or edit a contest / published list (organizer only). Audited."""
    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以管理赛事/榜单批次"))
    clean = validation.clean_programme(data)
    duplicate = Programme.objects.filter(name=clean["name"])
    if programme is not None:
        duplicate = duplicate.exclude(pk=programme.pk)
    if duplicate.exists():
        raise ValidationFailed({"name": [_("赛事/榜单名称：已存在同名记录")]})
    if programme is None:
        programme = Programme.objects.create(**clean)
        audit_record(actor=actor, action="create", instance=programme,
                     changes=audit_diff({}, clean), source=source)
        return programme
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for key, value in clean.items():
        setattr(programme, key, value)
    programme.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=programme, changes=changes,
                     source=source)
    return programme
