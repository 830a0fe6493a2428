"""Benchmark: the six published lists on 10,000 synthetic enterprises, 1,000 Monte Carlo samples.

Usage:  .venv/bin/python bench/rankings.py [--enterprises 10000] [--samples 1000] [--runs 5]

The engine (one matrix product per normalisation group, ranks by a batched argsort) is timed
end to end (``run_rankings``: validation, gates, derived indicators, imputation, nominal
ranking, Monte Carlo, result objects), the median of ``--runs`` runs. Side by side, a naive
baseline does the same perturbation with a per-sample Python loop (re-normalise, score, sort
one sample at a time); it runs ``--baseline-samples`` samples and its time is scaled linearly
to ``--samples`` (the loop is linear in the number of samples). The baseline's rank bands are
checked against the engine's on the same draws. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innolink.engines.ranking import (  # noqa: E402
    draw_perturbations,
    load_methodologies,
    normalize,
    prepare_list,
    rank_bands,
    run_list,
    run_rankings,
    tie_order,
)
from innolink.engines.ranking.aggregate import aggregate  # noqa: E402
from innolink.engines.ranking.engine import nominal_weights, treat  # noqa: E402
from innolink.engines.ranking.synthetic import synthetic_snapshot  # noqa: E402

SIX = ["comprehensive_100", "advanced_manufacturing_100", "modern_services_100",
       "innovative_100", "green_50", "outward_50"]


def naive_bands(m, snap, samples: int):
    """Per-sample loop: the obvious implementation the engine's batching replaces."""
    p = prepare_list(m, snap)
    u = m.uncertainty
    oriented = treat(m, p.values)
    w = nominal_weights(m, oriented)
    ids = snap.enterprise_ids[p.rows]
    order = tie_order(ids, [(p.extra[k], o) for k, o in m.tie_rule.keys])
    factors, norm_idx, agg_idx = draw_perturbations(
        u.seed, len(w), samples, u.weight_noise, len(u.normalizations), len(u.aggregations))
    n = ids.size
    ranks = np.empty((samples, n), dtype=np.int64)
    for s in range(samples):
        ws = w * factors[s]
        ws = ws / ws.sum()
        x = normalize(oriented, u.normalizations[norm_idx[s]])[order]
        scores = np.round(aggregate(x, ws, u.aggregations[agg_idx[s]]), m.tie_rule.decimals)
        pos = np.argsort(-scores, kind="stable")
        r = np.empty(n, dtype=np.int64)
        r[pos] = np.arange(1, n + 1)
        ranks[s, order] = r
    med = np.percentile(ranks, 50.0, axis=0)
    freq = (ranks <= m.list_size).mean(axis=0)
    return med, freq


def engine_bands(m, snap, samples: int):
    p = prepare_list(m, snap)
    u = m.uncertainty
    oriented = treat(m, p.values)
    w = nominal_weights(m, oriented)
    ids = snap.enterprise_ids[p.rows]
    normalized = {nm: normalize(oriented, nm) for nm in u.normalizations}
    b = rank_bands(normalized, w, list_size=m.list_size, samples=samples, noise=u.weight_noise,
                   normalizations=u.normalizations, aggregations=u.aggregations, seed=u.seed,
                   order_for_ties=tie_order(ids, [(p.extra[k], o) for k, o in m.tie_rule.keys]),
                   decimals=m.tie_rule.decimals)
    return b.median, b.in_list_frequency


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline-samples", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    all_ms = load_methodologies(ROOT / "innolink" / "rankings" / "methodologies")
    ms = [all_ms[k] for k in SIX]

    t = time.perf_counter()
    snap = synthetic_snapshot(args.enterprises, seed=args.seed)
    build_s = time.perf_counter() - t

    load_before = os.getloadavg()[0]
    times, cpu_times = [], []
    result = None
    for _ in range(args.runs):
        t, c = time.perf_counter(), time.process_time()
        result = run_rankings(ms, snap, samples=args.samples)
        times.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - c)
    run_s = statistics.median(times)
    run_cpu_s = statistics.median(cpu_times)
    eligible = {k: v.eligible for k, v in result.lists.items()}
    uncertain = {k: sum(e.uncertain for e in v.entries) for k, v in result.lists.items()}
    print(f"engine: {len(ms)} lists, {args.enterprises} enterprises, {args.samples} samples; "
          f"runs {[round(x, 3) for x in times]} s, median {run_s:.3f} s "
          f"(CPU time median {run_cpu_s:.3f} s, both cores; load average {load_before:.2f})")
    print(f"eligible per list: {eligible}")
    print(f"uncertain members per list: {uncertain}")

    # the whole population in one list: every enterprise eligible (worst case for the sort)
    full = all_ms["comprehensive_100"]
    from dataclasses import replace

    from innolink.engines.ranking.methodology import Eligibility
    full = replace(full, eligibility=Eligibility(ownership=None, registered_in_jinjiang=False,
                                                 exclude_flags=()),
                   indicators=tuple(replace(i, missing="impute_sector_median")
                                    for i in full.indicators))
    full_times = []
    for _ in range(max(1, args.runs // 2)):
        t = time.perf_counter()
        full_list = run_list(full, snap, samples=args.samples)
        full_times.append(time.perf_counter() - t)
    full_s = statistics.median(full_times)
    print(f"one list over all {full_list.eligible} enterprises: median {full_s:.3f} s")

    # naive per-sample baseline, same draws; check agreement with the engine on those draws
    bs = args.baseline_samples
    t, c = time.perf_counter(), time.process_time()
    naive = {m.id: naive_bands(m, snap, bs) for m in ms}
    naive_s = time.perf_counter() - t
    naive_cpu_s = time.process_time() - c
    agree = True
    for m in ms:
        med, freq = engine_bands(m, snap, bs)
        agree &= bool(np.array_equal(med, naive[m.id][0]) and np.array_equal(freq, naive[m.id][1]))
    baseline_s = naive_s * args.samples / bs
    baseline_cpu_s = naive_cpu_s * args.samples / bs
    print(f"baseline (per-sample loop): {bs} samples in {naive_s:.3f} s -> scaled to "
          f"{args.samples}: {baseline_s:.2f} s; agrees with engine on the same draws: {agree}")

    print(json.dumps({
        "enterprises": args.enterprises,
        "samples": args.samples,
        "lists": len(ms),
        "run_s": round(run_s, 3),
        "runs": args.runs,
        "baseline_s": round(baseline_s, 2),
        "baseline_measured_samples": bs,
        "speedup": round(baseline_s / run_s, 1),
        "run_cpu_s": round(run_cpu_s, 3),
        "baseline_cpu_s": round(baseline_cpu_s, 2),
        "load_average": round(load_before, 2),
        "baseline_agrees": agree,
        "full_population_list_s": round(full_s, 3),
        "snapshot_build_s": round(build_s, 3),
        "eligible_per_list": eligible,
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
