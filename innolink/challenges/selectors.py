"""Reads of the challenge board, each scoped to what the user may see. A record the user may
not see raises the same ``NotFound`` as a missing one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from innolink.accounts.roles import Role, has_role
from innolink.challenges import access, search
from innolink.challenges.models import (
    PUBLIC_STATES,
    VISIBLE_STATES,
    Challenge,
    ChallengeState,
    ChallengeTerm,
    Domain,
    OfferInterest,
    OfferState,
    Proposal,
    ProposalState,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.errors import NotFound
from innolink.core.ids import parse_id

WAN = Decimal(10_000)


_valid_pk = parse_id  # the one id helper (innolink.core.ids)


# --- challenges ----------------------------------------------------------------------------

def challenges_visible_to(user) -> QuerySet[Challenge]:
    """Staff see every challenge; the poster sees its own in every state; everybody else sees
    challenges once published (never drafts, submissions, returned or rejected ones)."""
    if access.is_board_staff(user):
        return Challenge.objects.all()
    public = Q(state__in=VISIBLE_STATES)
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return Challenge.objects.filter(public | Q(enterprise_id=user.enterprise_id))
    return Challenge.objects.filter(public)


def challenge_for_user(user, pk: Any) -> Challenge:
    challenge = (challenges_visible_to(user).select_related("enterprise", "institution", "issuer",
                                                            "programme",
                                                            "matched_proposal__researcher")
                 .filter(pk=_valid_pk(pk)).first())
    if challenge is None:
        raise NotFound()
    return challenge


def can_see_contact(user, challenge: Challenge) -> bool:
    """The contact is for the poster, the organizer and the researcher whose proposal was
    shortlisted or matched; not for the public or the other claimants."""
    if access.is_board_staff(user) or access.owns_challenge(user, challenge):
        return True
    if access.is_researcher(user):
        return Proposal.objects.filter(
            challenge=challenge, researcher__user=user,
            state__in=[ProposalState.SHORTLISTED, ProposalState.MATCHED]).exists()
    return False


def can_see_proposals(user, challenge: Challenge) -> bool:
    return access.is_board_staff(user) or access.owns_challenge(user, challenge)


@dataclass(frozen=True)
class BoardFilters:
    q: str = ""
    domain: str = ""
    funding_min_wan: Decimal | None = None
    funding_max_wan: Decimal | None = None
    max_months: int | None = None
    ip: str = ""
    deadline_from: dt.date | None = None  # still open on this date
    open_only: bool = False


def board_search(filters: BoardFilters) -> QuerySet[Challenge]:
    """Published challenges (the public board), newest first."""
    qs = Challenge.objects.filter(on_board=True)
    return _apply_filters(qs, filters).select_related("enterprise", "institution",
                                                      "issuer").defer(
        "search_text", "statement", "payment_terms", "ip_notes", "other_conditions",
        "contact_name", "contact_phone", "contact_email", "review_comment").order_by(
        "-published_at", "-id")


def _match_words(qs: QuerySet[Challenge], query: str) -> QuerySet[Challenge]:
    """Every word of the query must occur. Words in the term index are looked up there (one
    query for the vocabulary); other words (numbers, rare strings) are matched as substrings
    of ``search_text``."""
    tokens = search.query_tokens(query)
    if not tokens:
        return qs
    known = set(ChallengeTerm.objects.filter(term__in=tokens).values_list("term", flat=True)
                .distinct())
    for token in tokens:
        if token in known:
            qs = qs.filter(pk__in=ChallengeTerm.objects.filter(term=token).values(
                "challenge_id"))
        else:
            qs = qs.filter(search_text__contains=token)
    return qs


def _apply_filters(qs: QuerySet[Challenge], filters: BoardFilters) -> QuerySet[Challenge]:
    qs = _match_words(qs, filters.q)
    if filters.domain:
        # the primary domain, or one of the secondary ones (a JSON list of codes)
        qs = qs.filter(Q(domain=filters.domain)
                       | Q(secondary_domains__icontains=f'"{filters.domain}"'))
    if filters.funding_min_wan is not None:
        # the most the listing offers: the top of a range, else its amount (面议 has none)
        low = filters.funding_min_wan * WAN
        qs = qs.filter(Q(funding_max__gte=low) | Q(funding_max__isnull=True, funding__gte=low))
    if filters.funding_max_wan is not None:
        qs = qs.filter(funding__lte=filters.funding_max_wan * WAN)
    if filters.max_months is not None:
        qs = qs.filter(time_limit_months__lte=filters.max_months)
    if filters.ip:
        qs = qs.filter(ip_ownership=filters.ip)
    if filters.deadline_from is not None:
        qs = qs.filter(claim_deadline__gte=filters.deadline_from)
    if filters.open_only:
        qs = qs.filter(state__in=["published", "claimed"])
    return qs


def challenges_managed_by(user, *, state: str = "", filters: BoardFilters | None = None,
                          programme: int | None = None) -> QuerySet[Challenge]:
    """The management list: staff see all challenges (a leader reads them), an enterprise user
    its own."""
    if access.is_board_staff(user) or has_role(user, Role.LEADER):
        qs = Challenge.objects.all()
    elif has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        qs = Challenge.objects.filter(enterprise_id=user.enterprise_id)
    else:
        qs = Challenge.objects.none()
    if state:
        qs = qs.filter(state=state)
    if programme:
        qs = qs.filter(programme_id=programme)
    if filters is not None:
        qs = _apply_filters(qs, filters)
    return qs.select_related("enterprise", "institution", "issuer").defer(
        "search_text", "statement").order_by("-updated_at", "-id")


def proposals_for_challenge(user, challenge: Challenge) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(challenge=challenge).select_related(
        "researcher__institution")
    if can_see_proposals(user, challenge):
        return qs.order_by("-state", "created_at")
    if access.is_researcher(user):
        return qs.filter(researcher__user=user)
    return qs.none()


def proposal_for_user(user, pk: Any) -> Proposal:
    """A proposal seen by its researcher, the challenge's poster or the organizer."""
    pk = _valid_pk(pk)
    proposal = Proposal.objects.select_related("challenge__enterprise", "researcher__user",
                                               "researcher__institution").filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    if proposal.researcher.user_id is not None and proposal.researcher.user_id == user.pk:
        return proposal
    if can_see_proposals(user, proposal.challenge):
        return proposal
    raise NotFound()


