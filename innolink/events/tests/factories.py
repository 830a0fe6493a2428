"""Factories for the events tests: challenge-board rows built directly (the challenges app's
own services are not needed to set up a shortlisted pair)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user

_n = itertools.count(1)


def make_institution(name: str | None = None, kind: str = "university") -> Institution:
    return Institution.objects.get_or_create(name=name or f"测试研究院{next(_n)}",
                                             defaults={"kind": kind})[0]


def make_challenge(*, enterprise=None, institution=None, title: str | None = None,
                   domain: str = "materials", state: str = "shortlisted", keywords: str = ""):
    from innolink.challenges.models import Challenge

    if enterprise is None and institution is None:
        enterprise = make_enterprise()
    return Challenge.objects.create(
        title=title or f"测试榜单{next(_n)}", domain=domain, statement="技术难题描述",
        keywords=keywords, funding=Decimal("500000.00"), time_limit_months=24,
        ip_ownership="negotiable", claim_deadline=dt.date(2027, 6, 30), enterprise=enterprise,
        institution=institution, contact_name="联系人", contact_phone="13800000000", state=state)


def make_researcher(*, user=None, institution=None, name: str | None = None, station: str = "",
                    keywords: str = ""):
    from innolink.challenges.models import ResearcherProfile

    if user is None:
        user = make_user(Role.RESEARCHER, institution=institution or make_institution())
    return ResearcherProfile.objects.create(
        user=user, name=name or str(user), institution=institution or user.institution,
        discipline="材料科学", research_fields="高分子材料", station=station, keywords=keywords)


def make_proposal(*, challenge=None, researcher=None, state: str = "shortlisted", **kwargs):
    from innolink.challenges.models import Proposal

    challenge = challenge or make_challenge(**kwargs)
    researcher = researcher or make_researcher()
    return Proposal.objects.create(challenge=challenge, researcher=researcher,
                                   submitted_by=researcher.user, approach="技术路线",
                                   budget=Decimal("300000.00"), plan="实施计划", state=state)


def make_interest(*, enterprise=None, researcher=None, institution=None):
    from innolink.challenges.models import OfferInterest, TechnologyOffer

    researcher = researcher if researcher is not None else make_researcher()
    offer = TechnologyOffer.objects.create(
        title=f"测试成果{next(_n)}", domain="materials", summary="成果简介", trl=6,
        applications="应用场景", ip_status="patent_granted", cooperation_mode="licence",
        researcher=researcher or None, institution=institution or researcher.institution,
        contact_name="联系人", contact_phone="13800000000", state="published")
    return OfferInterest.objects.create(offer=offer, enterprise=enterprise or make_enterprise())


def make_reviewer(*, institution=None, fields=("materials",), keywords: str = "", station: str = "",
                  enterprises=(), max_load: int = 8, **user_fields):
    from innolink.events.models import ReviewerProfile

    user = make_user(Role.REVIEWER, institution=institution or make_institution(),
                     **user_fields)
    profile = ReviewerProfile.objects.create(user=user, fields=list(fields), keywords=keywords,
                                             station=station, default_max_load=max_load)
    if enterprises:
        profile.enterprises.set(enterprises)
    return user
