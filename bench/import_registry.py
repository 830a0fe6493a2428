"""Bench: import 100,000 registry rows, then re-import the same file.

    python bench/import_registry.py                 # 100,000 rows on a fresh SQLite file
    python bench/import_registry.py --rows 20000    # smaller
    DATABASE_URL=postgres://... python bench/import_registry.py   # on PostgreSQL (empty DB)

Side by side, a simple baseline: the obvious per-row ORM loop (update_or_create per enterprise
and per year, one audit row each) on a sample, reported as rows per second.
The last line is one JSON object: rows, import_s, reimport_s, changed_on_reimport, and extras.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=3_000)
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

    settings.INNOLINK["IMPORT_MAX_BYTES"] = 500 * 1024 * 1024
    settings.INNOLINK["IMPORT_MAX_ROWS"] = max(args.rows, 200_000)
    call_command("migrate", verbosity=0)

    from innolink.demo.generator import enterprise_csv
    from innolink.enterprises.models import Enterprise
    from innolink.enterprises.services import registry_import

    if Enterprise.objects.exists():
        sys.exit("the bench needs an empty database")
    started = time.perf_counter()
    content = enterprise_csv(seed=99, count=args.rows, years=(2025,))
    generate_s = time.perf_counter() - started
    print(f"file: {args.rows} rows, {len(content) / 1048576:.1f} MB, made in {generate_s:.1f} s",
          file=sys.stderr)

    started = time.perf_counter()
    first = registry_import(content=content, filename="bench.csv", actor=None, commit=True)
    import_s = time.perf_counter() - started
    assert first.created == args.rows and not first.errors, first.errors[:3]
    print(f"import:   {import_s:.1f} s ({args.rows / import_s:,.0f} rows/s)", file=sys.stderr)

    started = time.perf_counter()
    again = registry_import(content=content, filename="bench.csv", actor=None, commit=True)
    reimport_s = time.perf_counter() - started
    print(f"reimport: {reimport_s:.1f} s, changed {again.changed}", file=sys.stderr)

    baseline_rate = baseline(content, args.baseline_rows)
    print(f"baseline per-row ORM loop: {baseline_rate:,.0f} rows/s on {args.baseline_rows} rows",
          file=sys.stderr)
    print(json.dumps({
        "rows": args.rows, "import_s": round(import_s, 2), "reimport_s": round(reimport_s, 2),
        "changed_on_reimport": again.changed, "rows_per_s": round(args.rows / import_s),
        "baseline_rows_per_s": round(baseline_rate),
        "speedup_vs_baseline": round(args.rows / import_s / baseline_rate, 1),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }))


def baseline(content: bytes, rows: int) -> float:
    """The obvious loop: csv.DictReader, update_or_create per row, an audit row per change."""
    import csv
    import io
    from decimal import Decimal

    from django.db import transaction

    from innolink.core.audit import audit_record
    from innolink.enterprises.models import Enterprise, EnterpriseYear

    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    sample = [row for _, row in zip(range(rows), reader, strict=False)]
    started = time.perf_counter()
    with transaction.atomic():
        for row in sample:
            enterprise, _ = Enterprise.objects.update_or_create(
                credit_code="B" + row["统一社会信用代码"][1:17] + "0", defaults={
                    "name": row["企业名称"], "town": row["所属镇街"],
                    "industry_code": row["行业代码"], "ownership": "private"})
            EnterpriseYear.objects.update_or_create(enterprise=enterprise, year=2025, defaults={
                "values": {"revenue": str(Decimal(row["营业收入(元)"]))}})
            audit_record(actor=None, action="create", instance=enterprise, source="baseline")
        transaction.set_rollback(True)
    return rows / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
