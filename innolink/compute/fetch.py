"""Rows into engine inputs: workloads and offers for the compute engine (free cards per day from
availability windows and holding bookings), and AI-scenario needs and solutions for the matching
engine (the same engine that matches challenges and researchers)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Prefetch

from innolink.compute.models import (
    SCENARIO_KINDS,
    AvailabilityWindow,
    Booking,
    Provider,
    Resource,
    ScenarioNeed,
    Solution,
    WorkloadRequest,
)
from innolink.compute.wording import summary_text
from innolink.core.messages import data_render
from innolink.engines.compute import Offer, Ranked, Workload, occupancy, rank
from innolink.engines.matching import ChallengeDoc, MatchingEngine, ResearcherDoc, Tokenizer


def workload(request: WorkloadRequest) -> Workload:
    return Workload(card_hours=request.card_hours, kind=request.kind,
                    accelerator_class=request.accelerator_class, earliest=request.earliest,
                    deadline=request.deadline, residency=request.residency,
                    min_memory_gb=request.min_memory_gb)


def _holding(start: dt.date, end: dt.date):
    return Booking.objects.filter(status__in=Booking.HOLDING, start__lte=end, end__gte=start)


def offer(resource: Resource, w: Workload, *, windows=None, bookings=None) -> Offer:
    """The resource as the engine sees it over the workload's window."""
    if windows is None:
        windows = list(resource.windows.all())
    if bookings is None:
        bookings = list(_holding(w.earliest, w.deadline).filter(resource=resource))
    days = (w.deadline - w.earliest).days + 1
    free = occupancy(resource.total_cards, w.earliest, days,
                     [(x.start, x.end) for x in windows],
                     [(b.start, b.end, b.cards) for b in bookings])
    return Offer(resource.pk, resource.accelerator, resource.accelerator_class, resource.memory_gb,
                 resource.total_cards, resource.price, resource.region, w.earliest, free,
                 label=str(resource))


def offers_for(request: WorkloadRequest) -> list[Ranked]:
    """Every listed resource of an approved provider, fitted and ranked (three queries)."""
    w = workload(request)
    resources = list(Resource.objects.filter(active=True, provider__status=Provider.Status.APPROVED)
                     .select_related("provider")
                     .prefetch_related(Prefetch("windows", queryset=AvailabilityWindow.objects.filter(
                         start__lte=w.deadline, end__gte=w.earliest))))
    held: dict[int, list[Booking]] = {}
    for booking in _holding(w.earliest, w.deadline).filter(resource__in=resources):
        held.setdefault(booking.resource_id, []).append(booking)
    by_id = {r.pk: r for r in resources}
    ranked = rank(w, [offer(r, w, windows=list(r.windows.all()), bookings=held.get(r.pk, []))
                      for r in resources])
    return [(by_id[r.offer.id], r) for r in ranked]


def held_cards_peak(resource: Resource, since: dt.date | None = None) -> int:
    """The most cards the resource's holding bookings take on any one day from ``since``."""
    from django.utils import timezone

    since = since or timezone.localdate()
    bookings = list(Booking.objects.filter(resource=resource, status__in=Booking.HOLDING,
                                           end__gte=since))
    if not bookings:
        return 0
    last = max(b.end for b in bookings)
    days = (last - since).days + 1
    used = np.zeros(days + 1, np.int64)
    for b in bookings:
        lo = max((b.start - since).days, 0)
        used[lo] += b.cards
        used[(b.end - since).days + 1] -= b.cards
    return int(np.cumsum(used).max())


# ------------------------------------------------------------------------------ scenarios

@dataclass(frozen=True)
class SolutionDoc(ResearcherDoc):
    """A solution on the provider side of the matching engine (``domains`` = its scenarios)."""

    domains: tuple[str, ...] = ()


def need_doc(need: ScenarioNeed) -> ChallengeDoc:
    statement = "。".join(t for t in (need.description, need.data_available, need.expected_gain) if t)
    return ChallengeDoc(str(need.pk), need.title, statement, domain=need.kind,
                        region="晋江", keywords=(need.kind,))


