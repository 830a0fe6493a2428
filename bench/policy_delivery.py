"""Bench: the policy engine fed from the real database (innolink/policies/fetch.py).

    python bench/policy_delivery.py                      # 100,000 enterprises on a fresh SQLite file
    python bench/policy_delivery.py --enterprises 20000  # smaller
    scripts/with-postgres .venv/bin/python bench/policy_delivery.py   # on PostgreSQL (empty DB)

Measures, after importing a synthetic registry (two years of indicators) through the registry's
import service and syncing the 12 policies:
  load_s            the scan's load as scan_execute does it in a running worker
                    (innolink/policies/snapshot.py): this process's copy in memory, patched with
                    --changed enterprises edited since the previous load. Each of 9 runs first
                    edits a fresh batch of --changed enterprises through the ORM (untimed: a town,
                    a yearly value or a tag each), then times the load; median (and max: the
                    occasional file write is inside the timed loads). The registry's rows are
                    first dated a day back (an established registry; otherwise every row would
                    be inside the 10-minute overlap window right after the import). Earlier
                    batches stay inside the window: their rows are listed but not re-read
  load_cpu_s        the CPU time of this process for those loads, median (SQLite runs in-process,
                    so this is the load's work without the waiting on a shared machine)
  idle_load_s       the same with nothing changed since the previous load (median of 7;
                    idle_cpu_s its CPU time)
  file_load_s       a new process: read the stored file and patch the --changed enterprises
                    edited since it was written (this process's copy dropped; median of 5)
  cold_load_s       the cold build: three queries -> population_from_columns with the row stamps
                    (fetch.registry_columns(stamps=True)), median of 3; what a missing snapshot
                    costs (plus writing the file)
  cold_cpu_s        CPU time of this process for one cold build (the rest is the database server
                    and waiting; wall times are noisy on a shared machine, see load_avg)
  records_load_s    the previous load, once: three values_list queries -> one dict per
                    enterprise -> population_from_records
  load_share        load_s / (load_s + scan_s): the load's share of a whole-city scan
  baseline_load_s   the obvious per-enterprise ORM fetch (get the enterprise, its tags, its
                    years) on a sample, scaled to the whole registry, side by side
  scan_s            the vectorised scan of that population against every clause
  scan_write_s      a whole scan job's work: load + scan + storing every eligible pair (first run)
  rescan_write_s    the same on an unchanged registry (nothing new to write)
  one_enterprise_ms the enterprise page's answer: fetch one record from the database + explain
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_time(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--changed", type=int, default=300, help="enterprises edited after the snapshot")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="innolink-bench-")

    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a 100k SQLite file is 400 MB
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["INNOLINK_MEDIA_ROOT"] = tmp
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.INNOLINK["IMPORT_MAX_BYTES"] = 1024 * 1024 * 1024
    settings.INNOLINK["IMPORT_MAX_ROWS"] = max(2 * args.enterprises, 200_000)
    call_command("migrate", verbosity=0)

    from innolink.demo.generator import enterprise_csv
    from django.utils import timezone

    from innolink.engines.rules import population_from_records, scan
    from innolink.engines.rules.population import population_differences
    from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear
    from innolink.enterprises.services import registry_import
    from innolink.policies import fetch, selectors, services, snapshot
    from innolink.policies.models import Eligibility

    if Enterprise.objects.exists():
        sys.exit("the bench needs an empty database")
    year = 2025
    t0 = time.perf_counter()
    content = enterprise_csv(seed=2026, count=args.enterprises, years=(2024, 2025))
    registry_import(content=content, filename="bench.csv", actor=None, commit=True)
    print(f"imported {args.enterprises:,} enterprises x 2 years in {time.perf_counter() - t0:.1f} s "
          f"({connection.vendor})", file=sys.stderr, flush=True)
    services.policy_sync(actor=None, source="bench")
    registry = fetch.rules_registry()
    clauses = sum(len(v.clauses) for _, v in registry.active(year))

    settings.INNOLINK_POLICY_SNAPSHOT_DIR = f"{tmp}/snapshots"
    t0 = time.perf_counter()
    population_from_records(fetch.records_for(year)[1], year)
    records_load_s = time.perf_counter() - t0
    cold_load_s, cold = median_time(lambda: fetch.registry_columns(year, stamps=True), 3)
    ids, population = cold.ids.tolist(), cold.population
    c0 = time.process_time()
    fetch.registry_columns(year, stamps=True)
    cold_cpu_s = time.process_time() - c0  # this process only: robust on a shared machine
    print(f"cold load: {cold_load_s:.3f} s (CPU of this process {cold_cpu_s:.3f} s); "
          f"previous records path {records_load_s:.3f} s", file=sys.stderr, flush=True)

    # an established registry: rows last changed yesterday; the snapshot taken; then edits
    day_ago = timezone.now() - dt.timedelta(days=1)
    for model in (Enterprise, EnterpriseTag, EnterpriseYear):
        model.objects.update(updated_at=day_ago)
    first = snapshot.load_population(year)
    assert first.source == "cold" and first.saved
    rng = random.Random(7)
    unedited = list(ids)
    rng.shuffle(unedited)

    def edit_batch():
        """--changed enterprises not edited before, changed through the ORM as the services do."""
        for k in range(args.changed):
            pk = unedited.pop()
            row = EnterpriseYear.objects.filter(enterprise_id=pk, year=year).first()
            if k % 3 == 0 or row is None:
                e = Enterprise.objects.get(pk=pk)
                e.town = rng.choice(["青阳", "磁灶", "安海"])
                e.save()
            elif k % 3 == 1:
                row.values = {**row.values, "rd_expense": f"{rng.randint(0, 10**8)}.{rng.randint(0, 99):02d}"}
                row.save()
            else:
                EnterpriseTag.objects.update_or_create(enterprise_id=pk, tag="tech_sme",
                                                       defaults={"certified_on": dt.date(2025, 6, 1)})

    cpu: list[float] = []

    def timed(fn, runs: int, prepare=lambda: None):
        times, loads = [], []
        cpu.clear()
        for _ in range(runs):
            prepare()
            c0, t0 = time.process_time(), time.perf_counter()
            loads.append(fn())
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return times, loads

    # a worker's steady state: a batch edited between two loads, this process's copy patched
    times, loads = timed(lambda: snapshot.load_population(year), 9, edit_batch)
    assert all(w.source == "memory" and w.changed == args.changed for w in loads), \
        [(w.source, w.reason, w.changed) for w in loads]
    load_s, load_max_s, saves = statistics.median(times), max(times), sum(w.saved for w in loads)
    patch_s = statistics.median(w.timings["patch_s"] for w in loads)
    load_cpu_s = statistics.median(cpu)  # this process's CPU (SQLite runs in it): robust to other load
    times, loads = timed(lambda: snapshot.load_population(year), 7)
    assert all(w.source == "memory" and w.changed == 0 and not w.saved for w in loads)
    idle_load_s, idle_cpu_s = statistics.median(times), statistics.median(cpu)
    # a new process: the file written, a batch edited, then read the file and patch
    times, loads = timed(lambda: snapshot.load_population(year), 5,
                         lambda: (snapshot.load_population(year), snapshot.write_current(year), edit_batch(),
                                  snapshot.forget()))
    assert all(w.source == "file" and w.changed == args.changed for w in loads), \
        [(w.source, w.reason, w.changed) for w in loads]
    file_load_s = statistics.median(times)
    file_timings = loads[len(loads) // 2].timings
    warm = snapshot.load_population(year)
    cold = fetch.registry_columns(year)
    ids, population = cold.ids.tolist(), cold.population
    assert list(warm.ids) == ids and population_differences(warm.population, population) == []
    print(f"warm load (worker, {args.changed} changed): median {load_s:.4f} s (patch {patch_s:.4f} s), "
          f"max {load_max_s:.3f} s, {saves} file writes in 9 loads; idle {idle_load_s:.4f} s; "
          f"new process from the file {file_load_s:.3f} s (file read {file_timings['read_s']:.3f} s, "
          f"patch {file_timings['patch_s']:.3f} s); equal to a cold build", file=sys.stderr, flush=True)

    # the baseline: one enterprise at a time through the ORM
    sample = Enterprise.objects.order_by("id").values_list("id", flat=True)[:args.baseline_sample]

    def naive():
        out = []
        for pk in sample:
            e = Enterprise.objects.get(pk=pk)
            record = {"credit_code": e.credit_code, "name": e.name, "town": e.town,
                      "industry_code": e.industry_code, "ownership": e.ownership,
                      "founded_on": e.founded_on, "size_class": e.size_class or None,
                      "qualifications": [], "indicators": {}}
            for t in e.tags.all():
                record["qualifications"].append({"type": t.tag, "level": t.level or None,
                                                 "certified_on": t.certified_on, "expires_on": t.expires_on,
                                                 "first": t.first_certified})
            for y in EnterpriseYear.objects.filter(enterprise=e, year__in=(year, year - 1)):
                record["indicators"][y.year] = y.values
            out.append(record)
        return population_from_records(out, year)

    t0 = time.perf_counter()
    naive()
    baseline_s = (time.perf_counter() - t0) * len(ids) / len(sample)
    print(f"baseline per-enterprise ORM load (scaled from {len(sample):,}): {baseline_s:.1f} s",
          file=sys.stderr, flush=True)

    scan(registry, population)
    scan_s, result = median_time(lambda: scan(registry, population), 5)
    pairs = sum(int((c.amount_fen > 0).sum()) for c in result.clauses)
    print(f"scan: {scan_s:.4f} s, {pairs:,} payable (enterprise, clause) pairs", file=sys.stderr,
          flush=True)

    t0 = time.perf_counter()
    first_scan = services.scan_now(actor=None, year=year)
    scan_write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = services.scan_now(actor=None, year=year)
    rescan_write_s = time.perf_counter() - t0
    assert first_scan.new_pairs == Eligibility.objects.count() == pairs and second.new_pairs == 0
    print(f"scan job work: first {scan_write_s:.2f} s ({first_scan.new_pairs:,} rows written), "
          f"rescan {rescan_write_s:.2f} s", file=sys.stderr, flush=True)

    enterprises = list(Enterprise.objects.order_by("id")[:200])
    for e in enterprises[:20]:
        selectors.enterprise_view(e, year)
    one = []
    for e in enterprises:
        t0 = time.perf_counter()
        selectors.enterprise_view(e, year)
        one.append(time.perf_counter() - t0)
    one_ms = statistics.median(one) * 1000
    print(f"one enterprise from the database: median {one_ms:.1f} ms, max {max(one) * 1000:.1f} ms",
          file=sys.stderr, flush=True)

    print(json.dumps({
        "database": connection.vendor, "enterprises": len(ids), "clauses": clauses,
        "load_s": round(load_s, 4), "load_max_s": round(load_max_s, 3), "file_writes_in_9_loads": saves,
        "load_cpu_s": round(load_cpu_s, 4), "idle_load_s": round(idle_load_s, 4),
        "idle_cpu_s": round(idle_cpu_s, 4), "file_load_s": round(file_load_s, 3),
        "changed_enterprises": args.changed, "cold_load_s": round(cold_load_s, 3),
        "cold_cpu_s": round(cold_cpu_s, 3), "records_load_s": round(records_load_s, 3),
        "load_avg": round(os.getloadavg()[0], 1),
        "baseline_load_s": round(baseline_s, 1), "load_speedup": round(baseline_s / load_s, 1),
        "scan_s": round(scan_s, 4), "load_share": round(load_s / (load_s + scan_s), 2),
        "eligible_pairs": pairs,
        "scan_write_s": round(scan_write_s, 2), "rescan_write_s": round(rescan_write_s, 2),
        "one_enterprise_ms": round(one_ms, 1),
    }))


if __name__ == "__main__":
    main()
