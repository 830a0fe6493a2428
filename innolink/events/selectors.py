"""Reads of events and judging rounds, each scoped to what the user may see. A record the user
may not see raises the same ``NotFound`` as a missing one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from innolink.accounts.roles import Role, has_role
from innolink.core.errors import NotFound, PermissionDenied
from innolink.core.ids import parse_id, valid_ids
from innolink.events import access
from innolink.events.models import (
    Event,
    EventState,
    Invitation,
    InvitationState,
    JudgingRound,
    Meeting,
    ReviewAssignment,
    RoundState,
)

PARTICIPANT_STATES = (EventState.PUBLISHED, EventState.CLOSED)
_valid_pk = parse_id


def require_staff(user) -> None:
    if not access.is_event_staff(user):
        raise PermissionDenied()


# --------------------------------------------------------------------------------- events

def events_visible_to(user) -> QuerySet[Event]:
    """Staff see every event; a participant sees the events whose published schedule gives
    them a meeting; nobody else sees any."""
    if access.is_event_staff(user) or has_role(user, Role.LEADER):
        return Event.objects.all()
    keys = access.participant_keys(user)
    if not keys:
        return Event.objects.none()
    mine = Meeting.objects.filter(Q(host_key__in=keys) | Q(guest_key__in=keys)).values("event_id")
    return Event.objects.filter(state__in=PARTICIPANT_STATES, pk__in=mine)


def event_for_user(user, pk: Any) -> Event:
    event = events_visible_to(user).filter(pk=_valid_pk(pk)).first()
    if event is None:
        raise NotFound()
    return event


def event_for_staff(user, pk: Any) -> Event:
    require_staff(user)
    return event_for_user(user, pk)


def event_list(user) -> QuerySet[Event]:
    return events_visible_to(user).annotate(
        n_invitations=Count("invitations", filter=Q(invitations__state=InvitationState.INVITED),
                            distinct=True),
        n_meetings=Count("meetings", distinct=True),
    ).order_by("-date", "-id")


def active_invitations(event: Event) -> QuerySet[Invitation]:
    return (event.invitations.filter(state=InvitationState.INVITED)
            .select_related("host_enterprise", "host_institution", "host_issuer",
                            "guest_researcher",
                            "guest_institution", "meeting__slot", "meeting__room")
            .order_by("id"))


def invitation_for_staff(user, event: Event, pk: Any) -> Invitation:
    require_staff(user)
    invitation = event.invitations.filter(pk=_valid_pk(pk)).first()
    if invitation is None:
        raise NotFound()
    return invitation


@dataclass(frozen=True)
class AgendaRow:
    meeting_id: int
    slot_id: int
    starts_at: Any
    ends_at: Any
    room: str
    counterpart: str
    topic: str


@dataclass(frozen=True)
class Agenda:
    key: str
    name: str
    rows: list[AgendaRow]


def _agenda_rows(meetings, key: str) -> list[AgendaRow]:
    rows = []
    for m in meetings:
        inv = m.invitation
        counterpart = inv.guest_name if m.host_key == key else inv.host_name
        rows.append(AgendaRow(m.pk, m.slot_id, m.slot.starts_at, m.slot.ends_at, m.room.name,
                              counterpart, inv.topic))
    return rows


def _meetings(event: Event) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(event=event)
            .select_related("slot", "room", "invitation__host_enterprise",
                            "invitation__host_institution", "invitation__host_issuer",
                            "invitation__guest_researcher",
                            "invitation__guest_institution")
            .order_by("slot__starts_at", "room__position", "id"))


def agendas_for_event(event: Event) -> list[Agenda]:
    """One agenda per participant of the schedule (staff print these)."""
    names: dict[str, str] = {}
    per: dict[str, list[Meeting]] = defaultdict(list)
    for m in _meetings(event):
        names[m.host_key] = m.invitation.host_name
        names[m.guest_key] = m.invitation.guest_name
        per[m.host_key].append(m)
        per[m.guest_key].append(m)
    return sorted((Agenda(k, names[k], _agenda_rows(ms, k)) for k, ms in per.items()),
                  key=lambda a: (a.key[0] != "e", a.name, a.key))


def agendas_for_user(user, event: Event) -> list[Agenda]:
    """The user's own agenda(s) at an event they may see; empty when they have no meeting."""
    keys = access.participant_keys(user)
    if not keys:
        return []
    meetings = list(_meetings(event).filter(Q(host_key__in=keys) | Q(guest_key__in=keys)))
    out = []
    for key in keys:
        mine = [m for m in meetings if key in (m.host_key, m.guest_key)]
        if mine:
            inv = mine[0].invitation
            name = inv.host_name if mine[0].host_key == key else inv.guest_name
            out.append(Agenda(key, name, _agenda_rows(mine, key)))
    return out