def solution_doc(solution: Solution) -> SolutionDoc:
    return SolutionDoc(str(solution.pk), solution.title, fields=tuple(solution.kinds),
                       keywords=tuple(solution.kinds),
                       achievements="。".join([solution.description, *solution.case_list]),
                       domain=solution.kinds[0] if solution.kinds else None,
                       domains=tuple(solution.kinds), available=True,
                       delivered_contracts=len(solution.case_list))


_lock = threading.Lock()


_tokenizer: list = []


def _engine() -> MatchingEngine:
    """A small engine over the scenario pools (hundreds of records: built per query in a few
    milliseconds; the tokenizer, which loads jieba's dictionary, is built once per process)."""
    if not _tokenizer:
        _tokenizer.append(Tokenizer(terms=SCENARIO_KINDS))
    return MatchingEngine(tokenizer=_tokenizer[0], encoder=None, ngram_factory=None)


def open_needs():
    return ScenarioNeed.objects.filter(status=ScenarioNeed.Status.OPEN).select_related("enterprise")


def published_solutions():
    return Solution.objects.filter(published=True, provider__status=Provider.Status.APPROVED
                                   ).select_related("provider")


def _summary(match) -> dict[str, Any]:
    explanation = match.explanation or {}
    terms = [t.get("term") for t in explanation.get("matched_terms", [])][:8]
    structured = explanation.get("structured") or {}
    # a factor's reason is the engine's frame with values, worded in the page's language
    reasons = [data_render(p["reason_data"]) if p.get("reason_data") else p.get("reason")
               for p in (structured.get("parts") or {}).values()
               if isinstance(p, dict) and p.get("reason") and p.get("score", 0) >= 0.75
               ] if isinstance(structured, dict) else []
    # the engine's Chinese sentence, with its reason codes and rank so that a page words it in
    # its reader's language (``wording.summary_text``); stored as it is by ``pair_explanation``
    return {"summary": explanation.get("summary", ""),
            "summary_codes": [r for r in explanation.get("reasons") or [] if isinstance(r, dict)],
            "rank": explanation.get("rank"), "terms": [t for t in terms if t],
            "reasons": reasons[:4]}


def _worded(summary: dict[str, Any]) -> dict[str, Any]:
    return {**summary, "summary": summary_text(summary)}


def solutions_for_need(need: ScenarioNeed, k: int = 10) -> list[tuple[Solution, float, dict]]:
    """Published solutions for a need, best first, each with its explanation."""
    rows = {str(s.pk): s for s in published_solutions()}
    if not rows:
        return []
    with _lock:
        engine = _engine()
        engine.set_researchers([solution_doc(s) for s in rows.values()])
        matches = engine.match_challenge(need_doc(need), k=k)
    return [(rows[m.id], m.score, _worded(_summary(m))) for m in matches if m.id in rows]


def needs_for_solution(solution: Solution, k: int = 10) -> list[tuple[ScenarioNeed, float, dict]]:
    rows = {str(n.pk): n for n in open_needs()}
    if not rows:
        return []
    with _lock:
        engine = _engine()
        engine.set_challenges([need_doc(n) for n in rows.values()])
        matches = engine.match_researcher(solution_doc(solution), k=k)
    return [(rows[m.id], m.score, _worded(_summary(m))) for m in matches if m.id in rows]


def pair_explanation(need: ScenarioNeed, solution: Solution) -> tuple[float, dict]:
    with _lock:
        engine = _engine()
        others = [s for s in published_solutions().exclude(pk=solution.pk)[:200]]
        engine.set_researchers([solution_doc(solution)] + [solution_doc(s) for s in others])
        explanation = engine.explain("challenge_to_researchers", need_doc(need), str(solution.pk))
    summary = _summary(type("M", (), {"explanation": explanation})())
    return float(explanation.get("score") or 0.0), summary
