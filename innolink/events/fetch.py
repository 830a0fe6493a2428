"""Database rows into the inputs of the pure scheduling and judging modules."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Sum

from innolink.events.judging import Affiliation, Declared, EntryFacts, ReviewerFacts, ReviewScore
from innolink.events.models import (
    AssignmentState,
    DeclaredConflict,
    Event,
    InvitationState,
    JudgingRound,
    ReviewAssignment,
    ReviewerProfile,
    RoundEntry,
)
from innolink.events.scheduling import MeetingPair

_SPLIT = re.compile(r"[\s,，、;；/]+")


def keywords(*texts: str) -> frozenset[str]:
    return frozenset(w.lower() for t in texts for w in _SPLIT.split(t or "") if w)


def event_inputs(event: Event) -> dict:
    """Pairs, slots, rooms and labels for :func:`innolink.events.scheduling.plan_meetings`."""
    invitations = list(event.invitations.filter(state=InvitationState.INVITED).select_related(
        "host_enterprise", "host_institution", "host_issuer", "guest_researcher",
        "guest_institution")
        .order_by("id"))
    labels = {}
    pairs = []
    for inv in invitations:
        labels[inv.host_key] = inv.host_name
        labels[inv.guest_key] = inv.guest_name
        pairs.append(MeetingPair(inv.pk, inv.host_key, inv.guest_key, inv.priority))
    unavailable: dict[str, set[int]] = {}
    for key, slot_id in event.unavailability.values_list("participant_key", "slot_id"):
        unavailable.setdefault(key, set()).add(slot_id)
    return {
        "invitations": invitations,
        "pairs": pairs,
        "unavailable": unavailable,
        "slots": list(event.slots.order_by("starts_at", "id")),
        "rooms": list(event.rooms.order_by("position", "id")),
        "labels": labels,
    }


def _inst(inst) -> Affiliation:
    return Affiliation(f"inst:{inst.pk}", inst.name, inst.kind)


def _station(name: str) -> Affiliation:
    return Affiliation(f"station:{name.strip()}", name.strip(), "station")


def round_facts(rnd: JudgingRound) -> tuple[list[EntryFacts], list[ReviewerFacts],
                                            set[tuple[int, int]]]:
    entries = []
    for e in (RoundEntry.objects.filter(round=rnd).select_related(
            "proposal__challenge__enterprise", "proposal__challenge__institution",
            "proposal__researcher__institution").order_by("id")):
        p = e.proposal
        ch, res = p.challenge, p.researcher
        insts = [_inst(res.institution)]
        if res.station.strip():
            insts.append(_station(res.station))
        if ch.institution_id:
            insts.append(_inst(ch.institution))
        enterprises = [Affiliation(f"e:{ch.enterprise_id}", ch.enterprise.name, "enterprise")] \
            if ch.enterprise_id else []
        people = [f"r:{res.pk}"] + [f"u:{u}" for u in {res.user_id, p.submitted_by_id} if u]
        entries.append(EntryFacts(
            id=e.pk, title=ch.title, institutions=tuple(insts), enterprises=tuple(enterprises),
            people=tuple(people), domain=ch.domain,
            keywords=keywords(ch.keywords, res.keywords), other_keys=(f"p:{p.pk}",)))

    members = list(rnd.reviewers.select_related("reviewer__institution").order_by("id"))
    user_ids = [m.reviewer_id for m in members]
    profiles = {p.user_id: p for p in ReviewerProfile.objects.filter(user_id__in=user_ids)
                .prefetch_related("other_institutions", "enterprises")}
    declared: dict[int, list[Declared]] = {}
    for d in DeclaredConflict.objects.filter(reviewer_id__in=user_ids).select_related(
            "proposal", "researcher", "enterprise"):
        key = (f"p:{d.proposal_id}" if d.proposal_id else
               f"r:{d.researcher_id}" if d.researcher_id else f"e:{d.enterprise_id}")
        declared.setdefault(d.reviewer_id, []).append(Declared(key, d.reason))
    reviewers = []
    for m in members:
        user = m.reviewer
        profile = profiles.get(user.pk)
        insts = [_inst(user.institution)] if user.institution_id else []
        enterprises = []
        fields: frozenset[str] = frozenset()
        kw: frozenset[str] = frozenset()
        if profile is not None:
            insts += [_inst(i) for i in profile.other_institutions.all()]
            if profile.station.strip():
                insts.append(_station(profile.station))
            enterprises = [Affiliation(f"e:{x.pk}", x.name, "enterprise")
                           for x in profile.enterprises.all()]
            fields = frozenset(profile.fields or [])
            kw = keywords(profile.keywords)
        if user.enterprise_id:
            enterprises.append(Affiliation(f"e:{user.enterprise_id}", str(user.enterprise),
                                           "enterprise"))
        reviewers.append(ReviewerFacts(
            id=user.pk, name=str(user), max_load=m.max_load if user.is_active else 0,
            institutions=tuple(insts), enterprises=tuple(enterprises),
            declared=tuple(declared.get(user.pk, ())), fields=fields, keywords=kw))
    existing = set(ReviewAssignment.objects.filter(round=rnd).values_list("entry_id",
                                                                           "reviewer_id"))
    return entries, reviewers, existing


def round_scores(rnd: JudgingRound) -> tuple[list[ReviewScore], Decimal]:
    """Submitted totals and the rubric's maximum total."""
    rows = (ReviewAssignment.objects.filter(round=rnd, state=AssignmentState.SUBMITTED)
            .values_list("entry_id", "reviewer_id", "total").order_by("entry_id", "reviewer_id"))
    max_total = rnd.criteria.aggregate(s=Sum("max_points"))["s"] or Decimal(0)
    return [ReviewScore(e, r, t) for e, r, t in rows], max_total