@dataclass(frozen=True)
class ScheduleGrid:
    slots: list[Any]
    rooms: list[Any]
    cells: dict[tuple[int, int], Meeting]  # (slot id, room id) -> meeting

    def rows(self):
        for slot in self.slots:
            yield slot, [self.cells.get((slot.pk, room.pk)) for room in self.rooms]


def schedule_grid(event: Event) -> ScheduleGrid:
    cells = {(m.slot_id, m.room_id): m for m in _meetings(event)}
    return ScheduleGrid(list(event.slots.all()), list(event.rooms.all()), cells)


def invitation_candidates(event: Event) -> dict[str, list]:
    """Pairs that could be invited and are not yet: shortlisted proposals and open offer
    interests."""
    from innolink.challenges.models import OfferInterest, Proposal

    invited_p = event.invitations.filter(proposal__isnull=False).values("proposal_id")
    invited_i = event.invitations.filter(offer_interest__isnull=False).values("offer_interest_id")
    proposals = (Proposal.objects.filter(state="shortlisted").exclude(pk__in=invited_p)
                 .select_related("challenge__enterprise", "challenge__institution",
                                 "challenge__issuer", "researcher")
                 .order_by("challenge_id", "id")[:200])
    interests = (OfferInterest.objects.filter(state="open").exclude(pk__in=invited_i)
                 .select_related("offer__researcher", "offer__institution", "enterprise")
                 .order_by("id")[:200])
    return {"proposals": list(proposals), "interests": list(interests)}


# -------------------------------------------------------------------------------- judging

def rounds_visible_to(user) -> QuerySet[JudgingRound]:
    """Staff see every round; a reviewer sees the rounds in which they have assignments once
    scoring has opened."""
    if access.is_event_staff(user) or has_role(user, Role.LEADER):
        return JudgingRound.objects.all()
    if access.is_reviewer(user):
        mine = ReviewAssignment.objects.filter(reviewer=user).values("round_id")
        return JudgingRound.objects.filter(pk__in=mine).exclude(state=RoundState.DRAFT)
    return JudgingRound.objects.none()


def round_for_user(user, pk: Any) -> JudgingRound:
    rnd = rounds_visible_to(user).filter(pk=_valid_pk(pk)).first()
    if rnd is None:
        raise NotFound()
    return rnd


def round_for_staff(user, pk: Any) -> JudgingRound:
    require_staff(user)
    return round_for_user(user, pk)


def round_list(user) -> QuerySet[JudgingRound]:
    return rounds_visible_to(user).annotate(
        n_entries=Count("entries", distinct=True),
        n_assignments=Count("assignments", distinct=True),
    ).order_by("-created_at", "-id")


def _assignment_qs() -> QuerySet[ReviewAssignment]:
    return ReviewAssignment.objects.select_related(
        "round", "reviewer", "entry__proposal__challenge", "entry__proposal__researcher")


def assignments_of_reviewer(user, *, round: JudgingRound | None = None
                            ) -> QuerySet[ReviewAssignment]:
    """A reviewer's own assignments in rounds open for scoring or finalised."""
    if not user.is_authenticated:
        return ReviewAssignment.objects.none()
    qs = _assignment_qs().filter(reviewer=user).exclude(round__state=RoundState.DRAFT)
    if round is not None:
        qs = qs.filter(round=round)
    return qs.order_by("state", "round_id", "id")