def proposals_of(user) -> QuerySet[Proposal]:
    return Proposal.objects.filter(researcher__user=user).select_related(
        "challenge").order_by("-created_at", "-id") if user.is_authenticated \
        else Proposal.objects.none()


def profile_of(user) -> ResearcherProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ResearcherProfile.objects.filter(user=user).select_related("institution").first()


def researchers_visible_to(user, q: str = "") -> QuerySet[ResearcherProfile]:
    """The researcher directory is for the organizer and enterprises looking for expertise;
    contact details are shown to the organizer only (templates decide with ``is_board_staff``)."""
    if not (access.is_board_staff(user) or has_role(user, Role.ENTERPRISE)):
        return ResearcherProfile.objects.none()
    qs = ResearcherProfile.objects.select_related("institution")
    for token in search.query_tokens(q):
        qs = qs.filter(Q(name__contains=token) | Q(research_fields__contains=token)
                       | Q(keywords__contains=token) | Q(discipline__contains=token))
    return qs.order_by("name", "id")


def researcher_for_user(user, pk: Any) -> ResearcherProfile:
    profile = researchers_visible_to(user).filter(pk=_valid_pk(pk)).first()
    if profile is None and getattr(user, "is_authenticated", False):
        profile = ResearcherProfile.objects.filter(pk=pk, user=user).first()
    if profile is None:
        raise NotFound()
    return profile


# --- recommendations slot ------------------------------------------------------------------

def recommendations_for(user, *, challenge: Challenge | None = None) -> list[dict[str, Any]]:
    """Slot for the matching engine (issue 4): a list of ``{"title", "url", "reason", "score"}``
    shown by ``challenges/_recommendations.html``. Empty until the matching app fills it; a
    provider is looked up as ``innolink.matching.recommend.challenge_recommendations`` and any
    absence leaves the slot empty."""
    try:
        from innolink.matching import recommend  # type: ignore[attr-defined]
    except ImportError:
        return []
    provider = getattr(recommend, "challenge_recommendations", None)
    if provider is None:
        return []
    return list(provider(user, challenge=challenge) or [])


# --- offers --------------------------------------------------------------------------------

def offers_visible_to(user) -> QuerySet[TechnologyOffer]:
    if access.is_board_staff(user):
        return TechnologyOffer.objects.all()
    public = Q(state__in=[OfferState.PUBLISHED, OfferState.CLOSED])
    if getattr(user, "is_authenticated", False):
        return TechnologyOffer.objects.filter(public | Q(created_by=user))
    return TechnologyOffer.objects.filter(public)


def offer_for_user(user, pk: Any) -> TechnologyOffer:
    offer = offers_visible_to(user).select_related("institution", "researcher").filter(
        pk=_valid_pk(pk)).first()
    if offer is None:
        raise NotFound()
    return offer


def offer_board(*, q: str = "", domain: str = "", min_trl: int | None = None,
                mode: str = "") -> QuerySet[TechnologyOffer]:
    qs = TechnologyOffer.objects.filter(state=OfferState.PUBLISHED)
    for token in search.query_tokens(q):
        qs = qs.filter(search_text__contains=token)
    if domain:
        qs = qs.filter(domain=domain)
    if min_trl:
        qs = qs.filter(trl__gte=min_trl)
    if mode:
        qs = qs.filter(cooperation_mode=mode)
    return qs.select_related("institution").defer("search_text", "summary").order_by(
        "-published_at", "-id")


