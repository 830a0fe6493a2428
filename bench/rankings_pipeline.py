"""Bench: the Django side of the rankings on a large registry.

    python bench/rankings_pipeline.py                        # 100,000 enterprises, two years
    python bench/rankings_pipeline.py --enterprises 20000    # smaller
    DATABASE_URL=postgres://... python bench/rankings_pipeline.py   # on PostgreSQL (empty DB)

Measured on a fresh SQLite file filled by the registry import (the demo city's generator):
- ``snapshot_s``: ``rankings.fetch.build_snapshot`` (registry rows -> engine columns, 3 queries),
  median of 3; side by side, the obvious baseline: one query per enterprise for its years and
  tags (measured on a sample, scaled linearly);
- ``check_s``: what the request does before a run exists (snapshot + every methodology
  checked against it);
- ``job_s``: the background job (snapshot, seven lists with 1,000 Monte Carlo samples each,
  storing lists and entries);
- ``public_page_ms``/``public_page_queries``: the public list page (100 rows) under 公示.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def naive_snapshot(year: int, limit: int) -> int:
    """The baseline: per enterprise, a query for its two years and one for its flag tags."""
    from innolink.enterprises.models import Enterprise

    rows = 0
    for enterprise in Enterprise.objects.order_by("pk")[:limit]:
        years = {y.year: y.values for y in enterprise.years.filter(year__in=(year, year - 1))}
        flags = set(enterprise.tags.filter(tag__in=("serious_violation", "dishonest"))
                    .values_list("tag", flat=True))
        rows += len(years) + len(flags)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=3_000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="innolink-bench-rankings-")
    own_database = "DATABASE_URL" not in os.environ
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["INNOLINK_MEDIA_ROOT"] = tmp
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.INNOLINK["IMPORT_MAX_BYTES"] = 1024 * 1024 * 1024
    settings.INNOLINK["IMPORT_MAX_ROWS"] = max(2 * args.enterprises, 200_000)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from innolink.core.jobs import job_run
    from innolink.demo.generator import enterprise_csv
    from innolink.engines.ranking import validate_run
    from innolink.enterprises.models import Enterprise
    from innolink.enterprises.services import registry_import
    from innolink.rankings import services
    from innolink.rankings.fetch import build_snapshot
    from innolink.rankings.models import RankingEntry

    if Enterprise.objects.exists():
        sys.exit("the bench needs an empty database")
    started = time.perf_counter()
    registry_import(content=enterprise_csv(seed=99, count=args.enterprises), filename="b.csv",
                    actor=None, commit=True)
    print(f"registry: {args.enterprises} enterprises × 2 years imported in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    times = []
    for _ in range(3):
        started = time.perf_counter()
        snap = build_snapshot(2025)
        times.append(time.perf_counter() - started)
    snapshot_s = statistics.median(times)
    with CaptureQueriesContext(connection) as queries:
        build_snapshot(2025)
    snapshot_queries = len(queries)

    sample = min(args.baseline, args.enterprises)
    started = time.perf_counter()
    naive_snapshot(2025, sample)
    baseline_sample_s = time.perf_counter() - started
    baseline_s = baseline_sample_s * args.enterprises / sample
    print(f"snapshot: {snap.n} rows in {snapshot_s:.2f} s ({snapshot_queries} queries); "
          f"per-enterprise baseline {baseline_sample_s:.2f} s for {sample} -> "
          f"{baseline_s:.1f} s scaled", file=sys.stderr)

    started = time.perf_counter()
    validate_run(services.methodologies(2025).values(), build_snapshot(2025))
    check_s = time.perf_counter() - started

    from django.db import transaction

    with transaction.atomic():
        run = services.run_start(year=2025, actor=None)
    run.refresh_from_db()
    started = time.perf_counter()
    job = job_run(run.job)
    job_s = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == "computed", (run.status, job.message)
    entries = RankingEntry.objects.filter(ranking_list__run=run).count()
    print(f"run: check {check_s:.2f} s in the request, job {job_s:.2f} s "
          f"({run.lists.count()} lists, {entries} entries stored)", file=sys.stderr)

    import datetime as dt

    from django.utils import timezone

    services.entries_confirm_pending(run=run, actor=None, note="bench")
    services.run_mark_reviewed(run=run, actor=None)
    services.run_open_notice(run=run, actor=None,
                             closes_on=timezone.localdate() + dt.timedelta(days=7))
    client = Client()
    url = "/rankings/public/2025/comprehensive_100/"
    client.get(url)  # templates compiled
    page_times = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    page_ms = statistics.median(page_times) * 1000
    print(f"public list page: {page_ms:.0f} ms median, {len(queries)} queries", file=sys.stderr)

    print(json.dumps({
        "enterprises": args.enterprises, "database": connection.vendor,
        "snapshot_s": round(snapshot_s, 3), "snapshot_queries": snapshot_queries,
        "baseline_snapshot_s": round(baseline_s, 1), "baseline_sample": sample,
        "speedup": round(baseline_s / snapshot_s, 1), "check_s": round(check_s, 3),
        "job_s": round(job_s, 3), "entries_stored": entries,
        "public_page_ms": round(page_ms, 1), "public_page_queries": len(queries),
    }, ensure_ascii=False))
    connection.close()
    shutil.rmtree(tmp, ignore_errors=not own_database)


if __name__ == "__main__":
    main()
