"""Bench: the researcher import page at 20,000 rows (CSV and .xlsx), on a fresh SQLite file.

    .venv/bin/python bench/researcher_import.py               # 20,000 rows
    .venv/bin/python bench/researcher_import.py --rows 2000   # smaller

For each file it POSTs to
``/challenges/researchers/import/`` through Django's test client as an organizer and reports:

- ``request_s``: how long the browser waits for the response (check or import, full view);
- ``job_s``: when the page answered with a job (a redirect to ``/jobs/<id>/``), the time a
  worker takes to run that job (``job_run`` in this process), and its final progress.

The task backend is the database queue of the local settings, so the request only enqueues.
The last line is one JSON object with every figure.
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
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="innolink-bench-")

    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a 100k SQLite file is 400 MB
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["INNOLINK_MEDIA_ROOT"] = tmp
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tmp
    call_command("migrate", verbosity=0)
    setup_test_environment()  # so responses carry their template context

    from innolink.accounts.models import Institution
    from innolink.accounts.roles import Role
    from innolink.challenges.models import ResearcherProfile
    from innolink.core.jobs import job_run
    from innolink.core.models import Job
    from innolink.enterprises.testing import make_user
    from innolink.challenges.tests.files import csv_bytes, rows, xlsx_bytes

    Institution.objects.create(name="华侨大学", kind="university")
    client = Client()
    client.force_login(make_user(Role.ORGANIZER, username="bench-staff"))
    data = rows(args.rows, "华侨大学")
    files = {"csv": csv_bytes(data), "xlsx": xlsx_bytes(data)}
    client.get("/challenges/researchers/import/")  # warm up: imports, templates
    results = {}
    for kind, content in files.items():
        for commit in (False, True):
            ResearcherProfile.objects.all().delete()
            label = f"{kind} {'import' if commit else 'check'}"
            post = {"file": SimpleUploadedFile(f"bench.{kind}", content)}
            if commit:
                post["commit"] = "on"
            started = time.perf_counter()
            response = client.post("/challenges/researchers/import/", post)
            request_s = time.perf_counter() - started
            figure = {"bytes": len(content), "status": response.status_code,
                      "request_s": round(request_s, 2)}
            if response.status_code == 302 and "/jobs/" in response["Location"]:
                job = Job.objects.order_by("-created_at").first()
                started = time.perf_counter()
                job = job_run(job)
                figure["job_s"] = round(time.perf_counter() - started, 2)
                figure["job_status"] = job.status
                figure["result"] = {k: job.result.get(k) for k in
                                    ("rows", "created", "updated", "committed", "error_count")}
            elif response.context and response.context.get("outcome"):
                outcome = response.context["outcome"]
                figure["result"] = {k: outcome.get(k) for k in ("rows", "created", "committed")}
            if commit:
                figure["researchers"] = ResearcherProfile.objects.count()
            results[label] = figure
            print(f"{label:12} {figure}", file=sys.stderr)
    print(json.dumps({"rows": args.rows, "results": results,
                      "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
