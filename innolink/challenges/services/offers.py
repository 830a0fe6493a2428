"""Technology offers (拟转化成果): their review steps, the interest of enterprises and the
conversation that follows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role
from innolink.challenges import access, search, validation
from innolink.challenges.models import (
    ConversationMessage,
    OfferInterest,
    OfferState,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, \
    ValidationFailed
from innolink.core.messages import msg
from innolink.core.notifications import notify
from innolink.challenges.errors import (
    ALREADY_INTERESTED,
    BAD_TRANSITION,
    CLOSED,
    NOT_EDITABLE,
    NOT_PUBLISHED,
)

from innolink.challenges.services._common import OFFER_STEP_CONTEXT, _require_text, _staff_users


#: action -> (from states, to state, who, label); the label is a msgid in context
#: ``OFFER_STEP_CONTEXT`` (``offer_step_label``), stored as it is in audit notes
OFFER_TRANSITIONS = {
    "submit": ({"draft", "returned"}, "submitted", "owner", "提交审核"),
    "return": ({"submitted"}, "returned", "staff", "退回修改"),
    "reject": ({"submitted"}, "rejected", "staff", "不予发布"),
    "publish": ({"submitted"}, "published", "staff", "发布"),
    "withdraw": ({"draft", "submitted", "returned", "published"}, "withdrawn", "owner", "撤回"),
    "close": ({"published"}, "closed", "owner staff", "关闭"),
}


def offer_step_label(action: str) -> str:
    """An offer step's label (``OFFER_TRANSITIONS``) in the active language."""
    return pgettext(OFFER_STEP_CONTEXT, OFFER_TRANSITIONS[action][3])


@transaction.atomic
def offer_create(*, actor, data: dict[str, Any], price_unit: Decimal = Decimal(1),
                 source: str = "web") -> TechnologyOffer:
    if not access.can_post_offer(actor):
        raise PermissionDenied(_("只有科研人员和组织方工作人员可以发布拟转化成果"))
    clean = validation.clean_offer(data, price_unit=price_unit)
    researcher = ResearcherProfile.objects.filter(user=actor).first() \
        if access.is_researcher(actor) else None
    institution_id = actor.institution_id if access.is_researcher(actor) \
        else data.get("institution_id")
    if not institution_id or not Institution.objects.filter(pk=institution_id).exists():
        raise ValidationFailed({"institution_id": [_("所属机构：请选择成果所属机构")]})
    offer = TechnologyOffer(**clean, researcher=researcher, institution_id=institution_id,
                            created_by=actor)
    offer.search_text = search.search_text(offer.title, offer.keywords, offer.summary,
                                           offer.applications)
    offer.save()
    audit_record(actor=actor, action="create", instance=offer, changes=audit_diff({}, clean),
                 source=source)
    return offer


@transaction.atomic
def offer_update(*, actor, offer: TechnologyOffer, data: dict[str, Any],
                 price_unit: Decimal = Decimal(1), source: str = "web") -> TechnologyOffer:
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    if not access.owns_offer(actor, offer):
        raise NotFound()
    if offer.state not in ("draft", "returned"):
        raise Conflict(_("只有草稿或退回修改的成果可以编辑"), code=NOT_EDITABLE)
    clean = validation.clean_offer(data, price_unit=price_unit)
    before = snapshot(offer, list(clean))
    for key, value in clean.items():
        setattr(offer, key, value)
    offer.search_text = search.search_text(offer.title, offer.keywords, offer.summary,
                                           offer.applications)
    offer.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=offer, changes=changes,
                     source=source)
    return offer