def offers_managed_by(user) -> QuerySet[TechnologyOffer]:
    if access.is_board_staff(user) or has_role(user, Role.LEADER):
        qs = TechnologyOffer.objects.all()
    elif getattr(user, "is_authenticated", False):
        qs = TechnologyOffer.objects.filter(created_by=user)
    else:
        qs = TechnologyOffer.objects.none()
    return qs.select_related("institution").defer("search_text").order_by("-updated_at", "-id")


def interests_for(user) -> QuerySet[OfferInterest]:
    if not getattr(user, "is_authenticated", False):
        return OfferInterest.objects.none()
    q = Q(offer__created_by=user) | Q(offer__researcher__user=user)
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        q |= Q(enterprise_id=user.enterprise_id)
    return OfferInterest.objects.filter(q).select_related("offer", "enterprise").order_by(
        "-created_at", "-id")


def interest_for_user(user, pk: Any) -> OfferInterest:
    interest = interests_for(user).filter(pk=_valid_pk(pk)).first()
    if interest is None and access.is_board_staff(user):
        interest = OfferInterest.objects.select_related("offer", "enterprise").filter(
            pk=pk).first()
    if interest is None:
        raise NotFound()
    return interest


# --- organizer overview --------------------------------------------------------------------

def overview() -> dict[str, Any]:
    """Counts and rates for the organizer: challenges by domain and state, claim rate (published
    challenges that got at least one claim), match rate (claimed ones that matched), funds
    committed (contract amounts) and days from publication to match."""
    rows = Challenge.objects.values("domain", "state").annotate(n=Count("id"))
    by_domain_state: dict[str, Counter] = {d.value: Counter() for d in Domain}
    states: Counter = Counter()
    for row in rows:
        if row["domain"] in by_domain_state:  # a listing awaiting its domain is not charted
            by_domain_state[row["domain"]][row["state"]] += row["n"]
        states[row["state"]] += row["n"]
    ever_published = [s for s in ChallengeState if s not in
                      ("draft", "submitted", "returned", "rejected", "withdrawn")]
    published = Challenge.objects.filter(published_at__isnull=False)
    published_n = published.count()
    claimed_n = published.filter(proposals__isnull=False).distinct().count()
    matched_n = published.filter(matched_at__isnull=False).count()
    committed = Challenge.objects.filter(contract_amount__isnull=False).aggregate(
        s=Sum("contract_amount"))["s"] or Decimal("0")
    funding_open = Challenge.objects.filter(state__in=PUBLIC_STATES).aggregate(
        s=Sum("funding"))["s"] or Decimal("0")
    durations = sorted(
        (m - p).total_seconds() / 86400 for p, m in
        published.filter(matched_at__isnull=False).values_list("published_at", "matched_at"))
    median_days = durations[len(durations) // 2] if durations else None
    buckets = [("≤30天", 30), ("31–60天", 60), ("61–90天", 90), ("91–180天", 180),
               (">180天", None)]
    counts = [0] * len(buckets)
    for days in durations:
        for i, (_label, upper) in enumerate(buckets):
            if upper is None or days <= upper:
                counts[i] += 1
                break
    domain_labels = [str(d.label) for d in Domain]
    state_order = [s for s in ChallengeState]
    return {
        "total": sum(states.values()),
        "states": [(str(s.label), s.value, states.get(s.value, 0)) for s in state_order],
        "published": published_n,
        "ever_published_states": [s.value for s in ever_published],
        "claimed": claimed_n,
        "matched": matched_n,
        "claim_rate": (claimed_n / published_n) if published_n else None,
        "match_rate": (matched_n / claimed_n) if claimed_n else None,
        "funds_committed": committed,
        "funding_open": funding_open,
        "median_days_to_match": median_days,
        "researchers": ResearcherProfile.objects.count(),
        "proposals": Proposal.objects.count(),
        "offers": TechnologyOffer.objects.filter(state=OfferState.PUBLISHED).count(),
        "chart_domain": {
            "type": "bar", "labels": domain_labels,
            "series": [{"label": str(s.label), "values": [by_domain_state[d.value][s.value]
                                                          for d in Domain]}
                       for s in state_order if states.get(s.value)],
            "stacked": True,
        },
        "chart_states": {"type": "bar", "labels": [str(s.label) for s in state_order],
                         "series": [{"label": "榜单数",
                                     "values": [states.get(s.value, 0) for s in state_order]}]},
        "chart_match_days": {"type": "bar", "labels": [b[0] for b in buckets],
                             "series": [{"label": "榜单数", "values": counts}]},
    }
