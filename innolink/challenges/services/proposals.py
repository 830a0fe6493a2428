"""Proposals (揭榜方案): claim a challenge, withdraw a claim, shortlist, match, decline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.challenges import access, lifecycle, validation
from innolink.challenges.models import (
    CLAIMABLE_STATES,
    OPEN_PROPOSAL_STATES,
    VISIBLE_STATES,
    Challenge,
    ChallengeState,
    Proposal,
    ProposalState,
    ResearcherProfile,
)
from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from innolink.core.messages import Message
from innolink.core.notifications import notify
from innolink.challenges.errors import (
    ALREADY_CLAIMED,
    BAD_TRANSITION,
    DEADLINE_PASSED,
    NOT_CLAIMABLE,
    NO_PLACES,
    PROFILE_MISSING,
)

from innolink.challenges.services._common import (
    _challenge_url,
    _close_open_proposals,
    _locked,
    _notify_poster,
    _staff_users,
    _today,
    _transition,
)


def claim_refusal(challenge: Challenge, profile: ResearcherProfile) -> Conflict | None:
    """Why ``profile`` cannot claim ``challenge`` now (state, deadline, own claim, places), or
    None. The claim page reads it before showing the form; ``proposal_create`` raises it."""
    if challenge.state not in CLAIMABLE_STATES:
        return Conflict(_("榜单当前状态为“%(state)s”，不再接受揭榜")
                        % {"state": challenge.get_state_display()}, code=NOT_CLAIMABLE)
    if challenge.claim_deadline < _today():
        return Conflict(_("揭榜已于 %(date)s 截止")
                        % {"date": f"{challenge.claim_deadline:%Y-%m-%d}"}, code=DEADLINE_PASSED)
    if Proposal.objects.filter(challenge=challenge, researcher=profile,
                               state__in=[*OPEN_PROPOSAL_STATES, "matched"]).exists():
        return Conflict(_("您已揭榜此榜单，可在“我的揭榜”中查看"), code=ALREADY_CLAIMED)
    if challenge.open_claims >= challenge.max_claims:
        return Conflict(_("揭榜名额已满（共 %(n)s 个名额）") % {"n": challenge.max_claims},
                        code=NO_PLACES)
    return None


@transaction.atomic
def proposal_create(*, actor, challenge: Challenge, data: dict[str, Any],
                    budget_unit: Decimal = Decimal(1), source: str = "web") -> Proposal:
    """Claim (揭榜) a challenge. The challenge row is locked, so two researchers claiming the
    last open place at once are serialized and exactly one wins; a refused claim writes
    nothing and does not count."""
    if not access.is_researcher(actor):
        raise PermissionDenied(_("只有科研人员可以揭榜"))
    profile = ResearcherProfile.objects.filter(user=actor).first()
    if profile is None:
        raise ApplicationError(_("请先完善科研人员/团队信息，再揭榜"), code=PROFILE_MISSING)
    challenge = _locked(challenge)
    if challenge.state not in VISIBLE_STATES:  # before anything about the input or the state
        raise NotFound()
    refusal = claim_refusal(challenge, profile)  # before the form's fields: nothing to retype
    if refusal is not None:
        raise refusal
    clean = validation.clean_proposal(data, budget_unit=budget_unit,
                                      time_limit_months=challenge.time_limit_months)
    proposal = Proposal.objects.create(challenge=challenge, researcher=profile,
                                       submitted_by=actor, **clean)
    audit_record(actor=actor, action="create", instance=proposal,
                 changes=audit_diff({}, {**clean, "challenge": challenge.pk}), source=source)
    challenge.open_claims = F("open_claims") + 1
    challenge.save(update_fields=["open_claims", "updated_at"])
    challenge.refresh_from_db(fields=["open_claims"])
    if challenge.state == ChallengeState.PUBLISHED:
        _transition(actor=actor, challenge=challenge, action="claim", source=source,
                    actors={lifecycle.RESEARCHER})
    _notify_poster(challenge, N_("新的揭榜方案：%(t)s"), kind="proposal.submitted",
                   body=Message(N_("%(n)s 提交了揭榜方案"), n=profile.name))
    notify(recipients=_staff_users(), title=N_("新的揭榜方案：%(t)s"), params={"t": challenge.title},
           note=profile.name, url=_challenge_url(challenge), kind="proposal.submitted")
    return proposal


def _locked_proposal(proposal: Proposal) -> tuple[Challenge, Proposal]:
    challenge = _locked(proposal.challenge)
    return challenge, Proposal.objects.select_for_update(of=("self",)).select_related(
        "researcher__user").get(pk=proposal.pk)


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal, source: str = "web") -> Proposal:
    challenge, proposal = _locked_proposal(proposal)
    if proposal.researcher.user_id != getattr(actor, "pk", None):
        raise NotFound()
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise Conflict(_("方案状态为“%(state)s”，不能撤回")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    old = proposal.state
    proposal.state = ProposalState.WITHDRAWN
    proposal.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": [old, proposal.state]}, source=source)
    challenge.open_claims = max(0, challenge.open_claims - 1)
    challenge.save(update_fields=["open_claims", "updated_at"])
    if challenge.open_claims == 0 and challenge.state == ChallengeState.CLAIMED:
        _transition(actor=actor, challenge=challenge, action="unclaim", source=source,
                    actors={lifecycle.SYSTEM})
    return proposal


def _staff_proposal_step(actor, proposal: Proposal) -> tuple[Challenge, Proposal]:
    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以遴选揭榜方案"))
    return _locked_proposal(proposal)


@transaction.atomic
def proposal_shortlist(*, actor, proposal: Proposal, note: str = "",
                       source: str = "web") -> Proposal:
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state != ProposalState.SUBMITTED:
        raise Conflict(_("方案状态为“%(state)s”，不能入围")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    _transition(actor=actor, challenge=challenge, action="shortlist", source=source,
                note=f"入围：{proposal.researcher.name}"[:300])
    proposal.state = ProposalState.SHORTLISTED
    proposal.staff_note = (note or proposal.staff_note).strip()[:2000]
    proposal.save(update_fields=["state", "staff_note", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": ["submitted", "shortlisted"]}, note=note[:300],
                 source=source)
    notify(recipients=[proposal.researcher.user], title=N_("您的揭榜方案已入围：%(t)s"),
           params={"t": challenge.title}, url=_challenge_url(challenge), kind="proposal.shortlisted")
    _notify_poster(challenge, N_("揭榜方案入围：%(t)s"), proposal.researcher.name,
                   "proposal.shortlisted")
    return proposal


@transaction.atomic
def proposal_match(*, actor, proposal: Proposal, source: str = "web") -> Proposal:
    """对接成功: this proposal is chosen; the other open proposals are not selected."""
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state != ProposalState.SHORTLISTED:
        raise Conflict(_("只有入围的方案可以确认对接成功"), code=BAD_TRANSITION)
    _transition(actor=actor, challenge=challenge, action="match", source=source,
                note=f"对接成功：{proposal.researcher.name}"[:300],
                extra_changes={"matched_proposal": [None, proposal.pk]})
    proposal.state = ProposalState.MATCHED
    proposal.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": ["shortlisted", "matched"]}, source=source)
    _close_open_proposals(challenge, actor=actor, reason="榜单已与其他方案对接成功",
                          source=source, keep=proposal)
    challenge.matched_proposal = proposal
    challenge.matched_at = timezone.now()
    challenge.open_claims = 0
    challenge.save(update_fields=["matched_proposal", "matched_at", "open_claims"])
    notify(recipients=[proposal.researcher.user], title=N_("对接成功：%(t)s"),
           body=N_("发榜方联系方式已向您开放"), params={"t": challenge.title},
           url=_challenge_url(challenge),
           kind="proposal.matched")
    _notify_poster(challenge, N_("对接成功：%(t)s"), proposal.researcher.name,
                   "challenge.matched")
    return proposal


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, note: str = "",
                     source: str = "web") -> Proposal:
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise Conflict(_("方案状态为“%(state)s”，不能标记为未入选")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    old = proposal.state
    proposal.state = ProposalState.NOT_SELECTED
    proposal.staff_note = (note or "").strip()[:2000]
    proposal.save(update_fields=["state", "staff_note", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": [old, proposal.state]}, note=note[:300], source=source)
    challenge.open_claims = max(0, challenge.open_claims - 1)
    challenge.save(update_fields=["open_claims", "updated_at"])
    notify(recipients=[proposal.researcher.user], title=N_("揭榜结果：%(t)s"),
           params={"t": challenge.title}, note=note, url=_challenge_url(challenge),
           kind="proposal.not_selected")
    return proposal
