"""Bench: the registry list page and API at 100,000 enterprises.

    python bench/registry_pages.py              # 100,000 enterprises on a fresh SQLite file
    python bench/registry_pages.py --enterprises 20000

Times real requests through Django's test client, logged in as organizer staff: the first
page, a deep page, a name search, a code prefix, a filter combination, and the JSON API. Side
by side, the baseline is Django's admin change list for the same model, with the same search.
The last line is one JSON object with median milliseconds per request.
"""

from __future__ import annotations

import argparse
import atexit
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="innolink-bench-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a 100k SQLite file is 400 MB
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.INNOLINK["IMPORT_MAX_BYTES"] = 500 * 1024 * 1024
    settings.INNOLINK["IMPORT_MAX_ROWS"] = 300_000
    call_command("migrate", verbosity=0)
    from innolink.accounts.models import User
    from innolink.demo.generator import enterprise_csv
    from innolink.enterprises.models import Enterprise
    from innolink.enterprises.services import registry_import

    if not Enterprise.objects.exists():
        registry_import(content=enterprise_csv(seed=5, count=args.enterprises, years=(2025,)),
                        filename="bench.csv", actor=None, commit=True)
    staff = User.objects.create_user("bench-staff", password="x" * 12, role="organizer",
                                     is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    sample = Enterprise.objects.order_by("pk")[args.enterprises // 2]
    deep_page = args.enterprises // 25 - 10
    cases = {
        "first_page": "/enterprises/",
        "deep_page": f"/enterprises/?page={deep_page}",
        "name_search": "/enterprises/?q=鞋业",
        "code_prefix": f"/enterprises/?q={sample.credit_code[:12]}",
        "filters": "/enterprises/?town=陈埭&section=C&ownership=private&size_class=small",
        "tag_filter": "/enterprises/?tag=high_tech",
        "api_search": "/api/enterprises?q=鞋业&page=3",
        "baseline_admin_first_page": "/admin/enterprises/enterprise/",
        "baseline_admin_name_search": "/admin/enterprises/enterprise/?q=鞋业",
    }
    results = {}
    for name, url in cases.items():
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = round(statistics.median(times), 1)
        print(f"{name:<28} {results[name]:8.1f} ms  {url}", file=sys.stderr)
    print(json.dumps({"enterprises": Enterprise.objects.count(), **results}))


if __name__ == "__main__":
    main()
