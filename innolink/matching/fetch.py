"""Database rows into the matching engine's plain records, in a few queries (never one per row).

Engine document ids are strings of primary keys. Challenge domains are stored as codes
(``it``, ``materials`` …) and handed to the engine as its Chinese labels.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from innolink.accounts.models import Institution
from innolink.challenges import disciplines
from innolink.challenges.models import (CLAIMABLE_STATES, VISIBLE_STATES, Challenge,
                                        ChallengeState, Domain, IndicatorTarget, ProposalState,
                                        ResearcherProfile, SolverType, TechnologyOffer)
from innolink.engines.matching.engine import ChallengeDoc, EnterpriseDoc, OfferDoc, ResearcherDoc
from innolink.engines.matching.indicators import IndicatorTarget as EngineTarget
from innolink.enterprises.models import Enterprise
from innolink.enterprises.reference import industry_label

#: domain code -> the engine's label (the labels are the engine's structured-fit vocabulary)
DOMAIN_LABELS: dict[str, str] = {
    Domain.IT: "新一代信息技术",
    Domain.EQUIPMENT: "高端装备制造",
    Domain.ENERGY: "新能源与节能环保",
    Domain.MATERIALS: "新材料与石油化工",
    Domain.BIOMED: "生物医药与大健康",
    Domain.AGRIFOOD: "现代农业与食品",
}

#: Institution.kind -> the engine's institution types (structured fit)
INSTITUTION_TYPES: dict[str, str] = {
    Institution.Kind.UNIVERSITY: "高校",
    Institution.Kind.INSTITUTE: "科研院所",
    Institution.Kind.POSTDOC_STATION: "高校",
    Institution.Kind.POSTDOC_WORKSTATION: "博士后科研工作站",
    Institution.Kind.ENTERPRISE_LAB: "企业",
}

#: the kinds of solver a listing prefers -> the engine's institution types
SOLVER_TYPES: dict[str, str] = {
    SolverType.UNIVERSITY: "高校",
    SolverType.INSTITUTE: "科研院所",
    SolverType.WORKSTATION: "博士后科研工作站",
    SolverType.ENTERPRISE: "企业",
    SolverType.NEW_RD: "新型研发机构",
}

def solver_type_label(engine_label: str | None) -> str:
    """The translated name of an engine institution type (高校 -> 高等院校 / university)."""
    for code, label in SOLVER_TYPES.items():
        if label == engine_label:
            return SolverType(code).label
    return engine_label or ""


_COMPARATORS = {"ge": ">=", "le": "<=", "eq": "=", "gt": ">", "lt": "<", "range": "range",
                "text": "text"}
_SPLIT = re.compile(r"[,，、;；\s]+")
#: challenges whose targets describe an enterprise's needs (past challenges for offers): the
#: states anyone may open on the board, so an explanation never quotes a draft, a submission,
#: a returned, rejected or withdrawn challenge to a reader who could not open it
_PAST_STATES = tuple(VISIBLE_STATES)
JINJIANG = "福建省泉州市晋江市"


def split_words(text: str) -> tuple[str, ...]:
    """Keywords typed with commas, 、, semicolons or spaces.

    Examples:
        >>> split_words("光刻胶，KrF、 分辨率;;")
        ('光刻胶', 'KrF', '分辨率')
    """
    return tuple(w for w in _SPLIT.split(text or "") if w)


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _region(institution: Institution | None) -> str | None:
    if institution is None:
        return None
    return (institution.province + institution.city) or None


# --- challenges ----------------------------------------------------------------------------

def _targets(rows: Iterable[IndicatorTarget]) -> tuple[EngineTarget, ...]:
    """Targets as the engine reads them; a qualitative target (or one whose number could not
    be read) is a text target judged by its words (decision 0350)."""
    out = []
    for row in rows:
        try:
            if row.comparator == "text" or row.value is None:
                out.append(EngineTarget(row.name, "text", test_method=row.test_method or None,
                                        text=row.raw_text or row.name,
                                        readable=not row.needs_review))
                continue
            out.append(EngineTarget(
                row.name, _COMPARATORS[row.comparator], float(row.value), row.unit or None,
                float(row.value_max) if row.value_max is not None else None,
                row.test_method or None, text=row.raw_text or None))
        except (KeyError, ValueError):  # a malformed range: the text still carries it
            continue
    return tuple(out)


def _labels(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(DOMAIN_LABELS[c] for c in codes if c in DOMAIN_LABELS)


def _first_levels(codes: Iterable[str]) -> tuple[str, ...]:
    """First-level GB/T 13745 names of codes (what the structured fit compares)."""
    out: list[str] = []
    for code in codes:
        d = disciplines.first_level(code)
        if d is not None and d.name not in out:
            out.append(d.name)
    return tuple(out)


def _issuer(challenge: Challenge) -> tuple[str | None, str | None]:
    """(region, kind label) of who issued the listing."""
    if challenge.enterprise_id:
        return JINJIANG, "本地企业"
    if challenge.institution_id:
        inst = challenge.institution
        return _region(inst), INSTITUTION_TYPES.get(inst.kind)
    if challenge.issuer_id:
        issuer = challenge.issuer
        return issuer.region or None, str(issuer.get_kind_display())
    return None, None


def challenge_doc(challenge: Challenge, indicators: Iterable[IndicatorTarget] | None = None
                  ) -> ChallengeDoc:
    """One challenge as the engine's need record (``indicators`` prefetched or queried).

    Region, disciplines, solver types, TRL and secondary domains reach the engine (decision
    0354): ``region`` is the solver region the listing prefers (none: not limited),
    ``issuer_region``/``issuer_kind`` say where and what the issuer is."""
    rows = challenge.indicators.all() if indicators is None else indicators
    issuer_region, issuer_kind = _issuer(challenge)
    codes = tuple(challenge.disciplines or ())
    return ChallengeDoc(
        id=str(challenge.pk), title=challenge.title, statement=challenge.statement,
        domain=DOMAIN_LABELS.get(challenge.domain), indicators=_targets(rows),
        keywords=split_words(challenge.keywords),
        region=challenge.solver_region or None, trl_min=challenge.trl_min,
        trl_max=challenge.trl_max,
        disciplines=_first_levels(codes), discipline_codes=codes,
        institution_types=tuple(SOLVER_TYPES[t] for t in challenge.solver_types or ()
                                if t in SOLVER_TYPES),
        secondary_domains=_labels(challenge.secondary_domains or ()),
        issuer_region=issuer_region, issuer_kind=issuer_kind)


def _challenges_with_indicators(qs: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return qs.select_related("institution", "issuer").only(
        "id", "title", "statement", "domain", "secondary_domains", "keywords", "state",
        "updated_at", "enterprise_id", "institution_id", "issuer_id", "solver_region",
        "trl_min", "trl_max", "disciplines", "solver_types", "institution__kind",
        "institution__province", "institution__city", "issuer__region", "issuer__kind",
    ).prefetch_related(
        Prefetch("indicators", queryset=IndicatorTarget.objects.order_by("position", "id")))


def open_challenges() -> QuerySet[Challenge]:
    """Challenges a researcher can still claim (published or claimed)."""
    return Challenge.objects.filter(state__in=CLAIMABLE_STATES)


def challenge_docs(qs: QuerySet[Challenge] | None = None) -> list[tuple[Challenge, ChallengeDoc]]:
    """(row, doc) for every open challenge (or the given queryset): 2 queries."""
    qs = _challenges_with_indicators(open_challenges() if qs is None else qs).order_by("id")
    return [(c, challenge_doc(c, c.indicators.all())) for c in qs]


# --- researchers ---------------------------------------------------------------------------

def researchers_queryset() -> QuerySet[ResearcherProfile]:
    """Profiles with their institution and track record (proposals matched; contracts whose
    challenge reached acceptance) in one query."""
    return ResearcherProfile.objects.select_related("institution").annotate(
        n_matched=Count("proposals", filter=Q(proposals__state=ProposalState.MATCHED)),
        n_delivered=Count("proposals", filter=Q(
            proposals__state=ProposalState.MATCHED,
            proposals__challenge__state__in=[ChallengeState.ACCEPTED, ChallengeState.CLOSED])),
    ).order_by("id")


def researcher_doc(profile: ResearcherProfile) -> ResearcherDoc:
    """One profile as the engine's provider record; uses the annotations of
    :func:`researchers_queryset` when present.

    The discipline reaches the engine as the first-level GB/T 13745 name of its first code,
    with the domains that discipline serves; a discipline that could not be mapped is passed
    as none, which the structured fit treats as neutral (decision 0353)."""
    domains = _labels(profile.domains or ())
    available = {"available": True, "partial": None, "unavailable": False}.get(
        profile.availability)
    inst = profile.institution
    codes = tuple(c for c in profile.discipline_codes or () if disciplines.get(c))
    first = disciplines.first_level(codes[0]) if codes else None
    serves = tuple(dict.fromkeys(d for c in codes for d in disciplines.domains_for(c)))
    return ResearcherDoc(
        id=str(profile.pk), name=profile.name,
        fields=split_words(profile.research_fields), keywords=split_words(profile.keywords),
        achievements=profile.achievements or "",
        discipline=first.name if first else None,
        domain=domains[0] if domains else None, domains=domains,
        institution_type=INSTITUTION_TYPES.get(inst.kind) if inst else None,
        region=profile.region or _region(inst), available=available, trl=profile.trl,
        accepted_proposals=getattr(profile, "n_matched", None),
        delivered_contracts=getattr(profile, "n_delivered", None),
        discipline_codes=codes, discipline_domains=_labels(serves),
        disciplines=_first_levels(codes))


def researcher_docs(qs: QuerySet[ResearcherProfile] | None = None
                    ) -> list[tuple[ResearcherProfile, ResearcherDoc]]:
    """(row, doc) for every researcher profile (or those of ``qs``): 1 query."""
    qs = researchers_queryset() if qs is None else qs
    return [(p, researcher_doc(p)) for p in qs]


def researcher_doc_for(profile_id: int) -> ResearcherDoc | None:
    profile = researchers_queryset().filter(pk=profile_id).first()
    return researcher_doc(profile) if profile else None


# --- enterprises and offers ----------------------------------------------------------------

def enterprise_docs(qs: QuerySet[Enterprise] | None = None
                    ) -> list[tuple[Enterprise, EnterpriseDoc]]:
    """(row, doc) for every enterprise with its past challenges (those visible on the board):
    3 queries (enterprises, their challenges, those challenges' indicators)."""
    qs = (Enterprise.objects.all() if qs is None else qs).only(
        "id", "name", "industry_code", "products", "town", "updated_at").order_by("id")
    rows = list(qs)
    ids = [e.pk for e in rows]
    past: dict[int, list[Challenge]] = defaultdict(list)
    if ids:
        chal = _challenges_with_indicators(Challenge.objects.filter(
            enterprise_id__in=ids, state__in=_PAST_STATES)).order_by("id")
        for c in chal:
            past[c.enterprise_id].append(c)
    out = []
    for e in rows:
        cs = past.get(e.pk, [])
        domains = Counter(c.domain for c in cs)
        out.append((e, EnterpriseDoc(
            id=str(e.pk), name=e.name, industry=industry_label(e.industry_code),
            products=split_words(e.products),
            domain=DOMAIN_LABELS.get(domains.most_common(1)[0][0]) if domains else None,
            region=f"{JINJIANG}{e.get_town_display()}",
            past_challenges=tuple(challenge_doc(c, c.indicators.all()) for c in cs))))
    return out


def past_challenges_text(challenges: Iterable[Challenge]) -> str:
    """What an enterprise's explanation quotes of its past challenges (the engine's
    ``past_challenges`` field)."""
    return "；".join(f"{c.title}：{c.statement}" for c in challenges)


def visible_past_challenges(enterprise_ids: Iterable[int]) -> dict[int, list[Challenge]]:
    """Each enterprise's past challenges as the engine should hold them now (2 queries)."""
    out: dict[int, list[Challenge]] = defaultdict(list)
    ids = list(enterprise_ids)
    if ids:
        for c in _challenges_with_indicators(Challenge.objects.filter(
                enterprise_id__in=ids, state__in=_PAST_STATES)).order_by("id"):
            out[c.enterprise_id].append(c)
    return out


def offer_doc(offer: TechnologyOffer) -> OfferDoc:
    """One technology offer as the third direction's query (institution select_related)."""
    description = "。".join(t for t in (offer.summary, offer.applications) if t)
    return OfferDoc(
        id=str(offer.pk), title=offer.title, description=description,
        domain=DOMAIN_LABELS.get(offer.domain), keywords=split_words(offer.keywords),
        trl=offer.trl, region=_region(offer.institution),
        owner_id=str(offer.researcher_id) if offer.researcher_id else None, available=True)


def doc_text(doc) -> str:
    """The text the encoder reads for a record (also what ``text_hash`` is taken of)."""
    return "。".join(t for _, t in doc.text_fields() if t)
