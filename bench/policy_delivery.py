"""Bench: the policy engine fed from the real database (innolink/policies/fetch.py).

    python bench/policy_delivery.py                      # 100,000 enterprises on a fresh SQLite file
    python bench/policy_delivery.py --enterprises 20000  # smaller
    scripts/with-postgres .venv/bin/python bench/policy_delivery.py   # on PostgreSQL (empty DB)

Measures, after importing a synthetic registry (two years of indicators) through the registry's
import service and syncing the 12 policies:
  load_s            database -> engine records -> Population for the whole registry
                    (three values_list queries + population_from_records), median of 3
  load_query_s      of which the queries and record building
  load_cpu_s        CPU time of this process for one load (the rest is the database server and
                    waiting; wall times are noisy on a shared machine, see load_avg)
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
import json
import os
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
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="innolink-bench-")
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
    from innolink.engines.rules import population_from_records, scan
    from innolink.enterprises.models import Enterprise, EnterpriseYear
    from innolink.enterprises.services import registry_import
    from innolink.policies import fetch, selectors, services
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

    query_s, (ids, records) = median_time(lambda: fetch.records_for(year), 3)
    load_s, (ids, population) = median_time(lambda: fetch.population_for(year), 3)
    c0 = time.process_time()
    fetch.population_for(year)
    load_cpu_s = time.process_time() - c0  # this process only: robust on a shared machine
    print(f"load: {load_s:.3f} s (queries and records {query_s:.3f} s; CPU of this process "
          f"{load_cpu_s:.3f} s)", file=sys.stderr, flush=True)

    # the baseline: one enterprise at a time through the ORM
    sample = Enterprise.objects.order_by("id").values_list("id", flat=True)[:args.baseline_sample]

    def naive():
        out = []
        for pk in sample:
            e = Enterprise.objects.get(pk=pk)
            record = {"credit_code": e.credit_code, "name": e.name, "town": e.town,
                      "industry_code": e.industry_code, "ownership": e.ownership,
                      "founded_on": e.founded_on, "size_class": e.size_class or None,
                      "tags": [], "high_tech_cert_date": None, "high_tech_first_cert": None,
                      "indicators": {}}
            for t in e.tags.all():
                record["tags"].append(t.tag)
                if t.tag == "high_tech":
                    record["high_tech_cert_date"] = t.certified_on
                    record["high_tech_first_cert"] = t.first_certified
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
    first = services.scan_now(actor=None, year=year)
    scan_write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = services.scan_now(actor=None, year=year)
    rescan_write_s = time.perf_counter() - t0
    assert first.new_pairs == Eligibility.objects.count() == pairs and second.new_pairs == 0
    print(f"scan job work: first {scan_write_s:.2f} s ({first.new_pairs:,} rows written), "
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
        "load_s": round(load_s, 3), "load_query_s": round(query_s, 3),
        "load_cpu_s": round(load_cpu_s, 3), "load_avg": round(os.getloadavg()[0], 1),
        "baseline_load_s": round(baseline_s, 1), "load_speedup": round(baseline_s / load_s, 1),
        "scan_s": round(scan_s, 4), "eligible_pairs": pairs,
        "scan_write_s": round(scan_write_s, 2), "rescan_write_s": round(rescan_write_s, 2),
        "one_enterprise_ms": round(one_ms, 1),
    }))


if __name__ == "__main__":
    main()
