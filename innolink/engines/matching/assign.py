"""Capacity-aware assignment and meeting scheduling.

* :func:`assign` - challenges ("items") x researchers ("agents") over candidate pairs: each item
  wants ``demand`` agents, each agent takes at most ``capacity`` items, forbidden pairs are never
  used. Solved exactly as a min-cost max-flow with OR-Tools ``SimpleMinCostFlow``
  (source -> item [cap demand] -> agent [cap 1, cost -score] -> sink [cap capacity]):
  as many slots as possible are filled, and among those fillings the total score is maximal.
  Scores are scaled to integers (``round(score * scale)``, default scale 1e6); arcs are added in
  (item id, agent id) order, or in a seeded permutation of it, so equal-score ties resolve the
  same way every run.
* :func:`check_feasibility` - the reasons a requirement cannot be met, found before solving
  (an item with fewer usable candidates than its demand, total demand above total capacity).
* :func:`assign_reviewers` - the same solver for the competition: k reviewers per proposal,
  per-reviewer load limits, conflicts of interest never assigned and reported with reasons.
* :func:`schedule_meetings` - matchmaking-event slots: every pair that should meet gets a
  (slot, room) with nobody in two places at once. That is edge colouring with room limits,
  not a flow problem; solved with OR-Tools CP-SAT (fixed seed, one worker, time limit),
  maximising the priority-weighted number of scheduled pairs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._errors import InfeasibleError, InvalidInputError

__all__ = [
    "Assignment",
    "Problem",
    "Unmet",
    "assign",
    "check_feasibility",
    "assign_reviewers",
    "Schedule",
    "schedule_meetings",
]

Conflicts = Mapping[tuple[int, int], str]


@dataclass(frozen=True)
class Problem:
    """One reason a requirement cannot be met (``item`` is None for global problems)."""

    code: str  # "too_few_candidates" | "demand_exceeds_capacity" | "no_candidates"
    message: str
    item: int | None = None
    #: the figures in the message, by name, for a caller that words it itself
    values: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Unmet:
    """Demand an item did not get after solving, and why."""

    missing: int
    reason: str


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign`. Pairs are sorted by item id, then score (best first)."""

    item_ids: np.ndarray  # int64
    agent_ids: np.ndarray  # int64
    scores: np.ndarray  # float64, the input scores of the chosen pairs
    total_score: float
    unmet: dict[int, Unmet]
    refused: list[tuple[int, int, str]]  # candidate pairs excluded as conflicts, with reason
    problems: list[Problem]  # from check_feasibility (before solving)
    status: str  # "optimal" (all demand met) | "partial" (max flow < demand)

    def pairs(self) -> list[tuple[int, int]]:
        return list(zip(self.item_ids.tolist(), self.agent_ids.tolist()))


def _per_key(value: int | Mapping[int, int], keys: np.ndarray, default: int | None, what: str):
    if isinstance(value, Mapping):
        if default is None:
            missing = [k for k in keys.tolist() if k not in value]
            if missing:
                raise InvalidInputError(f"{what} missing for {missing[:5]}", missing=missing[:20])
        return np.array([int(value.get(k, default or 0)) for k in keys.tolist()], np.int64)
    return np.full(len(keys), int(value), np.int64)


def _prepare(item_ids, agent_ids, scores, conflicts):
    items = np.asarray(item_ids, np.int64).ravel()
    agents = np.asarray(agent_ids, np.int64).ravel()
    sc = np.asarray(scores, np.float64).ravel()
    if not (len(items) == len(agents) == len(sc)):
        raise InvalidInputError("item_ids, agent_ids and scores must have the same length")
    if not np.all(np.isfinite(sc)):
        raise InvalidInputError("scores must be finite")
    # duplicate pairs: keep the best score
    order = np.lexsort((-sc, agents, items))
    items, agents, sc = items[order], agents[order], sc[order]
    first = np.ones(len(items), bool)
    first[1:] = (items[1:] != items[:-1]) | (agents[1:] != agents[:-1])
    items, agents, sc = items[first], agents[first], sc[first]
    refused: list[tuple[int, int, str]] = []
    if conflicts:
        bad = np.array(
            [(i, a) in conflicts for i, a in zip(items.tolist(), agents.tolist())], bool
        )
        refused = [
            (i, a, conflicts[(i, a)])
            for i, a in zip(items[bad].tolist(), agents[bad].tolist())
        ]
        items, agents, sc = items[~bad], agents[~bad], sc[~bad]
    return items, agents, sc, refused


