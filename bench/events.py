"""Benchmark: matchmaking-event scheduling and competition reviewer assignment at realistic and
large sizes, each beside a simple greedy baseline run on the same instance.

Usage:  .venv/bin/python bench/events.py [--seed 2026] [--time-limit 20]

Scheduling (``innolink.events.scheduling.plan_meetings`` -> the matching engine's CP-SAT model)
versus first-fit greedy (pairs in priority order, each in the first slot where both sides are
free and a room is left). Reviewer assignment (``innolink.events.judging.plan_assignment`` ->
min-cost max-flow) versus greedy (entries in order, each takes its best-affinity free,
non-conflicting reviewers). Reported: pairs placed / reviews filled, total affinity, seconds.
Both plans are checked (nobody double-booked; no conflict, load or k exceeded). Pure Python:
no database. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innolink.events.judging import (  # noqa: E402
    Affiliation,
    EntryFacts,
    ReviewerFacts,
    affinity_matrix,
    conflicts_of_interest,
    plan_assignment,
)
from innolink.events.scheduling import MeetingPair, check_plan, plan_meetings  # noqa: E402

DOMAINS = ["it", "equipment", "energy", "materials", "biomed", "agrifood"]


def event_instance(rng: random.Random, *, enterprises: int, researchers: int, pairs: int,
                   slots: int, rooms: int, popular: float):
    """Pairs with a skewed enterprise popularity (a few enterprises draw many researchers),
    some participants unavailable for part of the day."""
    weights = [1.0 / (i + 1) ** popular for i in range(enterprises)]
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < pairs:
        e = rng.choices(range(enterprises), weights)[0]
        chosen.add((e, rng.randrange(researchers)))
    out = [MeetingPair(i, f"e:{e}", f"r:{r}", rng.choice([1, 1, 1, 2, 3]))
           for i, (e, r) in enumerate(sorted(chosen))]
    unavailable = {}
    for key in {p.a for p in out} | {p.b for p in out}:
        if rng.random() < 0.15:  # leaves early or arrives late
            cut = rng.randrange(1, slots)
            unavailable[key] = set(range(cut, slots)) if rng.random() < 0.5 else set(range(cut))
    return out, list(range(slots)), list(range(rooms)), unavailable


def greedy_schedule(pairs, slots, rooms, unavailable):
    busy, used, placed = set(), Counter(), {}
    for p in sorted(pairs, key=lambda p: (-p.priority, p.key)):
        for s in slots:
            if used[s] >= len(rooms) or (p.a, s) in busy or (p.b, s) in busy:
                continue
            if s in unavailable.get(p.a, ()) or s in unavailable.get(p.b, ()):
                continue
            busy |= {(p.a, s), (p.b, s)}
            placed[p.key] = (s, used[s])
            used[s] += 1
            break
    return placed


def judging_instance(rng: random.Random, *, entries: int, reviewers: int, load: int,
                     institutions: int):
    insts = [Affiliation(f"inst:{i}", f"机构{i}", "university") for i in range(institutions)]
    ents = [Affiliation(f"e:{i}", f"企业{i}", "enterprise") for i in range(entries // 3 + 1)]
    es = [EntryFacts(i, f"方案{i}", institutions=(rng.choice(insts),),
                     enterprises=(rng.choice(ents),), domain=rng.choice(DOMAINS),
                     keywords=frozenset(rng.sample(range(40), 4)))
          for i in range(entries)]
    rs = [ReviewerFacts(10_000 + j, f"专家{j}", load, institutions=(rng.choice(insts),),
                        enterprises=tuple(rng.sample(ents, 1)) if rng.random() < 0.2 else (),
                        fields=frozenset(rng.sample(DOMAINS, 2)),
                        keywords=frozenset(rng.sample(range(40), 6)))
          for j in range(reviewers)]
    return es, rs


def greedy_assign(entries, reviewers, k):
    conflicts = conflicts_of_interest(entries, reviewers)
    aff = affinity_matrix(entries, reviewers)
    left = {r.id: r.max_load for r in reviewers}
    pairs = []
    for i, e in enumerate(entries):
        order = sorted(range(len(reviewers)), key=lambda j: (-aff[i, j], reviewers[j].id))
        got = 0
        for j in order:
            r = reviewers[j]
            if got == k:
                break
            if left[r.id] > 0 and (e.id, r.id) not in conflicts:
                pairs.append((e.id, r.id, float(aff[i, j])))
                left[r.id] -= 1
                got += 1
    return pairs


def check_assignment(pairs, entries, reviewers, k):
    conflicts = conflicts_of_interest(entries, reviewers)
    assert not {(e, r) for e, r, _ in pairs} & set(conflicts)
    assert max(Counter(e for e, _, _ in pairs).values()) <= k
    load = Counter(r for _, r, _ in pairs)
    assert all(load[r.id] <= r.max_load for r in reviewers)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--time-limit", type=float, default=20.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    report: dict = {"python": platform.python_version(), "machine": platform.machine(),
                    "scheduling": [], "assignment": []}

    for name, size in [
        ("demo-size event", dict(enterprises=40, researchers=60, pairs=56, slots=10, rooms=6,
                                 popular=0.8)),
        ("large event", dict(enterprises=120, researchers=400, pairs=600, slots=16, rooms=40,
                             popular=1.0)),
        ("tight event", dict(enterprises=60, researchers=150, pairs=300, slots=8, rooms=40,
                             popular=0.6)),
    ]:
        pairs, slots, rooms, unavailable = event_instance(rng, **size)
        t0 = time.perf_counter()
        plan = plan_meetings(pairs, slots=slots, rooms=rooms, unavailable=unavailable,
                             time_limit_s=args.time_limit)
        t_cp = time.perf_counter() - t0
        check_plan(plan, pairs, rooms=rooms, unavailable=unavailable)
        t0 = time.perf_counter()
        greedy = greedy_schedule(pairs, slots, rooms, unavailable)
        t_gr = time.perf_counter() - t0
        row = {"instance": name, "pairs": len(pairs), "slots": len(slots), "rooms": len(rooms),
               "cp_sat_placed": len(plan.placements), "cp_sat_optimal": plan.optimal,
               "cp_sat_s": round(t_cp, 3), "greedy_placed": len(greedy),
               "greedy_s": round(t_gr, 4)}
        report["scheduling"].append(row)
        print(f"schedule {name:16} pairs={len(pairs):4} slots={len(slots):2} "
              f"rooms={len(rooms):2} | CP-SAT placed {len(plan.placements):4} "
              f"({'optimal' if plan.optimal else 'feasible'}) in {t_cp:6.2f}s | "
              f"greedy placed {len(greedy):4} in {t_gr:6.3f}s")

    for name, size, k in [
        ("demo-size round", dict(entries=12, reviewers=9, load=5, institutions=8), 3),
        ("national round", dict(entries=600, reviewers=120, load=16, institutions=40), 3),
        ("tight round", dict(entries=400, reviewers=60, load=20, institutions=12), 3),
    ]:
        entries, reviewers = judging_instance(rng, **size)
        t0 = time.perf_counter()
        plan = plan_assignment(entries, reviewers, k=k, seed=0)
        t_mcf = time.perf_counter() - t0
        check_assignment(plan.pairs, entries, reviewers, k)
        t0 = time.perf_counter()
        greedy = greedy_assign(entries, reviewers, k)
        t_gr = time.perf_counter() - t0
        check_assignment(greedy, entries, reviewers, k)
        need = k * len(entries)
        row = {"instance": name, "entries": len(entries), "reviewers": len(reviewers), "k": k,
               "needed": need, "refused_pairs": len(plan.refused),
               "mcf_filled": len(plan.pairs), "mcf_affinity": round(sum(a for *_, a in
                                                                          plan.pairs), 2),
               "mcf_s": round(t_mcf, 3), "greedy_filled": len(greedy),
               "greedy_affinity": round(sum(a for *_, a in greedy), 2),
               "greedy_s": round(t_gr, 3)}
        report["assignment"].append(row)
        print(f"assign   {name:16} entries={len(entries):4} reviewers={len(reviewers):3} k={k} "
              f"need {need:5} | min-cost flow filled {len(plan.pairs):5} "
              f"affinity {row['mcf_affinity']:8.2f} in {t_mcf:6.2f}s | greedy filled "
              f"{len(greedy):5} affinity {row['greedy_affinity']:8.2f} in {t_gr:6.2f}s")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
