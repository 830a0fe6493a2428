"""Helpers the challenge board's services share: the row lock of a challenge, who hears
about it, its lifecycle steps (``lifecycle.TRANSITIONS``) and their labels, a required
text, and the closing of the open proposals a challenge leaves behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext, pgettext_lazy

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.challenges import access, lifecycle
from innolink.challenges.models import (
    OPEN_PROPOSAL_STATES,
    PUBLIC_STATES,
    VISIBLE_STATES,
    Challenge,
    Proposal,
    ProposalState,
)
from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, NotFound, PermissionDenied, \
    ValidationFailed
from innolink.core.messages import Message
from innolink.core.notifications import notify
from innolink.challenges.errors import BAD_TRANSITION


WAN = Decimal(10_000)


def _today() -> dt.date:
    return timezone.localdate()


def _challenge_url(challenge: Challenge) -> str:
    return reverse("challenges:detail", args=[challenge.pk])


def _poster_users(challenge: Challenge) -> list[User]:
    if challenge.enterprise_id:
        return list(User.objects.filter(enterprise_id=challenge.enterprise_id,
                                        role=Role.ENTERPRISE, is_active=True))
    return [challenge.created_by] if challenge.created_by_id else []


def _staff_users() -> list[User]:
    return list(User.objects.filter(role__in=access.BOARD_STAFF, is_active=True))


def _locked(challenge: Challenge) -> Challenge:
    """Re-read the challenge under a row lock: concurrent transitions and claims serialize."""
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


#: the msgctxt of a lifecycle step's label: the same words name a state elsewhere ("退回修改")
STEP_CONTEXT = "challenge step"
OFFER_STEP_CONTEXT = "offer step"
#: the labels as catalogue entries, so makemessages finds them (the tables hold them as plain
#: strings: ``lifecycle`` stays free of Django)
_STEP_MSGIDS = (
    pgettext_lazy("challenge step", "提交审核"), pgettext_lazy("challenge step", "退回修改"),
    pgettext_lazy("challenge step", "不予发布"), pgettext_lazy("challenge step", "张榜发布"),
    pgettext_lazy("challenge step", "揭榜"), pgettext_lazy("challenge step", "恢复待揭榜"),
    pgettext_lazy("challenge step", "入围遴选"), pgettext_lazy("challenge step", "确认对接成功"),
    pgettext_lazy("challenge step", "登记合同"), pgettext_lazy("challenge step", "完成节点"),
    pgettext_lazy("challenge step", "验收通过"), pgettext_lazy("challenge step", "结项"),
    pgettext_lazy("challenge step", "撤回"), pgettext_lazy("challenge step", "过期下榜"),
    # an offer's (``OFFER_TRANSITIONS``)
    pgettext_lazy("offer step", "提交审核"), pgettext_lazy("offer step", "退回修改"),
    pgettext_lazy("offer step", "不予发布"), pgettext_lazy("offer step", "发布"),
    pgettext_lazy("offer step", "撤回"), pgettext_lazy("offer step", "关闭"),
)


def step_label(transition: lifecycle.Transition | str) -> str:
    """A challenge step's label (a button, a refusal) in the active language; the table in
    ``lifecycle`` keeps the Chinese msgid, as it stays free of Django."""
    if isinstance(transition, str):
        transition = lifecycle.TRANSITIONS[transition]
    return pgettext(STEP_CONTEXT, transition.label)


def _transition(*, actor, challenge: Challenge, action: str, note: str = "",
                extra_changes: dict[str, list[Any]] | None = None, source: str = "web",
                actors: set[str] | None = None) -> Challenge:
    """Move a locked challenge through ``action`` if the table allows it for this actor."""
    actors = access.actors_for(actor, challenge) if actors is None else actors
    transition = _check(challenge=challenge, action=action, actors=actors)
    old = challenge.state
    challenge.state = transition.target
    challenge.on_board = challenge.state in PUBLIC_STATES
    challenge.save()
    audit_record(actor=actor, action="transition", instance=challenge,
                 changes={"state": [old, challenge.state], **(extra_changes or {})},
                 note=note or transition.label, source=source)
    return challenge


def _permit(*, actor, challenge: Challenge, action: str,
            actors: set[str] | None = None) -> set[str]:
    """Who may take ``action`` at all, asked before any rule of the record's state or content
    (a rule's answer such as "还有 2 个合同节点未完成" is for those allowed to act): 404 to
    those who may not see the challenge, 403 to the wrong role. Returns the actor's roles."""
    actors = access.actors_for(actor, challenge) if actors is None else actors
    transition = lifecycle.TRANSITIONS[action]
    if not actors & transition.actors:
        if not actors & {lifecycle.STAFF, lifecycle.OWNER, lifecycle.SYSTEM} \
                and challenge.state not in VISIBLE_STATES:
            raise NotFound()
        raise PermissionDenied(_("您无权对此榜单执行“%(step)s”")
                               % {"step": step_label(transition)})
    return actors


def _check(*, challenge: Challenge, action: str, actors: set[str]) -> lifecycle.Transition:
    """Refuse ``action`` unless the table allows it: 404 to those who may not see the
    challenge, 403 to the wrong role, 409 in the wrong state."""
    transition = lifecycle.TRANSITIONS[action]
    if not lifecycle.allowed(action, challenge.state, actors):
        if not actors & {lifecycle.STAFF, lifecycle.OWNER, lifecycle.SYSTEM} \
                and challenge.state not in VISIBLE_STATES:
            raise NotFound()
        if not actors & transition.actors:
            raise PermissionDenied(_("您无权对此榜单执行“%(step)s”")
                                   % {"step": step_label(transition)})
        raise Conflict(_("榜单当前状态为“%(state)s”，不能%(step)s")
                       % {"state": challenge.get_state_display(),
                          "step": step_label(transition)}, code=BAD_TRANSITION)
    return transition


def _notify_poster(challenge: Challenge, title: str, note: str = "", kind: str = "", *,
                   body: Message | str = "") -> None:
    """``title`` is a msgid (``N_``) with the challenge's title as ``%(t)s``, ``body`` a msgid or
    ``Message``; ``note`` is a person's words or a name, shown as written (ADR 0790)."""
    notify(recipients=_poster_users(challenge), title=title, body=body, note=note,
           params={"t": challenge.title}, url=_challenge_url(challenge), kind=kind)


def _require_text(value: str, field: str, label: str) -> str:
    """``value`` stripped, or a refusal naming the field by ``label`` (a msgid)."""
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise ValidationFailed({field: [_("%(label)s：必填") % {"label": _(label)}]})
    if len(value) > 2000:
        raise ValidationFailed({field: [_("%(label)s：不超过 %(n)s 个字")
                                        % {"label": _(label), "n": 2000}]})
    return value


def _close_open_proposals(challenge: Challenge, *, actor, reason: str, source: str,
                          keep: Proposal | None = None) -> list[Proposal]:
    rows = list(Proposal.objects.filter(challenge=challenge, state__in=OPEN_PROPOSAL_STATES)
                .exclude(pk=keep.pk if keep else None).select_related("researcher__user"))
    for proposal in rows:
        old = proposal.state
        proposal.state = ProposalState.NOT_SELECTED
        proposal.save(update_fields=["state", "updated_at"])
        audit_record(actor=actor, action="transition", instance=proposal,
                     changes={"state": [old, proposal.state]}, note=reason, source=source)
    notify(recipients=[p.researcher.user for p in rows], title=N_("揭榜结果：%(t)s"),
           params={"t": challenge.title}, note=reason, url=_challenge_url(challenge),
           kind="proposal.not_selected")
    return rows
