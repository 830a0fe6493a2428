"""Reviewers' profiles and declared conflicts of interest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.urls import reverse

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.errors import PermissionDenied
from innolink.core.notifications import notify
from innolink.events import access
from innolink.events.models import (
    AssignmentState,
    DeclaredConflict,
    ReviewAssignment,
    ReviewerProfile,
    RoundState,
)
from innolink.events.services._common import (
    _fail,
    _int_in,
    _staff_users,
)


@transaction.atomic
def reviewer_profile_save(*, actor, user: User, title: str = "", fields: Sequence[str] = (),
                          keywords: str = "", station: str = "",
                          other_institutions: Iterable[Institution] = (),
                          enterprises: Iterable = (), default_max_load: int = 8,
                          is_demo: bool = False, source: str = "web") -> ReviewerProfile:
    """Create or update a reviewer's profile (by staff or the reviewer themselves)."""
    from innolink.challenges.models import Domain

    if not (access.is_event_staff(actor) or (actor is not None and actor.pk == user.pk)):
        raise PermissionDenied()
    if user.role != Role.REVIEWER:
        raise _fail("user", _("只有评审专家可以建立评审档案"))
    bad = [f for f in fields if f not in Domain.values]
    if bad:
        raise _fail("fields", _("评审领域无效：%(fields)s；应为六大领域之一") % {
            "fields": _("、").join(bad)})
    load = _int_in(default_max_load, "default_max_load", N_("默认评审上限"), 1, 200)
    profile, created = ReviewerProfile.objects.get_or_create(user=user, defaults={
        "is_demo": is_demo, "default_max_load": load})
    before = snapshot(profile, ["title", "fields", "keywords", "station", "default_max_load"])
    before["other_institutions"] = sorted(profile.other_institutions.values_list("pk", flat=True))
    before["enterprises"] = sorted(profile.enterprises.values_list("pk", flat=True))
    profile.title, profile.fields, profile.keywords = title[:32], list(fields), keywords[:300]
    profile.station, profile.default_max_load = station.strip()[:120], load
    profile.save()
    profile.other_institutions.set(list(other_institutions))
    profile.enterprises.set(list(enterprises))
    after = snapshot(profile, ["title", "fields", "keywords", "station", "default_max_load"])
    after["other_institutions"] = sorted(i.pk for i in profile.other_institutions.all())
    after["enterprises"] = sorted(e.pk for e in profile.enterprises.all())
    changes = audit_diff({} if created else before, after)
    if changes or created:
        audit_record(actor=actor, action="create" if created else "update", instance=profile,
                     changes=changes, source=source)
    return profile


@transaction.atomic
def conflict_declare(*, actor, reviewer: User, reason: str, proposal=None, researcher=None,
                     enterprise=None, source: str = "web") -> DeclaredConflict:
    """Record a declared conflict of interest; any unsubmitted assignment it touches in an
    open round is withdrawn (and audited)."""
    if not (access.is_event_staff(actor) or (actor is not None and actor.pk == reviewer.pk)):
        raise PermissionDenied()
    if reviewer.role != Role.REVIEWER:
        raise _fail("reviewer", _("只有评审专家可以声明回避"))
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("请填写回避理由"))
    if len(reason) > 200:
        raise _fail("reason", _("回避理由不能超过 200 个字"))
    if sum(x is not None for x in (proposal, researcher, enterprise)) != 1:
        raise _fail("proposal", _("请选择回避的对象：一个方案、一位科研人员或一家企业（三选一）"))
    declared = DeclaredConflict.objects.create(reviewer=reviewer, proposal=proposal,
                                               researcher=researcher, enterprise=enterprise,
                                               reason=reason)
    audit_record(actor=actor, action="create", instance=declared, source=source,
                 changes={"reviewer": [None, reviewer.pk], "reason": [None, reason]})
    touched = ReviewAssignment.objects.filter(
        reviewer=reviewer, state=AssignmentState.ASSIGNED,
        round__state__in=[RoundState.DRAFT, RoundState.SCORING])
    if proposal is not None:
        touched = touched.filter(entry__proposal=proposal)
    elif researcher is not None:
        touched = touched.filter(entry__proposal__researcher=researcher)
    else:
        touched = touched.filter(entry__proposal__challenge__enterprise=enterprise)
    withdrawn = list(touched)
    if withdrawn:
        audit_record_many(actor=actor, action="delete", source=source, note="声明回避，撤回评审任务",
                          items=[(a, {"reviewer": [a.reviewer_id, None]}) for a in withdrawn])
        ReviewAssignment.objects.filter(pk__in=[a.pk for a in withdrawn]).delete()
        rounds = sorted({a.round_id for a in withdrawn})
        notify(recipients=_staff_users(), title=f"评审专家 {reviewer} 声明回避，{len(withdrawn)} 份评审待重新分配",
               body=f"理由：{reason}",
               url=reverse("events:round-detail", args=[rounds[0]]), kind="events.recused")
    return declared