def assignment_for_reviewer(user, pk: Any) -> ReviewAssignment:
    """The reviewer's own assignment; another reviewer's is the same 404 as a missing one.
    Staff may read any assignment."""
    pk = _valid_pk(pk)
    qs = _assignment_qs().prefetch_related("scores")
    if access.is_event_staff(user):
        found = qs.filter(pk=pk).first()
    else:
        found = assignments_of_reviewer(user).prefetch_related("scores").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def round_assignments(rnd: JudgingRound) -> QuerySet[ReviewAssignment]:
    return (rnd.assignments.select_related("reviewer", "entry__proposal__researcher",
                                           "entry__proposal__challenge")
            .order_by("entry_id", "reviewer_id"))


def round_entries(rnd: JudgingRound):
    from innolink.events.models import RoundEntry

    return (RoundEntry.objects.filter(round=rnd)
            .select_related("proposal__challenge", "proposal__researcher__institution")
            .prefetch_related(Prefetch("assignments",
                                       queryset=ReviewAssignment.objects.select_related("reviewer")))
            .order_by("id"))


def entry_candidates(rnd: JudgingRound) -> list:
    """Proposals that could enter the round and have not: shortlisted or matched proposals."""
    from innolink.challenges.models import Proposal

    entered = rnd.entries.values("proposal_id")
    return list(Proposal.objects.filter(state__in=["shortlisted", "matched"])
                .exclude(pk__in=entered)
                .select_related("challenge", "researcher").order_by("challenge_id", "id")[:300])


def reviewer_candidates(rnd: JudgingRound) -> list:
    from innolink.accounts.models import User
    from innolink.accounts.roles import Role

    joined = rnd.reviewers.values("reviewer_id")
    return list(User.objects.filter(role=Role.REVIEWER, is_active=True).exclude(pk__in=joined)
                .select_related("institution").order_by("display_name", "username")[:300])


# ------------------------------------------------------------------------ reviewer profile

def reviewer_profile_of(user):
    from innolink.events.models import ReviewerProfile

    return (ReviewerProfile.objects.filter(user=user)
            .prefetch_related("other_institutions", "enterprises").first())


def declared_conflicts_of(user):
    from innolink.events.models import DeclaredConflict

    return (DeclaredConflict.objects.filter(reviewer=user)
            .select_related("proposal__challenge", "researcher", "enterprise")
            .order_by("-created_at", "-id"))


def enterprises_by_codes(text: str) -> tuple[list, list[str]]:
    """Enterprises named by unified social credit codes (separated by commas, spaces or new
    lines) and the codes that match none."""
    import re

    from innolink.enterprises.models import Enterprise

    codes = [c.upper() for c in re.split(r"[\s,，、;；]+", text or "") if c]
    found = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    return [found[c] for c in dict.fromkeys(codes) if c in found], \
        [c for c in codes if c not in found]


def institution_choices():
    from innolink.accounts.models import Institution

    return Institution.objects.order_by("kind", "name")


@dataclass(frozen=True)
class Participant:
    key: str
    name: str
    unavailable: frozenset[int]


def event_participants(event: Event) -> list[Participant]:
    """Every invited participant with the slots they cannot attend."""
    names: dict[str, str] = {}
    for inv in active_invitations(event):
        names[inv.host_key] = inv.host_name
        names[inv.guest_key] = inv.guest_name
    blocked: dict[str, set[int]] = defaultdict(set)
    for key, slot_id in event.unavailability.values_list("participant_key", "slot_id"):
        blocked[key].add(slot_id)
    return sorted((Participant(k, n, frozenset(blocked.get(k, ()))) for k, n in names.items()),
                  key=lambda p: (p.key[0] != "e", p.name, p.key))


# ------------------------------------------------------------------ judging computations