def check_feasibility(
    item_ids: Sequence[int],
    agent_ids: Sequence[int],
    scores: Sequence[float],
    *,
    demand: int | Mapping[int, int],
    capacity: int | Mapping[int, int],
    conflicts: Conflicts | None = None,
    items: Iterable[int] | None = None,
    default_capacity: int | None = None,
) -> list[Problem]:
    """Why the demand cannot be fully met, checked before solving (empty list: no obvious
    obstacle; the flow may still leave demand unmet through overlapping candidate sets,
    which :func:`assign` reports per item).

    Examples:
        >>> check_feasibility([17, 17, 18], [1, 2, 1], [0.9, 0.8, 0.7], demand=3, capacity=1)
        ... # doctest: +NORMALIZE_WHITESPACE
        [Problem(code='too_few_candidates',
                 message='challenge 17 needs 3 teams but has only 2 non-conflicting candidates',
                 item=17),
         Problem(code='too_few_candidates',
                 message='challenge 18 needs 3 teams but has only 1 non-conflicting candidate',
                 item=18),
         Problem(code='demand_exceeds_capacity',
                 message='total demand 6 > total capacity 2', item=None)]
    """
    it, ag, sc, _ = _prepare(item_ids, agent_ids, scores, conflicts or {})
    all_items = np.unique(np.concatenate([np.asarray(list(items or []), np.int64), it,
                                          np.asarray(list(demand) if isinstance(demand, Mapping)
                                                     else [], np.int64)]))
    dem = _per_key(demand, all_items, 0, "demand")
    agents_u = np.unique(ag)
    cap = _per_key(capacity, agents_u, default_capacity, "capacity")
    usable = cap[np.searchsorted(agents_u, ag)] > 0 if len(ag) else np.zeros(0, bool)
    n_cand = np.zeros(len(all_items), np.int64)
    if len(it):
        np.add.at(n_cand, np.searchsorted(all_items, it[usable]), 1)
    problems: list[Problem] = []
    for item, d, c in zip(all_items.tolist(), dem.tolist(), n_cand.tolist()):
        if d > 0 and c == 0:
            problems.append(Problem(
                "no_candidates", f"challenge {item} needs {d} teams but has no candidates", item
            ))
        elif c < d:
            noun = "candidate" if c == 1 else "candidates"
            problems.append(Problem(
                "too_few_candidates",
                f"challenge {item} needs {d} teams but has only {c} non-conflicting {noun}",
                item,
            ))
    total_d, total_c = int(dem.sum()), int(cap.sum())
    if total_d > total_c:
        problems.append(Problem("demand_exceeds_capacity",
                                f"total demand {total_d} > total capacity {total_c}",
                                values=(("demand", total_d), ("capacity", total_c))))
    return problems


