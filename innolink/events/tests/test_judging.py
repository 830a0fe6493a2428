"""Conflicts, reviewer assignment, normalisation and ranking (pure functions), checked against
plain loops and a brute-force reference."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from decimal import Decimal

import pytest

from innolink.events.judging import (
    Affiliation,
    Declared,
    EntryFacts,
    ReviewerFacts,
    ReviewScore,
    conflicts_of_interest,
    normalise_scores,
    plan_assignment,
    rank_entries,
)

HQU = Affiliation("inst:1", "华侨大学", "university")
FZU = Affiliation("inst:2", "福州大学", "university")
STATION = Affiliation("station:晋江市鞋服产业博士后科研工作站", "晋江市鞋服产业博士后科研工作站",
                      "station")
ANTA = Affiliation("e:50", "安踏体育用品有限公司", "enterprise")


def test_each_kind_of_conflict_is_named():
    entry = EntryFacts(1, "鞋底耐磨方案", institutions=(HQU, STATION), enterprises=(ANTA,),
                       people=("u:77", "r:78"))
    reviewers = [
        ReviewerFacts(10, "同校", 3, institutions=(HQU,)),
        ReviewerFacts(11, "同站", 3, institutions=(FZU, STATION)),
        ReviewerFacts(12, "同企", 3, enterprises=(ANTA,)),
        ReviewerFacts(13, "声明方案", 3, declared=(Declared("entry:1", "曾合作"),)),
        ReviewerFacts(14, "声明个人", 3, declared=(Declared("r:78", "师生关系"),)),
        ReviewerFacts(15, "声明企业", 3, declared=(Declared("e:50"),)),
        ReviewerFacts(16, "无冲突", 3, institutions=(FZU,)),
        ReviewerFacts(77, "本人", 3),
    ]
    got = conflicts_of_interest([entry], reviewers)
    assert got == {
        (1, 10): "同一单位：华侨大学",
        (1, 11): "同一博士后科研站：晋江市鞋服产业博士后科研工作站",
        (1, 12): "同一企业：安踏体育用品有限公司",
        (1, 13): "本人声明回避：曾合作",
        (1, 14): "本人声明回避：师生关系",
        (1, 15): "本人声明回避",
        (1, 77): "评审专家是该方案的团队成员",
    }


def _random_case(rng: random.Random):
    insts = [Affiliation(f"inst:{i}", f"机构{i}", "university") for i in range(4)]
    entries = [EntryFacts(100 + i, f"方案{i}", institutions=(rng.choice(insts),),
                          domain=rng.choice(["甲", "乙"]))
               for i in range(rng.randint(1, 4))]
    reviewers = [ReviewerFacts(200 + j, f"专家{j}", rng.randint(0, 3),
                               institutions=(rng.choice(insts),),
                               fields=frozenset({rng.choice(["甲", "乙"])}))
                 for j in range(rng.randint(1, 4))]
    return entries, reviewers, rng.randint(1, 3)


def _brute_force_fill(entries, reviewers, k, conflicts):
    """The most (entry, reviewer) pairs any valid assignment can make."""
    cand = [(e.id, r.id) for e in entries for r in reviewers if (e.id, r.id) not in conflicts]
    cap = {r.id: r.max_load for r in reviewers}
    best = 0
    for n in range(len(cand), 0, -1):
        if n <= best:
            break
        for subset in itertools.combinations(cand, n):
            per_e, per_r = Counter(e for e, _ in subset), Counter(r for _, r in subset)
            if all(v <= k for v in per_e.values()) and all(per_r[r] <= cap[r] for r in per_r):
                return n
    return best


@pytest.mark.parametrize("seed", range(40))
def test_assignment_is_valid_and_fills_as_much_as_possible(seed):
    entries, reviewers, k = _random_case(random.Random(seed))
    conflicts = conflicts_of_interest(entries, reviewers)
    plan = plan_assignment(entries, reviewers, k=k)
    pairs = [(e, r) for e, r, _ in plan.pairs]
    # never a conflict, never twice the same pair, never above k or a reviewer's load
    assert not set(pairs) & set(conflicts)
    assert len(set(pairs)) == len(pairs)
    assert max(Counter(e for e, _ in pairs).values(), default=0) <= k
    loads = Counter(r for _, r in pairs)
    assert all(loads[r.id] <= r.max_load for r in reviewers)
    # every refused pair is listed with its reason
    assert {(e, r) for e, r, _ in plan.refused} == set(conflicts)
    # as many reviews as any assignment could give, and the shortfall is explained
    assert len(pairs) == _brute_force_fill(entries, reviewers, k, conflicts)
    missing = sum(m for m, _ in plan.unmet.values())
    assert missing == k * len(entries) - len(pairs)
    assert all(reason for _, reason in plan.unmet.values())
    if plan.complete:
        assert plan.problems == []


def test_feasibility_says_why_k_cannot_be_met():
    entries = [EntryFacts(1, "甲方案", institutions=(HQU,)), EntryFacts(2, "乙方案")]
    reviewers = [ReviewerFacts(10, "a", 1, institutions=(HQU,)), ReviewerFacts(11, "b", 1),
                 ReviewerFacts(12, "c", 1)]
    plan = plan_assignment(entries, reviewers, k=3)
    assert plan.problems == [
        "《甲方案》需要 3 位评审专家，但只有 2 位无利益冲突的专家（回避 1 位：同一单位 1 位）",
        "还需 6 次评审，但专家剩余评审名额合计只有 3 次（请提高专家评审上限或增加专家，至少再增加 3 次）",
    ]
    assert plan.unmet[1][1].startswith("《甲方案》需要 3 位")
    assert sum(m for m, _ in plan.unmet.values()) == 3


def test_existing_assignments_are_kept_and_only_the_rest_filled():
    entries = [EntryFacts(1, "甲"), EntryFacts(2, "乙")]
    reviewers = [ReviewerFacts(10, "a", 2), ReviewerFacts(11, "b", 2), ReviewerFacts(12, "c", 2)]
    plan = plan_assignment(entries, reviewers, k=2, existing=[(1, 10), (1, 11), (2, 10)])
    assert [(e, r) for e, r, _ in plan.pairs] in ([(2, 11)], [(2, 12)])
    assert plan.complete


def test_affinity_prefers_reviewers_of_the_entry_domain():
    entries = [EntryFacts(1, "甲", domain="新材料与石油化工")]
    reviewers = [ReviewerFacts(10, "a", 1, fields=frozenset({"现代农业与食品"})),
                 ReviewerFacts(11, "b", 1, fields=frozenset({"新材料与石油化工"}))]
    plan = plan_assignment(entries, reviewers, k=1)
    assert [(e, r) for e, r, _ in plan.pairs] == [(1, 11)]


# --------------------------------------------------------------------------- normalisation

QUALITY = {1: 88, 2: 84, 3: 80, 4: 76, 5: 72, 6: 68}  # the true order is 1 > 2 > ... > 6
LENIENT, STRICT, NEUTRAL = 10, 20, 30
OFFSET = {LENIENT: +12, STRICT: -12, NEUTRAL: 0}
# the lenient reviewer happens to get the weaker entries, the strict one the stronger
DESIGN = {LENIENT: [2, 3, 5, 6], STRICT: [1, 2, 4, 5], NEUTRAL: [1, 3, 4, 6]}


def _scores():
    return [ReviewScore(e, r, Decimal(QUALITY[e] + OFFSET[r]))
            for r, es in DESIGN.items() for e in es]


def test_normalisation_ranks_lenient_and_strict_reviewers_correctly():
    ranked = rank_entries(_scores(), max_total=Decimal(100))
    # the raw mean is fooled by who reviewed what ...
    by_raw = [r.entry for r in sorted(ranked, key=lambda r: -r.raw_mean)]
    assert by_raw[0] == 3 and by_raw != [1, 2, 3, 4, 5, 6]
    # ... the normalised score recovers the true order
    assert [r.entry for r in ranked] == [1, 2, 3, 4, 5, 6]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6]


def test_normalisation_matches_a_plain_loop():
    scores = _scores()
    got = normalise_scores(scores)
    totals = [float(s.total) for s in scores]
    mu = sum(totals) / len(totals)
    own = {r: [float(s.total) for s in scores if s.reviewer == r] for r in DESIGN}
    mean = {r: sum(v) / len(v) for r, v in own.items()}
    var = {r: sum((x - mean[r]) ** 2 for x in v) / len(v) for r, v in own.items()}
    sigma = (sum(var.values()) / len(var)) ** 0.5
    for s in scores:
        expected = mu + sigma * (float(s.total) - mean[s.reviewer]) / var[s.reviewer] ** 0.5
        assert got[(s.entry, s.reviewer)] == pytest.approx(expected)


def test_single_and_constant_reviewers():
    scores = [ReviewScore(1, 10, Decimal(70)),  # only one score: kept raw
              ReviewScore(1, 11, Decimal(80)), ReviewScore(2, 11, Decimal(80)),  # constant
              ReviewScore(1, 12, Decimal(60)), ReviewScore(2, 12, Decimal(100))]
    got = normalise_scores(scores, max_total=Decimal(100))
    mu = (70 + 80 + 80 + 60 + 100) / 5
    assert got[(1, 10)] == 70
    assert got[(1, 11)] == got[(2, 11)] == pytest.approx(mu)
    assert got[(2, 12)] <= 100  # clipped to the rubric maximum


def test_ties_are_stated_not_broken():
    scores = [ReviewScore(1, 9, Decimal(90)), ReviewScore(2, 9, Decimal(80)),
              ReviewScore(3, 9, Decimal(80)), ReviewScore(4, 9, Decimal(70))]
    ranked = rank_entries(scores, entries=[1, 2, 3, 4, 5])
    assert [(r.entry, r.rank, r.tied_with) for r in ranked] == [
        (1, 1, ()), (2, 2, (3,)), (3, 2, (2,)), (4, 4, ()), (5, 0, ())]
