"""Assignment (min-cost flow) against brute force; scheduling (CP-SAT) against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from innolink.engines.matching._errors import InfeasibleError
from innolink.engines.matching.assign import (
    assign,
    assign_reviewers,
    check_feasibility,
    schedule_meetings,
)


def random_instance(rng, n_items, n_agents, density=0.6):
    pairs = [(i, a) for i in range(n_items) for a in range(100, 100 + n_agents)
             if rng.random() < density]
    items = np.array([p[0] for p in pairs], np.int64)
    agents = np.array([p[1] for p in pairs], np.int64)
    scores = np.round(rng.random(len(pairs)), 3)
    return items, agents, scores


def brute_force(items, agents, scores, demand, capacity, forbidden=frozenset()):
    """Best (filled slots, total score) over all subsets of edges: obviously correct."""
    best = (-1, -1.0)
    edges = [e for e in range(len(items)) if (items[e], agents[e]) not in forbidden]
    for mask in range(1 << len(edges)):
        chosen = [edges[j] for j in range(len(edges)) if mask >> j & 1]
        load_i, load_a = {}, {}
        ok = True
        for e in chosen:
            load_i[items[e]] = load_i.get(items[e], 0) + 1
            load_a[agents[e]] = load_a.get(agents[e], 0) + 1
            if load_i[items[e]] > demand or load_a[agents[e]] > capacity:
                ok = False
                break
        if ok:
            cand = (len(chosen), round(sum(scores[e] for e in chosen), 6))
            best = max(best, cand)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_flow_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    items, agents, scores = random_instance(rng, 3, 4)
    if len(items) > 12:
        keep = rng.choice(len(items), 12, replace=False)
        items, agents, scores = items[keep], agents[keep], scores[keep]
    demand, capacity = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    forbidden = {(int(items[0]), int(agents[0]))} if len(items) else set()
    conflicts = {p: "conflict of interest" for p in forbidden}
    res = assign(items, agents, scores, demand=demand, capacity=capacity, conflicts=conflicts)
    filled, best = brute_force(items, agents, scores, demand, capacity, forbidden)
    assert len(res.item_ids) == filled
    assert res.total_score == pytest.approx(best, abs=1e-6)
    for pair in res.pairs():
        assert pair not in forbidden
    assert max(np.unique(res.agent_ids, return_counts=True)[1], default=0) <= capacity
    assert max(np.unique(res.item_ids, return_counts=True)[1], default=0) <= demand


def test_matches_scipy_exact_matching_when_capacities_are_one():
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(3)
    w = rng.random((30, 40))
    res = assign_reviewers(list(range(30)), list(range(100, 140)), w, per_proposal=1, max_load=1)
    r, c = linear_sum_assignment(w, maximize=True)
    assert res.total_score == pytest.approx(w[r, c].sum(), abs=1e-4)


def test_capacities_conflicts_and_refused_reasons():
    rng = np.random.default_rng(1)
    items, agents, scores = random_instance(rng, 40, 30, density=0.5)
    conflicts = {(int(i), int(a)): "same institution"
                 for i, a in zip(items[::7], agents[::7])}
    res = assign(items, agents, scores, demand=3, capacity=2, conflicts=conflicts)
    assert not set(res.pairs()) & set(conflicts)
    assert {(i, a) for i, a, _ in res.refused} == set(conflicts)
    assert all(reason == "same institution" for *_, reason in res.refused)
    assert np.unique(res.agent_ids, return_counts=True)[1].max() <= 2
    assert np.unique(res.item_ids, return_counts=True)[1].max() <= 3


def test_per_item_demand_and_per_agent_capacity_mappings():
    res = assign([1, 1, 2, 2], [10, 11, 10, 11], [0.9, 0.8, 0.7, 0.6],
                 demand={1: 2, 2: 1}, capacity={10: 2, 11: 1})
    assert sorted(res.pairs()) == [(1, 10), (1, 11), (2, 10)]
    assert res.status == "optimal" and res.unmet == {}


def test_feasibility_reasons_before_solving():
    problems = check_feasibility([17, 17, 18, 18, 18], [1, 2, 1, 2, 3], [1] * 5,
                                 demand=3, capacity=1, conflicts={(18, 3): "coi"},
                                 items=[19])
    messages = [p.message for p in problems]
    assert "challenge 17 needs 3 teams but has only 2 non-conflicting candidates" in messages
    assert "challenge 18 needs 3 teams but has only 2 non-conflicting candidates" in messages
    assert "challenge 19 needs 3 teams but has no candidates" in messages
    assert "total demand 9 > total capacity 2" in messages  # candidates 1 and 2 only
    with pytest.raises(InfeasibleError) as exc:
        assign([17, 17], [1, 2], [0.5, 0.5], demand=3, capacity=1, strict=True)
    assert "challenge 17 needs 3 teams" in str(exc.value)


def test_unmet_demand_from_overlap_is_explained():
    # both challenges want the same single researcher: the check passes, the flow cannot
    res = assign([1, 2], [10, 10], [0.9, 0.8], demand=1, capacity=1)
    assert res.pairs() == [(1, 10)]
    assert res.unmet[2].missing == 1 and "capacity" in res.unmet[2].reason
    assert res.status == "partial"


def test_deterministic_and_seeded_tie_breaks():
    items = np.repeat(np.arange(20), 5)
    agents = np.tile(np.arange(100, 105), 20)
    scores = np.full(100, 0.5)  # all ties
    runs = [assign(items, agents, scores, demand=1, capacity=4).pairs() for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    shuffled = np.random.default_rng(0).permutation(100)
    assert assign(items[shuffled], agents[shuffled], scores, demand=1, capacity=4).pairs() \
        == runs[0]
    s1 = assign(items, agents, scores, demand=1, capacity=4, seed=7).pairs()
    s2 = assign(items, agents, scores, demand=1, capacity=4, seed=7).pairs()
    assert s1 == s2


def test_reviewer_assignment_never_uses_conflicts():
    rng = np.random.default_rng(5)
    w = rng.random((15, 8))
    coi = {(p, 100 + r): "co-author" for p in range(15) for r in range(8) if rng.random() < 0.2}
    res = assign_reviewers(list(range(15)), list(range(100, 108)), w, per_proposal=3,
                           max_load=6, conflicts=coi)
    assert not set(res.pairs()) & set(coi)
    assert len(res.refused) == len(coi)
    assert np.unique(res.agent_ids, return_counts=True)[1].max() <= 6


# ------------------------------------------------------------------ scheduling


def brute_force_schedule(pairs, n_slots, n_rooms):
    """Maximum number of pairs schedulable (try every slot or none per pair)."""
    best = 0
    for choice in itertools.product(range(-1, n_slots), repeat=len(pairs)):
        ok = True
        for s in range(n_slots):
            in_slot = [pairs[i] for i, c in enumerate(choice) if c == s]
            people = [p for pair in in_slot for p in pair]
            if len(in_slot) > n_rooms or len(people) != len(set(people)):
                ok = False
                break
        if ok:
            best = max(best, sum(c >= 0 for c in choice))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_schedule_no_double_booking_and_optimal(seed):
    rng = np.random.default_rng(seed)
    people_a, people_b = ["E1", "E2", "E3"], ["r1", "r2", "r3"]
    pairs = list({(people_a[rng.integers(3)], people_b[rng.integers(3)]) for _ in range(6)})
    n_slots, n_rooms = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    s = schedule_meetings(pairs, slots=list(range(n_slots)), rooms=[f"R{r}" for r in
                                                                   range(n_rooms)])
    seen = set()
    for i, (slot, room) in s.slots.items():
        a, b = pairs[i]
        for key in [(a, slot), (b, slot), ("room", room, slot)]:
            assert key not in seen
            seen.add(key)
    assert len(s.slots) == brute_force_schedule(pairs, n_slots, n_rooms)
    assert set(s.slots) | set(s.unscheduled) == set(range(len(pairs)))
    assert s.optimal


def test_schedule_all_pairs_when_feasible_priority_and_availability():
    pairs = [("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")]
    s = schedule_meetings(pairs, slots=["9:00", "9:30"], rooms=["R1", "R2"])
    assert len(s.slots) == 4 and not s.unscheduled
    # one slot only: two of four fit; priorities decide which
    s = schedule_meetings(pairs, slots=["9:00"], rooms=["R1", "R2"], priority=[1, 5, 5, 1])
    assert sorted(s.slots) == [1, 2] and s.objective == 10
    s = schedule_meetings([("A", "x")], slots=[1, 2], rooms=["R"], unavailable={"A": [1],
                                                                               "x": [2]})
    assert s.unscheduled == {0: "A and x have no common available slot"}


def test_schedule_deterministic():
    rng = np.random.default_rng(0)
    pairs = [(f"E{rng.integers(8)}", f"r{rng.integers(20)}") for _ in range(40)]
    a = schedule_meetings(pairs, slots=list(range(6)), rooms=list(range(5)), seed=3)
    b = schedule_meetings(pairs, slots=list(range(6)), rooms=list(range(5)), seed=3)
    assert a.slots == b.slots
