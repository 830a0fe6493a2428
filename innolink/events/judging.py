"""Competition judging: conflicts of interest, reviewer assignment, score normalisation and the
ranked result. Pure Python + numpy: never imports Django (``fetch.py`` builds the inputs).

* :func:`conflicts_of_interest` - every (entry, reviewer) pair that must never be assigned, with
  the reason (same institution, same postdoctoral station or workstation, same enterprise,
  declared conflict). Reasons and problems are ``core.messages.Message``s: the Chinese text,
  keeping msgid and values, rendered in the reader's language at the edge (ADR 0791).
* :func:`plan_assignment` - k reviewers per entry under per-reviewer load limits, through the
  matching engine's min-cost-flow :func:`~innolink.engines.matching.assign.assign`; existing
  assignments are kept and only the remainder is filled; the feasibility check says why k cannot
  be met.
* :func:`normalise_scores` - per-reviewer z-scores rescaled to the pooled mean and spread (see
  ``docs/decisions/0320-judging-normalisation.md``).
* :func:`rank_entries` - competition ranking ("1, 2, 2, 4") with ties stated.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from innolink.core.messages import Message

__all__ = [
    "Affiliation", "Declared", "ReviewerFacts", "EntryFacts", "conflicts_of_interest",
    "affinity_matrix", "AssignmentPlan", "plan_assignment", "ReviewScore",
    "normalise_scores", "RankedEntry", "rank_entries",
]

STATION_KINDS = frozenset({"postdoc_station", "postdoc_workstation", "station"})
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Affiliation:
    """An institution, a postdoctoral station or an enterprise, by a stable key
    (``"inst:3"``, ``"station:晋江市鞋服产业博士后科研工作站"``, ``"e:12"``)."""

    key: str
    name: str
    kind: str = ""  # accounts.Institution.Kind for institutions, "station", "enterprise"


@dataclass(frozen=True)
class Declared:
    """A conflict the reviewer declared, against an entry (``"entry:5"``), a person
    (``"r:9"`` researcher profile, ``"u:3"`` user) or an enterprise (``"e:12"``)."""

    key: str
    reason: str = ""


@dataclass(frozen=True)
class ReviewerFacts:
    id: int  # the reviewer's user id
    name: str
    max_load: int
    institutions: tuple[Affiliation, ...] = ()
    enterprises: tuple[Affiliation, ...] = ()
    declared: tuple[Declared, ...] = ()
    fields: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EntryFacts:
    id: int
    title: str
    institutions: tuple[Affiliation, ...] = ()  # the team's institutions and stations
    enterprises: tuple[Affiliation, ...] = ()  # the challenge's enterprise
    people: tuple[str, ...] = ()  # "r:<profile id>", "u:<user id>" of the team
    domain: str = ""
    keywords: frozenset[str] = frozenset()
    other_keys: tuple[str, ...] = ()  # more keys a declaration may name ("p:<proposal id>")


def _joined(parts: Sequence[Message], msgid: str) -> Message:
    """Messages joined by a separator written in ``msgid`` (``"%(first)s；%(more)s"``), so the
    whole reads in one language."""
    out = parts[0]
    for part in parts[1:]:
        out = Message(msgid, first=out, more=part)
    return out


def _conflict_reasons(reviewer: ReviewerFacts, entry: EntryFacts) -> list[Message]:
    reasons = []
    mine = {a.key for a in reviewer.institutions}
    for inst in entry.institutions:
        if inst.key in mine:
            reasons.append(Message("同一博士后科研站：%(name)s", name=inst.name)
                           if inst.kind in STATION_KINDS
                           else Message("同一单位：%(name)s", name=inst.name))
    theirs = {a.key for a in entry.enterprises}
    for ent in reviewer.enterprises:
        if ent.key in theirs:
            reasons.append(Message("同一企业：%(name)s", name=ent.name))
    keys = {f"entry:{entry.id}", *entry.people, *theirs, *entry.other_keys}
    for d in reviewer.declared:
        if d.key in keys:
            reasons.append(Message("本人声明回避：%(reason)s", reason=d.reason) if d.reason
                           else Message("本人声明回避"))
    if f"u:{reviewer.id}" in entry.people:
        reasons.append(Message("评审专家是该方案的团队成员"))
    return reasons


def conflicts_of_interest(entries: Sequence[EntryFacts], reviewers: Sequence[ReviewerFacts]
                          ) -> dict[tuple[int, int], Message]:
    """``{(entry id, reviewer id): reason}`` for every pair that must never be assigned.

    Example:
        >>> hqu = Affiliation("inst:1", "华侨大学", "university")
        >>> conflicts_of_interest([EntryFacts(7, "方案", institutions=(hqu,))],
        ...                       [ReviewerFacts(3, "吴教授", 5, institutions=(hqu,))])
        {(7, 3): '同一单位：华侨大学'}
    """
    out = {}
    for entry in entries:
        for reviewer in reviewers:
            reasons = _conflict_reasons(reviewer, entry)
            if reasons:
                out[(entry.id, reviewer.id)] = _joined(reasons, "%(first)s；%(more)s")
    return out


def affinity_matrix(entries: Sequence[EntryFacts], reviewers: Sequence[ReviewerFacts]
                    ) -> np.ndarray:
    """Fit of each reviewer to each entry in [0, 1]: 0.6 when the entry's domain is one of the
    reviewer's fields, plus 0.4 x the Jaccard overlap of keywords.

    Example:
        >>> affinity_matrix([EntryFacts(1, "x", domain="新材料与石油化工",
        ...                              keywords=frozenset({"光刻胶", "介电常数"}))],
        ...                 [ReviewerFacts(2, "y", 3, fields=frozenset({"新材料与石油化工"}),
        ...                                keywords=frozenset({"光刻胶"}))]).round(2).tolist()
        [[0.8]]
    """
    out = np.zeros((len(entries), len(reviewers)))
    for i, e in enumerate(entries):
        for j, r in enumerate(reviewers):
            score = 0.6 if e.domain and e.domain in r.fields else 0.0
            union = e.keywords | r.keywords
            if union:
                score += 0.4 * len(e.keywords & r.keywords) / len(union)
            out[i, j] = score
    return out


@dataclass(frozen=True)
class AssignmentPlan:
    pairs: list[tuple[int, int, float]]  # new (entry, reviewer, affinity), existing excluded
    refused: list[tuple[int, int, Message]]  # every conflicting pair with its reason
    problems: list[Message]  # why k cannot be met (empty: it can)
    unmet: dict[int, tuple[int, Message]]  # entry -> (missing reviewers, reason)

    @property
    def complete(self) -> bool:
        return not self.unmet


def plan_assignment(entries: Sequence[EntryFacts], reviewers: Sequence[ReviewerFacts], *, k: int,
                    existing: Iterable[tuple[int, int]] = (), seed: int | None = None
                    ) -> AssignmentPlan:
    """Give every entry ``k`` reviewers (counting the ``existing`` (entry, reviewer) pairs),
    no reviewer above ``max_load`` entries, never a conflicting pair; maximise total affinity.

    Example:
        >>> hqu = Affiliation("inst:1", "华侨大学", "university")
        >>> p = plan_assignment([EntryFacts(7, "甲方案", institutions=(hqu,))],
        ...                     [ReviewerFacts(3, "吴教授", 5, institutions=(hqu,)),
        ...                      ReviewerFacts(4, "林教授", 5)], k=2)
        >>> p.pairs, p.refused
        ([(7, 4, 0.0)], [(7, 3, '同一单位：华侨大学')])
        >>> p.problems
        ['《甲方案》需要 2 位评审专家，但只有 1 位无利益冲突的专家（回避 1 位：同一单位 1 位）']
    """
    from innolink.engines.matching.assign import assign

    if k < 1:
        raise ValueError("k must be at least 1")
    existing = set(existing)
    entry_ids = [e.id for e in entries]
    reviewer_ids = [r.id for r in reviewers]
    conflicts = conflicts_of_interest(entries, reviewers)
    refused = sorted((e, r, why) for (e, r), why in conflicts.items())

    have = Counter(e for e, _ in existing)
    load = Counter(r for _, r in existing)
    demand = {e: max(0, k - have[e]) for e in entry_ids}
    capacity = {r.id: max(0, r.max_load - load[r.id]) for r in reviewers}

    problems: list[Message] = []
    by_entry_refused: dict[int, Counter[str]] = defaultdict(Counter)
    for e, _, why in refused:  # each kind (同一单位, 本人声明回避 …) is a msgid too
        for part in why.split("；"):
            by_entry_refused[e][part.split("：")[0]] += 1
    for e in entries:
        usable = [r for r in reviewers if (e.id, r.id) not in conflicts and r.max_load > 0]
        if len(usable) < k:
            counts = by_entry_refused.get(e.id)
            detail: Message | str = ""
            if counts:
                n_conf = sum(1 for (ee, _), _w in conflicts.items() if ee == e.id)
                parts = _joined([Message("%(kind)s %(n)s 位", kind=Message(kind), n=n)
                                 for kind, n in sorted(counts.items())], "%(first)s、%(more)s")
                detail = Message("（回避 %(n)s 位：%(kinds)s）", n=n_conf, kinds=parts)
            problems.append(Message("《%(title)s》需要 %(k)s 位评审专家，但只有 %(usable)s 位无利益"
                                    "冲突的专家%(detail)s", title=e.title, k=k,
                                    usable=len(usable), detail=detail))
    total_demand = sum(demand.values())
    total_capacity = sum(capacity.values())
    if total_demand > total_capacity:
        problems.append(Message("还需 %(demand)s 次评审，但专家剩余评审名额合计只有 %(capacity)s 次"
                                "（请提高专家评审上限或增加专家，至少再增加 %(more)s 次）",
                                demand=total_demand, capacity=total_capacity,
                                more=total_demand - total_capacity))

    ii, jj = np.meshgrid(np.arange(len(entries)), np.arange(len(reviewers)), indexing="ij")
    aff = affinity_matrix(entries, reviewers)
    cand = [(entry_ids[i], reviewer_ids[j], float(aff[i, j]))
            for i, j in zip(ii.ravel().tolist(), jj.ravel().tolist())
            if (entry_ids[i], reviewer_ids[j]) not in existing]
    unmet: dict[int, tuple[int, str]] = {}
    pairs: list[tuple[int, int, float]] = []
    if cand and total_demand:
        result = assign([c[0] for c in cand], [c[1] for c in cand], [c[2] for c in cand],
                        demand=demand, capacity=capacity, conflicts=conflicts, items=entry_ids,
                        default_capacity=0, seed=seed)
        pairs = [(int(e), int(r), float(s)) for e, r, s in
                 zip(result.item_ids.tolist(), result.agent_ids.tolist(), result.scores.tolist())]
        got = Counter(e for e, _, _ in pairs)
    else:
        got = Counter()
    problem_for = {e.id: p for e, p in zip(entries, [None] * len(entries))}
    for p in problems:
        for e in entries:
            if p.startswith(f"《{e.title}》"):
                problem_for[e.id] = p
    for e in entry_ids:
        missing = demand[e] - got[e]
        if missing > 0:
            reason = problem_for.get(e) or Message("其余无利益冲突专家的评审名额已被其他方案占满，"
                                                   "请提高评审上限或增加专家")
            unmet[e] = (missing, reason)
    return AssignmentPlan(pairs=pairs, refused=refused, problems=problems, unmet=unmet)


# ------------------------------------------------------------------ scores and the result


@dataclass(frozen=True)
class ReviewScore:
    entry: int
    reviewer: int
    total: Decimal  # the reviewer's rubric total for the entry


def normalise_scores(scores: Sequence[ReviewScore], *, max_total: Decimal | None = None
                     ) -> dict[tuple[int, int], float]:
    """Per-reviewer z-score, rescaled to the platform's scale:

        y = mu + sigma * (x - m_r) / s_r

    where m_r, s_r are the reviewer's own mean and (population) standard deviation, mu is the
    mean of all totals and sigma the root-mean-square of the reviewers' own standard
    deviations (the typical spread within one reviewer, so leniency differences between
    reviewers do not inflate the scale; the overall standard deviation when no reviewer has
    two scores). A reviewer
    with a single score keeps the raw total (leniency cannot be estimated from one score); a
    reviewer whose scores are all equal gets mu for each (no ordering information). Results are
    clipped to [0, max_total].

    Example:
        >>> s = [ReviewScore(1, 9, Decimal(95)), ReviewScore(2, 9, Decimal(85)),
        ...      ReviewScore(1, 8, Decimal(65)), ReviewScore(2, 8, Decimal(55))]
        >>> {k: round(v, 1) for k, v in normalise_scores(s).items()}
        {(1, 9): 80.0, (2, 9): 70.0, (1, 8): 80.0, (2, 8): 70.0}
    """
    if not scores:
        return {}
    x = np.array([float(s.total) for s in scores])
    by_reviewer: dict[int, list[int]] = defaultdict(list)
    for idx, s in enumerate(scores):
        by_reviewer[s.reviewer].append(idx)
    within = [float(x[idxs].var()) for idxs in by_reviewer.values() if len(idxs) >= 2]
    mu = float(x.mean())
    sigma = float(np.sqrt(np.mean(within))) if within else float(x.std())
    y = x.copy()
    for idxs in by_reviewer.values():
        if len(idxs) < 2:
            continue
        own = x[idxs]
        sd = float(own.std())
        y[idxs] = mu if sd == 0 else mu + sigma * (own - own.mean()) / sd
    upper = float(max_total) if max_total is not None else np.inf
    y = np.clip(y, 0.0, upper)
    return {(s.entry, s.reviewer): float(v) for s, v in zip(scores, y)}


@dataclass(frozen=True)
class RankedEntry:
    entry: int
    rank: int
    score: Decimal  # mean normalised score, 2 places
    raw_mean: Decimal  # mean raw total, 2 places
    reviews: int
    tied_with: tuple[int, ...] = field(default=())


def _q(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def rank_entries(scores: Sequence[ReviewScore], *, entries: Iterable[int] = (),
                 max_total: Decimal | None = None) -> list[RankedEntry]:
    """Rank entries by their mean normalised score (2 places); equal scores share a rank and
    name each other in ``tied_with`` ("1, 2, 2, 4"); entries without scores come last, unranked
    (rank 0). Ties are stated, never broken silently.

    Example:
        >>> s = [ReviewScore(1, 9, Decimal(90)), ReviewScore(2, 9, Decimal(80)),
        ...      ReviewScore(3, 9, Decimal(80))]
        >>> [(r.entry, r.rank, r.tied_with) for r in rank_entries(s, entries=[1, 2, 3, 4])]
        [(1, 1, ()), (2, 2, (3,)), (3, 2, (2,)), (4, 0, ())]
    """
    norm = normalise_scores(scores, max_total=max_total)
    per: dict[int, list[float]] = defaultdict(list)
    raw: dict[int, list[float]] = defaultdict(list)
    for s in scores:
        per[s.entry].append(norm[(s.entry, s.reviewer)])
        raw[s.entry].append(float(s.total))
    rows = [(e, _q(float(np.mean(v))), _q(float(np.mean(raw[e]))), len(v)) for e, v in per.items()]
    rows.sort(key=lambda r: (-r[1], r[0]))
    groups: dict[Decimal, list[int]] = defaultdict(list)
    for e, score, _, _ in rows:
        groups[score].append(e)
    out: list[RankedEntry] = []
    for position, (e, score, raw_mean, n) in enumerate(rows, start=1):
        first = groups[score][0]
        rank = next(r.rank for r in out if r.entry == first) if first != e else position
        out.append(RankedEntry(e, rank, score, raw_mean, n,
                               tuple(x for x in groups[score] if x != e)))
    for e in sorted(set(entries) - set(per)):
        out.append(RankedEntry(e, 0, Decimal("0.00"), Decimal("0.00"), 0))
    return out
