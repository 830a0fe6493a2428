"""Benchmark of the policy rules engine (innolink/engines/rules).

Measures, on a seeded synthetic registry:
  load_s            loading the registry from the database into the engine's arrays as a city
                    scan does it: bench/policy_delivery.py's load_s, run in a subprocess on a
                    fresh SQLite registry of the same size (a worker's load, 300 enterprises
                    changed since its previous scan; see that bench), with its cold_load_s and
                    scan_job_s (load + scan + storing every eligible pair); --no-db skips it
  conversion_s      columns (one list per attribute, tag rows and indicator rows by position, as
                    innolink/policies/fetch.py hands them over) -> Population via
                    population_from_columns, the engine's one conversion (what a cold load
                    spends in the engine; the synthetic values are Decimals)
  records_load_s    the same from per-enterprise dicts via population_from_records (which builds
                    those columns first), as tests and one enterprise's explanation use it
  scan_s            vectorised scan of 100,000 enterprises against every demo clause and the feature
                    rules of innolink/engines/rules/tests/features (qualification levels and dates,
                    首次 over five years of history, streaks, items, once-only, top-up, lifetime
                    caps, 就高不重复 across policies), with dated certifications, history, items and
                    ledger payments in the population (docs/decisions/0131)
  loop_s            the same answers by a per-enterprise Python loop (reference evaluator),
                    run side by side; every answer is asserted equal to the scan's
  scan_1m_s         vectorised scan of 1,000,000 enterprises
  one_enterprise_ms explain() of one enterprise (conversion + evaluation + Chinese explanations);
                    one_enterprise_cpu_ms is the same in this process's CPU time, which shows
                    what a busy machine adds to the wall-clock figure
  *_cpu_s           scan_cpu_s, scan_1m_cpu_s, loop_cpu_s (and speedup_cpu): the same in this
                    process's CPU time (numpy is single-threaded here), which a shared, busy
                    machine does not inflate
All figures are medians of several runs (the loop: one full run, or a sample scaled up with
--loop-sample). The last line of output is one JSON object.

Run (from the repository root):  .venv/bin/python bench/policy_scan.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from innolink.engines.rules import (  # noqa: E402
    Population,
    explain,
    load_registry,
    population_from_records,
    reference_evaluate,
    scan,
)
from innolink.engines.rules.model import Registry  # noqa: E402
from innolink.engines.rules.population import (  # noqa: E402
    concat_populations,
    population_differences,
    population_from_columns,
    records_to_columns,
)
from innolink.engines.rules.synthetic import synthetic_records  # noqa: E402

YEAR = 2024
HISTORY_FROM = 2019
FEATURES = Path(__file__).resolve().parents[1] / "innolink" / "engines" / "rules" / "tests" / "features"


def median_time(fn, runs: int) -> tuple[float, object]:
    wall, _cpu, out = median_times(fn, runs)
    return wall, out


def median_times(fn, runs: int) -> tuple[float, float, object]:
    """Medians of wall-clock and of this process's CPU time (numpy runs single-threaded here, so
    the CPU time is what the wall clock would show on an idle machine)."""
    times, cpus, out = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpus), out


def tile(pop: Population, k: int) -> Population:
    """k copies of a population (for the 1,000,000-enterprise scan), row tables included."""
    return concat_populations([pop] * k)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=0, help="loop over this many (0 = all) and scale up")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-db", action="store_true", help="skip the database load (load_s)")
    args = parser.parse_args()
    n = args.enterprises

    t0 = time.perf_counter()
    registry = Registry(load_registry().policies + load_registry(FEATURES).policies)
    registry_s = time.perf_counter() - t0
    active = [(p, v) for p, v in registry.active(YEAR)]
    clauses = sum(len(v.clauses) for _, v in active)
    once_only = sum(1 for _, v in active for c in v.clauses if c.once or c.top_up)

    t0 = time.perf_counter()
    records = synthetic_records(n, YEAR, seed=args.seed, history_years=4, items=True, payments=True,
                                certifications=True)
    print(f"generated {n:,} synthetic records in {time.perf_counter() - t0:.1f} s", flush=True)

    records_load_s, population = median_time(lambda: population_from_records(records, YEAR, history_from=HISTORY_FROM),
                                             max(3, args.runs // 2))
    columns = records_to_columns(records, YEAR)
    load_s, columnar = median_time(lambda: population_from_columns(YEAR, history_from=HISTORY_FROM, **columns),
                                   max(3, args.runs // 2))
    item_rows = sum(t.size for name, t in population.tables.items() if name.startswith("items:"))
    history_years = -min(offset for _name, offset in population.indicator) + 1
    payments = population.tables["payments"].size
    assert population_differences(columnar, population) == []
    print(f"conversion: columns -> Population {load_s:.3f} s; records -> Population {records_load_s:.3f} s", flush=True)

    scan(registry, population)  # warm-up
    scan_s, scan_cpu_s, result = median_times(lambda: scan(registry, population), args.runs)
    print(f"scan {n:,} x {clauses} clauses: {scan_s:.4f} s (CPU {scan_cpu_s:.4f} s)", flush=True)

    # --- the per-enterprise loop, side by side, computing the same answers
    sample = n if args.loop_sample in (0, None) or args.loop_sample >= n else args.loop_sample
    rows = np.random.default_rng(1).choice(n, sample, replace=False) if sample < n else np.arange(n)
    t0, c0 = time.perf_counter(), time.process_time()
    loop_answers = [reference_evaluate(registry, records[i], YEAR, history_from=HISTORY_FROM) for i in rows.tolist()]
    loop_raw = time.perf_counter() - t0
    loop_s = loop_raw * n / sample
    loop_cpu_s = (time.process_time() - c0) * n / sample
    print(f"loop over {sample:,} enterprises: {loop_raw:.2f} s (scaled to {n:,}: {loop_s:.2f} s; CPU {loop_cpu_s:.2f} s)",
          flush=True)

    dense = {}
    for c in result.clauses:
        eligible = np.zeros(n, dtype=bool)
        amount = np.zeros(n, dtype=np.int64)
        eligible[c.index] = True
        amount[c.index] = c.amount_fen
        dense[(c.policy_id, c.clause_id)] = (eligible.tolist(), amount.tolist())
    mismatches = 0
    for i, answer in zip(rows.tolist(), loop_answers):
        for key, (eligible, amount, _) in answer.items():
            e, a = dense[key]
            if e[i] != eligible or Decimal(a[i]) / 100 != amount:
                mismatches += 1
    assert mismatches == 0, f"{mismatches} answers differ between scan and loop"
    print(f"scan == loop on {sample:,} enterprises x {clauses} clauses: OK", flush=True)

    big = tile(population, max(1, 1_000_000 // n))
    scan(registry, big)
    scan_1m_s, scan_1m_cpu_s, _ = median_times(lambda big=big: scan(registry, big), 3)
    print(f"scan {big.size:,}: {scan_1m_s:.3f} s (CPU {scan_1m_cpu_s:.3f} s)", flush=True)
    del big

    picks = records[:300]
    for r in picks[:20]:
        explain(registry, r, YEAR, history_from=HISTORY_FROM)
    one, one_cpu = [], []
    for r in picks:
        t0, c0 = time.perf_counter(), time.process_time()
        explain(registry, r, YEAR, history_from=HISTORY_FROM)
        one.append(time.perf_counter() - t0)
        one_cpu.append(time.process_time() - c0)
    one_ms = statistics.median(one) * 1000
    one_cpu_ms = statistics.median(one_cpu) * 1000
    print(f"explain one enterprise: median {one_ms:.2f} ms (CPU {one_cpu_ms:.2f} ms), max {max(one) * 1000:.2f} ms "
          f"over {len(one)}", flush=True)

    eligible_pairs = sum(c.count for c in result.clauses)
    print(
        f"machine: {platform.platform()}, python {platform.python_version()}, numpy {np.__version__}, "
        f"cpus {os.cpu_count()}; registry load {registry_s * 1000:.0f} ms; eligible (enterprise, clause) pairs "
        f"{eligible_pairs:,}",
        flush=True,
    )
    database = {} if args.no_db else database_load(n)
    print(f"population: {history_years} years of indicators, {item_rows:,} items, {payments:,} payment rows, "
          f"{population.tables['qualifications'].size:,} certifications; {once_only} once-only/top-up clauses",
          flush=True)
    print(json.dumps({
        "enterprises": n,
        "clauses": clauses,
        "history_years": history_years,
        "items": item_rows,
        "once_only_clauses": once_only,
        "payment_rows": payments,
        "scan_s": round(scan_s, 4),
        "loop_s": round(loop_s, 2),
        "speedup": round(loop_s / scan_s, 1),
        "scan_cpu_s": round(scan_cpu_s, 4),
        "loop_cpu_s": round(loop_cpu_s, 2),
        "speedup_cpu": round(loop_cpu_s / scan_cpu_s, 1),
        "scan_1m_s": round(scan_1m_s, 3),
        "scan_1m_cpu_s": round(scan_1m_cpu_s, 3),
        "one_enterprise_ms": round(one_ms, 2),
        "one_enterprise_cpu_ms": round(one_cpu_ms, 2),
        "load_s": database.get("load_s"),
        "cold_load_s": database.get("cold_load_s"),
        "scan_job_s": database.get("scan_write_s"),
        "conversion_s": round(load_s, 3),
        "records_load_s": round(records_load_s, 3),
    }))


def database_load(n: int) -> dict:
    """bench/policy_delivery.py's figures for a registry of ``n`` enterprises (its last line)."""
    print(f"database load: bench/policy_delivery.py --enterprises {n} (about a minute)", flush=True)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("policy_delivery.py")), "--enterprises",
         str(n), "--baseline-sample", "200"],
        check=True, capture_output=True, text=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"database load {figures['load_s']} s (cold {figures['cold_load_s']} s; "
          f"scan job {figures['scan_write_s']} s)", flush=True)
    return figures


if __name__ == "__main__":
    main()