def round_assignment_plan(round: JudgingRound, *, seed: int = 0):
    """What ``services.round_assign`` would do: new pairs, refused pairs with reasons, why k
    cannot be met (the round page and the conflicts endpoint show it)."""
    from innolink.events import fetch, judging

    entries, reviewers, existing = fetch.round_facts(round)
    plan = judging.plan_assignment(entries, reviewers, k=round.reviewers_per_entry,
                                   existing=existing, seed=seed)
    # the reasons in the reader's language (ADR 0791)
    return replace(
        plan, refused=[(e, r, why.render()) for e, r, why in plan.refused],
        problems=[p.render() for p in plan.problems],
        unmet={e: (m, why.render()) for e, (m, why) in plan.unmet.items()})


def round_ranking(round: JudgingRound):
    """The live ranking from the submitted scores (normalised; ties stated)."""
    from innolink.events import fetch, judging

    scores, max_total = fetch.round_scores(round)
    return judging.rank_entries(scores, entries=round.entries.values_list("pk", flat=True),
                                max_total=max_total or None)



# ------------------------------------------------------- records named by id in a request
#
# Staff name proposals, offer interests, reviewers and entries; a reviewer names what they
# declare a conflict with. Each lookup checks who asks first (403), then the id (404 for a
# missing one and for a malformed one alike), so the answer never depends on an unchecked id.

def _one(queryset: QuerySet, pk: Any):
    row = queryset.filter(pk=parse_id(pk)).first()
    if row is None:
        raise NotFound()
    return row


def _all(queryset: QuerySet, ids) -> list:
    ids = list(ids)
    wanted = valid_ids(ids)
    rows = list(queryset.filter(pk__in=wanted))
    if len(wanted) != len(set(ids)) or len(rows) != len(wanted):
        raise NotFound()
    return rows


def proposal_for_staff(user, pk: Any):
    from innolink.challenges.models import Proposal

    require_staff(user)
    return _one(Proposal.objects.all(), pk)


def proposals_for_staff(user, ids) -> list:
    from innolink.challenges.models import Proposal

    require_staff(user)
    return _all(Proposal.objects.all(), ids)


def offer_interest_for_staff(user, pk: Any):
    from innolink.challenges.models import OfferInterest

    require_staff(user)
    return _one(OfferInterest.objects.all(), pk)


def users_for_staff(user, ids) -> list:
    from innolink.accounts.models import User

    require_staff(user)
    return _all(User.objects.all(), ids)


def round_member_for_staff(user, rnd: JudgingRound, reviewer_id: Any):
    require_staff(user)
    member = rnd.reviewers.filter(reviewer_id=parse_id(reviewer_id)).first()
    if member is None:
        raise NotFound()
    return member


def round_entry_for_staff(user, rnd: JudgingRound, pk: Any):
    require_staff(user)
    return _one(rnd.entries.all(), pk)


def conflict_subject_for_reviewer(user, kind: str, pk: Any):
    """The proposal, researcher or enterprise a reviewer names in a conflict declaration by id:
    one of the proposals entered in a round whose pool the reviewer is in, its researcher or its
    challenge's enterprise. Anything else is the same 404 as a missing id, so the answer never
    tells whether another record exists (ADR 0005). An enterprise outside the reviewer's rounds
    is declared by its public credit code on the profile page."""
    from innolink.challenges.models import Proposal, ResearcherProfile
    from innolink.enterprises.models import Enterprise

    if not access.is_reviewer(user):
        raise PermissionDenied()
    seen = Proposal.objects.filter(round_entries__round__reviewers__reviewer=user)
    queryset = {
        "proposal": Proposal.objects.filter(pk__in=seen.values("pk")),
        "researcher": ResearcherProfile.objects.filter(pk__in=seen.values("researcher_id")),
        "enterprise": Enterprise.objects.filter(pk__in=seen.values("challenge__enterprise_id")),
    }[kind]
    return _one(queryset, pk)


def profile_choices_for_reviewer(user, *, institution_ids, enterprise_ids) -> tuple[list, list]:
    """The part-time institutions and served enterprises a reviewer lists in their profile."""
    from innolink.accounts.models import Institution
    from innolink.enterprises.models import Enterprise

    if not access.is_reviewer(user):
        raise PermissionDenied()
    return (_all(Institution.objects.all(), institution_ids),
            _all(Enterprise.objects.all(), enterprise_ids))