@transaction.atomic
def offer_submit(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner sends a draft (or a returned offer) to the staff for review."""
    return _offer_transition(actor=actor, offer=offer, action="submit", source=source)


@transaction.atomic
def offer_return(*, actor, offer: TechnologyOffer, comment: str,
                 source: str = "web") -> TechnologyOffer:
    """The staff send a submitted offer back for changes, saying why."""
    return _offer_transition(actor=actor, offer=offer, action="return", comment=comment,
                             source=source)


@transaction.atomic
def offer_reject(*, actor, offer: TechnologyOffer, comment: str,
                 source: str = "web") -> TechnologyOffer:
    """The staff refuse to publish a submitted offer, saying why."""
    return _offer_transition(actor=actor, offer=offer, action="reject", comment=comment,
                             source=source)


@transaction.atomic
def offer_publish(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The staff publish a submitted offer on the offers board."""
    return _offer_transition(actor=actor, offer=offer, action="publish", source=source)


@transaction.atomic
def offer_withdraw(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner takes an offer back (from draft up to published)."""
    return _offer_transition(actor=actor, offer=offer, action="withdraw", source=source)


@transaction.atomic
def offer_close(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner or the staff close a published offer."""
    return _offer_transition(actor=actor, offer=offer, action="close", source=source)


def _offer_transition(*, actor, offer: TechnologyOffer, action: str, comment: str = "",
                      source: str = "web") -> TechnologyOffer:
    """One step of ``OFFER_TRANSITIONS`` (inside the caller's transaction)."""
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    sources, target, who, label = OFFER_TRANSITIONS[action]
    roles = set()
    if access.owns_offer(actor, offer):
        roles.add("owner")
    if access.is_board_staff(actor):
        roles.add("staff")
    if not roles:
        raise NotFound()
    if not roles & set(who.split()):
        raise PermissionDenied(_("您无权对此成果执行“%(step)s”")
                               % {"step": offer_step_label(action)})
    if offer.state not in sources:
        raise Conflict(_("成果当前状态为“%(state)s”，不能%(step)s")
                       % {"state": offer.get_state_display(), "step": offer_step_label(action)},
                       code=BAD_TRANSITION)
    if action in ("return", "reject"):
        comment = _require_text(comment, "comment", N_("审核意见"))
    old = offer.state
    offer.state = target
    if action in ("return", "reject"):
        offer.review_comment = comment
    if action == "publish":
        offer.published_at = timezone.now()
    offer.save()
    audit_record(actor=actor, action="transition", instance=offer,
                 changes={"state": [old, target]}, note=(comment or label)[:300], source=source)
    url = reverse("challenges:offer-detail", args=[offer.pk])
    if action == "submit":
        notify(recipients=_staff_users(), title=N_("待审核成果：%(t)s"), params={"t": offer.title},
               url=url, kind="offer.submitted")
    elif "staff" in roles and offer.created_by_id:
        notify(recipients=[offer.created_by], title=N_("成果%(s)s：%(t)s"), params={
            "s": msg(label, context=OFFER_STEP_CONTEXT), "t": offer.title},
            note=comment, url=url, kind=f"offer.{action}")
    return offer


def _offer_side_users(offer: TechnologyOffer) -> list[User]:
    users = [offer.created_by] if offer.created_by_id else []
    if offer.researcher_id and offer.researcher.user_id:
        users.append(offer.researcher.user)
    return users


@transaction.atomic
def offer_interest_create(*, actor, offer: TechnologyOffer, message: str,
                          source: str = "web") -> OfferInterest:
    """An enterprise expresses interest; the first message opens the conversation."""
    if not access.can_express_interest(actor):
        raise PermissionDenied(_("只有企业用户可以表达合作意向"))
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state not in (OfferState.PUBLISHED, OfferState.CLOSED):  # not visible to them
        raise NotFound()
    message = _require_text(message, "message", N_("意向说明"))
    if offer.state != OfferState.PUBLISHED:
        raise Conflict(_("该成果未处于发布状态，不能表达意向"), code=NOT_PUBLISHED)
    if OfferInterest.objects.filter(offer=offer, enterprise_id=actor.enterprise_id).exists():
        raise Conflict(_("贵企业已表达过意向，请在洽谈记录中继续沟通"), code=ALREADY_INTERESTED)
    interest = OfferInterest.objects.create(offer=offer, enterprise_id=actor.enterprise_id,
                                            created_by=actor)
    ConversationMessage.objects.create(interest=interest, author=actor, body=message)
    audit_record(actor=actor, action="create", instance=interest,
                 changes={"offer": [None, offer.pk], "enterprise": [None, actor.enterprise_id]},
                 source=source)
    notify(recipients=_offer_side_users(offer), title=N_("企业对您的成果表达了合作意向：%(t)s"),
           params={"t": offer.title}, note=message[:200],
           url=reverse("challenges:interest-detail", args=[interest.pk]),
           kind="offer.interest")
    return interest


def interest_sides(user, interest: OfferInterest) -> set[str]:
    sides = set()
    if access.can_express_interest(user) and user.enterprise_id == interest.enterprise_id:
        sides.add("enterprise")
    offer = interest.offer
    if user.is_authenticated and (offer.created_by_id == user.pk or (
            offer.researcher_id and offer.researcher.user_id == user.pk)):
        sides.add("offer")
    return sides


@transaction.atomic
def conversation_message_add(*, actor, interest: OfferInterest, body: str,
                             source: str = "web") -> ConversationMessage:
    interest = OfferInterest.objects.select_for_update(of=("self",)).select_related(
        "offer__researcher").get(pk=interest.pk)
    sides = interest_sides(actor, interest)
    if not sides:
        raise NotFound()
    if interest.state != OfferInterest.State.OPEN:
        raise Conflict(_("洽谈已结束"), code=CLOSED)
    body = _require_text(body, "body", N_("消息内容"))
    message = ConversationMessage.objects.create(interest=interest, author=actor, body=body)
    audit_record(actor=actor, action="create", instance=message,
                 changes={"interest": [None, interest.pk]}, source=source)
    if "enterprise" in sides:
        recipients = _offer_side_users(interest.offer)
    else:
        recipients = list(User.objects.filter(enterprise_id=interest.enterprise_id,
                                              role=Role.ENTERPRISE, is_active=True))
    notify(recipients=[u for u in recipients if u.pk != actor.pk],
           title=N_("洽谈新消息：%(t)s"), params={"t": interest.offer.title}, note=body[:200],
           url=reverse("challenges:interest-detail", args=[interest.pk]), kind="offer.message")
    return message