def assign(
    item_ids: Sequence[int],
    agent_ids: Sequence[int],
    scores: Sequence[float],
    *,
    demand: int | Mapping[int, int],
    capacity: int | Mapping[int, int],
    conflicts: Conflicts | None = None,
    items: Iterable[int] | None = None,
    default_capacity: int | None = None,
    seed: int | None = None,
    scale: float = 1e6,
    strict: bool = False,
) -> Assignment:
    """Maximum-fill, then maximum-score assignment over candidate pairs.

    Args:
        item_ids, agent_ids, scores: candidate pairs (e.g. each challenge's top-50
            researchers) and their fit; duplicates keep the best score.
        demand: agents wanted per item (int, or item id -> int; missing items want 0).
        capacity: items an agent can take (int, or agent id -> int, missing ->
            ``default_capacity``, which must then be given).
        conflicts: forbidden (item, agent) pairs -> reason; never assigned, reported in
            ``refused`` when they were candidates.
        items: items to report even if they have no candidates.
        seed: None: ties resolved by (item id, agent id) order; an int: by a permutation
            seeded with it. Either way the same input gives the same output.
        scale: scores are rounded to multiples of ``1 / scale``.
        strict: raise :class:`InfeasibleError` (with ``extra['problems']``) when the
            feasibility check finds a problem, instead of returning a partial assignment.

    Examples:
        >>> r = assign([1, 1, 2, 2], [10, 11, 10, 11], [0.9, 0.5, 0.8, 0.1],
        ...            demand=1, capacity=1)
        >>> r.pairs(), round(r.total_score, 3), r.status
        ([(1, 11), (2, 10)], 1.3, 'optimal')
        >>> r = assign([1, 1], [10, 11], [0.9, 0.5], demand=2, capacity=1,
        ...            conflicts={(1, 11): "same institution"})
        >>> r.pairs(), r.unmet[1].missing, r.refused
        ([(1, 10)], 1, [(1, 11, 'same institution')])
    """
    from ortools.graph.python import min_cost_flow

    it, ag, sc, refused = _prepare(item_ids, agent_ids, scores, conflicts or {})
    problems = check_feasibility(
        it, ag, sc, demand=demand, capacity=capacity, items=items,
        default_capacity=default_capacity,
    )
    if strict and problems:
        raise InfeasibleError(
            "; ".join(p.message for p in problems), problems=[p.message for p in problems]
        )
    all_items = np.unique(np.concatenate([
        np.asarray(list(items or []), np.int64), it,
        np.asarray(list(demand) if isinstance(demand, Mapping) else [], np.int64),
    ]))
    dem = _per_key(demand, all_items, 0, "demand")
    agents_u = np.unique(ag)
    cap = _per_key(capacity, agents_u, default_capacity, "capacity")

    n_items, n_agents = len(all_items), len(agents_u)
    src, snk = 0, 1
    item_node = 2 + np.searchsorted(all_items, it)
    agent_node = 2 + n_items + np.searchsorted(agents_u, ag)
    order = np.arange(len(it))
    if seed is not None:
        order = np.random.default_rng(seed).permutation(len(it))
    cost = -np.rint(sc * scale).astype(np.int64)

    mcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([
        np.full(n_items, src, np.int64), item_node[order], 2 + n_items + np.arange(n_agents),
    ])
    heads = np.concatenate([
        2 + np.arange(n_items), agent_node[order], np.full(n_agents, snk, np.int64),
    ])
    caps = np.concatenate([dem, np.ones(len(it), np.int64), cap])
    costs = np.concatenate([np.zeros(n_items, np.int64), cost[order], np.zeros(n_agents, np.int64)])
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    total_demand = int(dem.sum())
    supplies = np.zeros(2 + n_items + n_agents, np.int64)
    supplies[src], supplies[snk] = total_demand, -total_demand
    mcf.set_nodes_supplies(np.arange(len(supplies)), supplies)
    status = mcf.solve_max_flow_with_min_cost()
    if status != mcf.OPTIMAL:
        raise InfeasibleError(f"min-cost flow failed with status {status}", status=int(status))
    flows = mcf.flows(arcs)
    edge_flow = np.zeros(len(it), np.int64)
    edge_flow[order] = flows[n_items : n_items + len(it)]
    chosen = np.flatnonzero(edge_flow > 0)
    sel = np.lexsort((ag[chosen], -sc[chosen], it[chosen]))
    chosen = chosen[sel]

    got = flows[:n_items]
    unmet: dict[int, Unmet] = {}
    item_problem = {p.item: p.message for p in problems if p.item is not None}
    for item, d, g in zip(all_items.tolist(), dem.tolist(), got.tolist()):
        if g < d:
            reason = item_problem.get(
                item,
                f"challenge {item}: the remaining non-conflicting candidates are at capacity "
                f"(taken by other challenges)",
            )
            unmet[item] = Unmet(d - g, reason)
    return Assignment(
        item_ids=it[chosen],
        agent_ids=ag[chosen],
        scores=sc[chosen],
        total_score=float(sc[chosen].sum()),
        unmet=unmet,
        refused=refused,
        problems=problems,
        status="optimal" if not unmet else "partial",
    )


def assign_reviewers(
    proposal_ids: Sequence[int],
    reviewer_ids: Sequence[int],
    affinity: np.ndarray,
    *,
    per_proposal: int,
    max_load: int | Mapping[int, int],
    conflicts: Conflicts | None = None,
    seed: int | None = None,
    strict: bool = False,
) -> Assignment:
    """Reviewer assignment: ``per_proposal`` reviewers for every proposal, each reviewer at
    most ``max_load`` proposals, conflicts of interest ((proposal, reviewer) -> reason)
    never assigned and listed in ``refused``; maximises total affinity
    (``affinity[i, j]`` for proposal i, reviewer j).

    Examples:
        >>> r = assign_reviewers([1, 2], [7, 8, 9], np.array([[.9, .8, .1], [.9, .2, .7]]),
        ...                      per_proposal=2, max_load=1, conflicts={(2, 8): "co-author"})
        >>> r.pairs(), r.refused, r.status
        ([(1, 7), (1, 8), (2, 9)], [(2, 8, 'co-author')], 'partial')
        >>> r.unmet[2].missing
        1
    """
    affinity = np.asarray(affinity, np.float64)
    p = np.asarray(proposal_ids, np.int64)
    r = np.asarray(reviewer_ids, np.int64)
    if affinity.shape != (len(p), len(r)):
        raise InvalidInputError("affinity must be proposals x reviewers", shape=affinity.shape)
    ii, jj = np.meshgrid(np.arange(len(p)), np.arange(len(r)), indexing="ij")
    return assign(
        p[ii.ravel()], r[jj.ravel()], affinity.ravel(),
        demand=per_proposal, capacity=max_load, conflicts=conflicts, items=p.tolist(),
        default_capacity=0, seed=seed, strict=strict,
    )


