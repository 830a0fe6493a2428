"""Attachments of a challenge, a proposal or an offer."""

from __future__ import annotations


from django.db import transaction
from django.utils.translation import gettext as _

from innolink.challenges import access, lifecycle, validation
from innolink.challenges.models import (
    OPEN_PROPOSAL_STATES,
    Attachment,
    Challenge,
    Proposal,
    TechnologyOffer,
)
from innolink.core.audit import audit_record
from innolink.core.errors import ApplicationError, Conflict, NotFound
from innolink.challenges.errors import NOT_EDITABLE


@transaction.atomic
def attachment_add(*, actor, upload, kind: str, challenge: Challenge | None = None,
                   proposal: Proposal | None = None, offer: TechnologyOffer | None = None,
                   source: str = "web") -> Attachment:
    """Attach a checked file to a record the actor may edit (type by extension and content,
    size at most 10 MB)."""
    if challenge is not None:
        if not access.owns_challenge(actor, challenge):
            raise NotFound()
        if challenge.state not in lifecycle.EDITABLE_STATES:
            raise Conflict(_("只有草稿或退回修改的榜单可以添加附件"), code=NOT_EDITABLE)
    elif proposal is not None:
        if proposal.researcher.user_id != actor.pk:
            raise NotFound()
        if proposal.state not in OPEN_PROPOSAL_STATES:
            raise Conflict(_("该方案已结束，不能添加附件"), code=NOT_EDITABLE)
    elif offer is not None:
        if not access.owns_offer(actor, offer):
            raise NotFound()
    else:
        raise ApplicationError(_("附件必须属于一条记录"))
    head = upload.read(16)
    upload.seek(0)
    name, content_type = validation.clean_attachment(name=upload.name or "", head=head,
                                                     size=upload.size or 0, kind=kind)
    attachment = Attachment(challenge=challenge, proposal=proposal, offer=offer, kind=kind,
                            original_name=name, content_type=content_type, size=upload.size,
                            uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    owner = challenge or proposal or offer
    audit_record(actor=actor, action="update", instance=owner,
                 changes={"attachments": [None, f"{name} ({upload.size} B)"]}, source=source)
    return attachment
