"""Invitations to an event: from proposals and offer interests, shortlisted, cancelled."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from typing import Any

from django.db import transaction

from innolink.core.audit import audit_record, audit_record_many
from innolink.core.errors import Conflict
from innolink.events import selectors
from innolink.events.models import (
    Event,
    Invitation,
    InvitationKind,
    InvitationState,
    Meeting,
)
from innolink.events.services._common import (
    _editable,
    _fail,
    _int_in,
    _locked_event,
    _staff,
)
from innolink.events.errors import ALREADY_CANCELLED, ALREADY_INVITED


def _sides_of_proposal(proposal) -> dict[str, Any]:
    ch = proposal.challenge
    return {"host_enterprise": ch.enterprise, "host_institution": None if ch.enterprise_id
            else ch.institution,
            "host_issuer": ch.issuer if not (ch.enterprise_id or ch.institution_id) else None,
            "guest_researcher": proposal.researcher,
            "guest_institution": None, "topic": ch.title[:200]}


def _sides_of_interest(interest) -> dict[str, Any]:
    offer = interest.offer
    return {"host_enterprise": interest.enterprise, "host_institution": None, "host_issuer": None,
            "guest_researcher": offer.researcher,
            "guest_institution": None if offer.researcher_id else offer.institution,
            "topic": offer.title[:200]}


@transaction.atomic
def invitation_create(*, actor, event: Event, proposal=None, offer_interest=None,
                      priority: int = 1, source: str = "web") -> Invitation:
    """Invite a pair: a shortlisted (or matched) proposal's poster and researcher, or an
    enterprise and the technology offer it is interested in."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    if (proposal is None) == (offer_interest is None):
        raise _fail("proposal", _("请选择一个入围方案或一个成果合作意向（二选一）"))
    priority = _int_in(priority, "priority", N_("优先级"), 1, 5)
    if proposal is not None:
        if proposal.state not in ("shortlisted", "matched"):
            raise _fail("proposal", _("方案当前状态为“%(state)s”，只能邀请入围或对接成功的方案")
                        % {"state": proposal.get_state_display()})
        sides, kind = _sides_of_proposal(proposal), InvitationKind.PROPOSAL
        if event.invitations.filter(proposal=proposal).exists():
            raise Conflict(_("该方案已在本活动的邀请名单中"), code=ALREADY_INVITED)
    else:
        if offer_interest.state != "open":
            raise _fail("offer_interest", _("该合作意向已结束，不能邀请"))
        sides, kind = _sides_of_interest(offer_interest), InvitationKind.OFFER
        if event.invitations.filter(offer_interest=offer_interest).exists():
            raise Conflict(_("该合作意向已在本活动的邀请名单中"), code=ALREADY_INVITED)
    invitation = Invitation.objects.create(event=event, kind=kind, proposal=proposal,
                                           offer_interest=offer_interest, priority=priority,
                                           **sides)
    audit_record(actor=actor, action="create", instance=invitation, source=source,
                 changes={"event": [None, event.pk], "kind": [None, kind],
                          "host": [None, invitation.host_name],
                          "guest": [None, invitation.guest_name], "priority": [None, priority]})
    return invitation


@transaction.atomic
def invitations_invite_shortlisted(*, actor, event: Event, source: str = "web") -> int:
    """Invite every shortlisted proposal and open offer interest not yet invited."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    candidates = selectors.invitation_candidates(event)
    created = []
    for proposal in candidates["proposals"]:
        created.append(Invitation(event=event, kind=InvitationKind.PROPOSAL, proposal=proposal,
                                  **_sides_of_proposal(proposal)))
    for interest in candidates["interests"]:
        created.append(Invitation(event=event, kind=InvitationKind.OFFER,
                                  offer_interest=interest, **_sides_of_interest(interest)))
    created = Invitation.objects.bulk_create(created)  # pks set on SQLite and PostgreSQL
    audit_record_many(actor=actor, action="create", source=source, items=[
        (inv, {"event": [None, event.pk], "kind": [None, inv.kind],
               "host": [None, inv.host_name], "guest": [None, inv.guest_name]})
        for inv in created])
    return len(created)


@transaction.atomic
def invitation_cancel(*, actor, invitation: Invitation, source: str = "web") -> Invitation:
    _staff(actor)
    _editable(_locked_event(invitation.event))
    invitation = Invitation.objects.get(pk=invitation.pk)
    if invitation.state == InvitationState.CANCELLED:
        raise Conflict(_("该邀请已取消"), code=ALREADY_CANCELLED)
    meeting = Meeting.objects.filter(invitation=invitation).first()
    changes = {"state": [invitation.state, InvitationState.CANCELLED]}
    if meeting is not None:
        changes["meeting"] = [str(meeting), None]
        meeting.delete()
    invitation.state = InvitationState.CANCELLED
    invitation.unscheduled_reason, invitation.unscheduled_message = "", {}
    invitation.save(update_fields=["state", "unscheduled_reason", "unscheduled_message"])
    audit_record(actor=actor, action="transition", instance=invitation, changes=changes,
                 source=source)
    return invitation
