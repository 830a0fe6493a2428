"""Bench: the leaders' overview at city scale, against the naive aggregate queries in the same run.

    .venv/bin/python bench/overview.py                       # 100,000 enterprises, 1,000,000 postings
    .venv/bin/python bench/overview.py --enterprises 10000 --postings 100000   # smaller

On a fresh SQLite file (``DATABASE_URL`` may name PostgreSQL instead) it loads enterprises,
ledger postings over 24 months, eligibilities and paid applications for 应兑未兑, the
challenge board's funnel, signed projects and, when the service-desk app provides
``bench_requests(count=, enterprise_ids=)`` in its ``overview.py``, service requests. Then:

- ``refresh_s``: the first fold of everything into the tallies (the refresh job);
- ``incremental_s``: the refresh after 1,000 new postings and 50 changed challenges;
- ``overview_ms``: median of 7 renders of ``/overview/`` as the leader (the full page:
  every section, the map, the trend), with ``queries`` per render (the same each time);
- ``naive_ms``: the same figures computed the naive way, grouped queries over the source tables
  (every source's ``recount()``, plus the service desk's counters recounted from every request
  row, ``naive_requests_ms`` on its own), once;
- ``aggregates_equal``: the tallies (and the service desk's counter rows) equal that recount.

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
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--challenges", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="innolink-bench-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    timings: dict[str, float] = {}

    from innolink.accounts.models import Department
    from innolink.accounts.roles import Role
    from innolink.core.bulk import insert_rows
    from innolink.enterprises.testing import make_user
    from innolink.enterprises.models import Enterprise
    from innolink.enterprises.reference import TOWN_NAMES, make_credit_code
    from innolink.policies.models import Application, Eligibility, LedgerEntry, PolicyClause
    from innolink.policies.services import policy_sync

    towns = sorted(TOWN_NAMES)

    def uid(value: uuid.UUID):
        return value.hex if connection.vendor == "sqlite" else value

    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(Enterprise, ["credit_code", "name", "town", "industry_code", "ownership",
                                 "size_class", "legal_representative", "address", "products",
                                 "is_demo", "created_at", "updated_at"],
                    ((make_credit_code(f"91350582{i:09d}"), f"基准企业{i}有限公司",
                      rng.choice(towns), "C1953", "private", "small", "", "", "", True, now, now)
                     for i in range(args.enterprises)))
    enterprise_ids = list(Enterprise.objects.values_list("pk", flat=True))
    policy_sync(actor=None, source="bench")
    clauses = list(PolicyClause.objects.select_related("version").values_list(
        "pk", "version_id", "version__policy_id"))
    versions = sorted({v for _c, v, _p in clauses})
    year = today.year - 1
    with transaction.atomic():
        created = now - dt.timedelta(hours=1)
        insert_rows(LedgerEntry, ["posting", "version", "enterprise", "kind", "level", "amount",
                                  "note", "booked_on", "created_at"],
                    ((uid(uuid.UUID(int=rng.getrandbits(128))), rng.choice(versions),
                      rng.choice(enterprise_ids), "payment" if rng.random() < 0.45
                      else "commitment", "县", Decimal(rng.randrange(100, 500_000_00)) / 100,
                      "", today - dt.timedelta(days=rng.randrange(0, 730)), created)
                     for _ in range(args.postings)))
        pairs = set()
        eligibility_rows = []
        for enterprise_id in enterprise_ids:
            if rng.random() < 0.6:
                clause, _v, _p = rng.choice(clauses)
                pairs.add((clause, enterprise_id))
                eligibility_rows.append((clause, enterprise_id, year,
                                         Decimal(rng.randrange(1_000_00, 600_000_00)) / 100,
                                         Decimal(0), today - dt.timedelta(days=90), True))
        insert_rows(Eligibility, ["clause", "enterprise", "year", "amount", "gross",
                                  "first_found_on", "active"], eligibility_rows)
        paid = rng.sample(sorted(pairs), len(pairs) // 3)
        insert_rows(Application, [
            "enterprise", "clause", "year", "lane", "status", "amount_expected",
            "amount_approved", "paid_total", "bank_name", "bank_account", "account_holder",
            "contact_name", "contact_phone", "statement", "consent", "decision_note",
            "eligible_since", "submitted_at", "due_on", "paid_on", "declared"],
            ((e, c, year, "auto", "paid", Decimal(100), Decimal(100), Decimal(100), "银行",
              "6217", "企业", "", "", "", True, "", today - dt.timedelta(days=90), now, today,
              today, {})
             for c, e in paid))
    timings["load_policies_s"] = time.perf_counter() - started
    print(f"load_policies_s: {timings['load_policies_s']:.1f}", file=sys.stderr, flush=True)

    requests = 0
    try:
        from innolink.servicedesk import overview as desk
    except ImportError:
        desk = None
    if desk is not None and hasattr(desk, "bench_requests") and args.requests:
        started = time.perf_counter()
        requests = desk.bench_requests(count=args.requests, enterprise_ids=enterprise_ids)
        timings["load_requests_s"] = time.perf_counter() - started
        print(f"load_requests_s: {timings['load_requests_s']:.1f}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    challenge_ids = _challenges(args.challenges, enterprise_ids, rng)
    department, _new = Department.objects.get_or_create(code="kjj",
                                                        defaults={"name": "科学技术局"})
    staff = make_user(Role.ORGANIZER, username="bench-staff")
    _projects(staff, department, enterprise_ids, rng)
    timings["load_other_s"] = time.perf_counter() - started
    print(f"load_other_s: {timings['load_other_s']:.1f}", file=sys.stderr, flush=True)

    from innolink.dashboard import sources, tallies
    from innolink.dashboard.services import overview_refresh

    started = time.perf_counter()
    overview_refresh(settle_seconds=0)
    timings["refresh_s"] = time.perf_counter() - started
    print(f"refresh_s: {timings['refresh_s']:.1f}", file=sys.stderr, flush=True)

    # new writes since the fold: 1,000 postings and 50 challenges change state
    with transaction.atomic():
        insert_rows(LedgerEntry, ["posting", "version", "enterprise", "kind", "level", "amount",
                                  "note", "booked_on", "created_at"],
                    ((uid(uuid.uuid4()), rng.choice(versions), rng.choice(enterprise_ids),
                      "payment",
                      "县", Decimal("1000.00"), "", today, now - dt.timedelta(minutes=5))
                     for _ in range(1000)))
        from innolink.challenges.models import Challenge

        for pk in rng.sample(challenge_ids, min(50, len(challenge_ids))):
            Challenge.objects.filter(pk=pk, published_at__isnull=True).update(
                state="published", published_at=timezone.now(), updated_at=timezone.now())
    started = time.perf_counter()
    overview_refresh(settle_seconds=0)
    timings["incremental_s"] = time.perf_counter() - started
    print(f"incremental_s: {timings['incremental_s']:.1f}", file=sys.stderr, flush=True)

    client = Client()
    client.force_login(make_user(Role.LEADER, username="bench-leader"))
    client.get("/overview/")  # warm up: imports, templates, the map file
    renders, counts = [], []
    for _ in range(7):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get("/overview/")
            renders.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        counts.append(len(ctx.captured_queries))

    from innolink.dashboard.overview import sections

    section_ms = []
    for _ in range(7):
        t0 = time.perf_counter()
        sections(today=today)
        section_ms.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    recounts = {s.name: s.recount() for s in sources.all_sources()}
    naive_ms = (time.perf_counter() - started) * 1000
    unequal = [s.name for s in sources.all_sources()
               if not tallies.same(tallies.stored(s.prefixes), recounts[s.name])]
    naive_requests_ms = None
    if requests:
        # the service desk keeps its own counter rows: recount them from every request row
        from innolink.servicedesk.loadgen import rates_from_rows
        from innolink.servicedesk.selectors import counters_stored

        started = time.perf_counter()
        desk_recount = rates_from_rows()
        naive_requests_ms = (time.perf_counter() - started) * 1000
        naive_ms += naive_requests_ms
        if counters_stored() != desk_recount:
            unequal.append("servicedesk")
    equal = not unequal
    result = {
        "enterprises": Enterprise.objects.count(),
        "postings": LedgerEntry.objects.count(),
        "requests": requests,
        "requests_note": "" if requests else
        "servicedesk has no bench_requests in its overview.py yet: no service requests loaded",
        "challenges": len(challenge_ids),
        "overview_ms": round(statistics.median(renders), 1),
        "overview_ms_all": [round(r, 1) for r in renders],
        "sections_ms": round(statistics.median(section_ms), 1),
        "naive_ms": round(naive_ms, 1),
        "naive_requests_ms": None if naive_requests_ms is None else round(naive_requests_ms, 1),
        "ratio": round(naive_ms / statistics.median(renders), 1),
        "queries": counts[0],
        "queries_fixed": len(set(counts)) == 1,
        "aggregates_equal": equal,
        "unequal_sources": unequal,
        "database": connection.vendor,
        "load_avg": round(os.getloadavg()[0], 1),
        **{k: round(v, 2) for k, v in timings.items()},
    }
    print(json.dumps(result, ensure_ascii=False))


def _challenges(count: int, enterprise_ids: list[int], rng) -> list[int]:
    """Challenges in every state with their stage timestamps (rows, not the services: the
    bench measures reading them)."""
    from django.utils import timezone

    from innolink.challenges.models import Challenge

    now = timezone.now()
    states = ["draft", "submitted", "published", "claimed", "matched", "contracted",
              "accepted", "expired"]
    rows = []
    for i in range(count):
        state = rng.choice(states)
        at = now - dt.timedelta(days=rng.randrange(0, 700))
        reached = states.index(state) if state != "expired" else 2
        rows.append(Challenge(
            title=f"基准榜单{i}", domain="materials", statement="基准", funding=Decimal("100000"),
            time_limit_months=12, ip_ownership="joint", claim_deadline=at.date(),
            enterprise_id=rng.choice(enterprise_ids), contact_name="王工",
            contact_phone="0595", state=state,
            submitted_at=at if reached >= 1 else None,
            published_at=at + dt.timedelta(days=3) if reached >= 2 else None,
            matched_at=at + dt.timedelta(days=40) if reached >= 4 else None,
            contracted_at=at + dt.timedelta(days=60) if reached >= 5 else None,
            contract_amount=Decimal("90000") if reached >= 5 else None,
            accepted_at=at + dt.timedelta(days=300) if reached >= 6 else None))
    return [c.pk for c in Challenge.objects.bulk_create(rows, batch_size=1000)]


def _projects(staff, department, enterprise_ids: list[int], rng) -> None:
    from innolink.projects import services

    start = {"research": "started", "ai_app": "pilot", "compute": "build"}
    for i in range(40):
        kind = rng.choice(sorted(start))
        services.project_create(actor=staff, data={
            "title": f"基准签约项目{i}", "kind": kind,
            "signed_on": "2025-04-15", "department_id": department.pk, "investment": "1000",
            "investment_unit": "wan", "parties": [{"role": "lead",
                                                   "enterprise_id": rng.choice(enterprise_ids)}],
            "targets": [{"metric": "output", "name": "年产值", "unit": "万元", "target": "5000",
                         "due_on": "2026-12-31"}],
            "milestones": [{"stage": start[kind], "due_on": "2025-09-30"}] if i % 3 else []})


if __name__ == "__main__":
    main()