# ------------------------------------------------------------------ meeting scheduling


@dataclass(frozen=True)
class Schedule:
    """Result of :func:`schedule_meetings`."""

    slots: dict[int, tuple[Hashable, Hashable]]  # pair index -> (slot, room)
    unscheduled: dict[int, str]  # pair index -> reason
    objective: int  # priority-weighted number of scheduled pairs
    optimal: bool  # proven optimal within the time limit
    status: str = field(default="")


def schedule_meetings(
    pairs: Sequence[tuple[Hashable, Hashable]],
    slots: Sequence[Hashable],
    rooms: Sequence[Hashable],
    *,
    priority: Sequence[int] | None = None,
    unavailable: Mapping[Hashable, Iterable[Hashable]] | None = None,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> Schedule:
    """Give each pair that should meet a (slot, room): nobody in two meetings in one slot,
    at most ``len(rooms)`` meetings per slot, nobody scheduled in a slot they are
    unavailable; maximise the priority-weighted number of scheduled pairs (CP-SAT,
    deterministic: fixed seed, one worker).

    Examples:
        >>> s = schedule_meetings([("A", "x"), ("A", "y"), ("B", "x")], slots=[1, 2],
        ...                       rooms=["R1", "R2"])
        >>> len(s.slots), s.unscheduled, s.optimal
        (3, {}, True)
        >>> s.slots[0][0] != s.slots[1][0]  # A meets x and y in different slots
        True
    """
    from ortools.sat.python import cp_model

    n = len(pairs)
    prio = [1] * n if priority is None else [int(x) for x in priority]
    if len(prio) != n or any(x < 0 for x in prio):
        raise InvalidInputError("priority must give a non-negative integer per pair")
    blocked = {p: set(v) for p, v in (unavailable or {}).items()}
    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    for i, (a, b) in enumerate(pairs):
        for s, slot in enumerate(slots):
            if slot in blocked.get(a, ()) or slot in blocked.get(b, ()):
                continue
            x[i, s] = model.new_bool_var(f"x{i}_{s}")
    by_pair: dict[int, list] = {}
    by_slot: dict[int, list] = {}
    by_person_slot: dict[tuple[Hashable, int], list] = {}
    for (i, s), var in x.items():
        by_pair.setdefault(i, []).append(var)
        by_slot.setdefault(s, []).append(var)
        a, b = pairs[i]
        by_person_slot.setdefault((a, s), []).append(var)
        if b != a:
            by_person_slot.setdefault((b, s), []).append(var)
    for vars_ in by_pair.values():
        model.add_at_most_one(vars_)
    for vars_ in by_person_slot.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    for vars_ in by_slot.values():
        if len(vars_) > len(rooms):
            model.add(sum(vars_) <= len(rooms))
    model.maximize(sum(prio[i] * var for (i, _), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Schedule({}, {i: "no schedule found within the time limit" for i in range(n)},
                        0, False, solver.status_name(status))
    used_rooms: dict[int, int] = {}
    result: dict[int, tuple[Hashable, Hashable]] = {}
    for (i, s), var in sorted(x.items()):
        if solver.value(var):
            r = used_rooms.get(s, 0)
            used_rooms[s] = r + 1
            result[i] = (slots[s], rooms[r])
    unscheduled: dict[int, str] = {}
    for i, (a, b) in enumerate(pairs):
        if i in result:
            continue
        if i not in by_pair:
            unscheduled[i] = f"{a} and {b} have no common available slot"
        else:
            unscheduled[i] = (
                f"every common slot of {a} and {b} is taken by their other meetings "
                f"or has no free room"
            )
    return Schedule(
        result, unscheduled, int(round(solver.objective_value)),
        status == cp_model.OPTIMAL, solver.status_name(status),
    )
