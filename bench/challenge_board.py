"""Bench: the public challenge board (揭榜领题) at 100,000 challenges.

    python bench/challenge_board.py                  # 100,000 challenges on a fresh SQLite file
    python bench/challenge_board.py --rows 20000     # smaller
    DATABASE_URL=postgres://... python bench/challenge_board.py   # on PostgreSQL (empty DB)

Rows are written with bulk inserts (bench setup only; the platform writes through services).
Each case requests the board page through Django's test client (full view, template and
queries), five times, and reports the median in milliseconds and the query count.

Side by side, a simple baseline: the obvious Python implementation of the same search — load
every public challenge's text and keep those containing every query word — timed on the same
database. The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import atexit
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

CASES = [
    ("首页（无条件）", {}),
    ("常见词：光刻胶 介电常数", {"q": "光刻胶 介电常数"}),
    ("少见词：石墨烯", {"q": "石墨烯"}),
    ("无结果：量子通信", {"q": "量子通信"}),
    ("领域+资金区间", {"domain": "materials", "funding_min": "100", "funding_max": "300"}),
    ("词+领域+时限+产权", {"q": "鞋底 耐磨", "domain": "materials", "max_months": "24",
                          "ip": "enterprise"}),
    ("第 500 页", {"page": "500"}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
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

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    setup_s = _populate(args.rows)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from django.test.utils import setup_test_environment

    setup_test_environment()  # so responses carry their template context
    client = Client()
    results = {}
    for label, params in CASES:
        client.get("/challenges/", params)  # warm up: template compilation, caches
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/challenges/", params)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        count = response.context["page"].paginator.count
        results[label] = {"ms": round(statistics.median(times), 1), "queries": len(queries),
                          "matches": count}
        reset_queries()
    baseline = {}
    for label, params in CASES[1:4]:
        times = []
        for _ in range(max(1, args.repeat // 2)):
            start = time.perf_counter()
            found = _baseline(params["q"])
            times.append((time.perf_counter() - start) * 1000)
        assert found == results[label]["matches"], (label, found, results[label]["matches"])
        baseline[label] = {"ms": round(statistics.median(times), 1), "matches": found}

    print(f"{'case':<28}{'board ms':>10}{'queries':>9}{'matches':>9}{'baseline ms':>13}")
    for label, r in results.items():
        b = baseline.get(label, {}).get("ms", "")
        print(f"{label:<28}{r['ms']:>10}{r['queries']:>9}{r['matches']:>9}{b:>13}")
    print(json.dumps({"rows": args.rows, "setup_s": round(setup_s, 1),
                      "database": connection.vendor, "board": results, "baseline": baseline},
                     ensure_ascii=False))


def _populate(rows: int) -> float:
    """100,000 challenges over the six domains from the demo catalog, 70% on the board."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from innolink.challenges import search
    from innolink.challenges.demo import CATALOG
    from innolink.challenges.models import Challenge
    from innolink.enterprises.testing import make_enterprise

    start = time.perf_counter()
    rng = random.Random(7)
    enterprises = [make_enterprise(name=f"晋江基准企业{i}有限公司") for i in range(200)]
    states = ["published"] * 50 + ["claimed"] * 15 + ["shortlisted"] * 5 + ["draft"] * 10 + \
        ["matched"] * 10 + ["closed"] * 10
    now = timezone.now()
    today = timezone.localdate()
    batch = []
    for i in range(rows):
        domain, title, statement, keywords, indicators = CATALOG[rng.randrange(len(CATALOG))]
        state = rng.choice(states)
        names = " ".join(ind[0] for ind in indicators)
        if i % 5000 == 0:  # a rare subject: 1 row in 5,000
            title, statement = "石墨烯导热膜量产工艺", "需要石墨烯导热膜的连续化量产工艺与面内导热率提升。"
        full_title = f"{title}（基准{i}）"
        batch.append(Challenge(
            title=full_title, domain=domain, statement=statement, keywords=keywords,
            funding=Decimal(rng.choice([30, 50, 80, 100, 150, 200, 300, 500])) * 10_000,
            time_limit_months=rng.choice([6, 12, 18, 24, 36]),
            ip_ownership=rng.choice(["enterprise", "solver", "joint", "negotiable"]),
            ip_enterprise_share=60, claim_deadline=today + dt.timedelta(days=rng.randint(1, 200)),
            max_claims=5, enterprise=enterprises[i % len(enterprises)], contact_name="联系人",
            contact_phone="0595-00000000", state=state,
            published_at=None if state == "draft" else now - dt.timedelta(minutes=i),
            on_board=state in ("published", "claimed", "shortlisted"),
            search_text=search.search_text(full_title, keywords, names, statement)))
        if len(batch) == 5000:
            _write(batch)
            batch = []
    if batch:
        _write(batch)
    return time.perf_counter() - start


_TERMS: dict[str, list[str]] = {}


def _write(batch) -> None:
    """The challenges, then their term index rows (as ``services._reindex`` writes them)."""
    from django.db import transaction

    from innolink.challenges import search
    from innolink.challenges.models import Challenge, ChallengeTerm
    from innolink.core.bulk import insert_rows

    with transaction.atomic():
        created = Challenge.objects.bulk_create(batch)
        rows = []
        for challenge in created:
            key = challenge.search_text.split(" ", 1)[-1]  # the text without the numbered title
            if key not in _TERMS:
                _TERMS[key] = sorted(search.doc_terms(key))
            title_terms = search.doc_terms(challenge.title)
            for term in sorted(set(_TERMS[key]) | title_terms):
                rows.append((challenge.pk, term))
        insert_rows(ChallengeTerm, ["challenge", "term"], rows)


def _baseline(query: str) -> int:
    """The obvious implementation: every public challenge's text into Python, then filter."""
    from innolink.challenges.models import PUBLIC_STATES, Challenge
    from innolink.challenges.search import query_tokens

    tokens = query_tokens(query)
    found = 0
    for title, keywords, statement, names in _rows_with_indicators(Challenge, PUBLIC_STATES):
        text = f"{title} {keywords} {names} {statement}".lower()
        if all(t in text for t in tokens):
            found += 1
    return found


def _rows_with_indicators(Challenge, states):
    from innolink.challenges.demo import CATALOG

    names_by_title = {title: " ".join(ind[0] for ind in inds)
                      for _d, title, _s, _k, inds in CATALOG}
    names_by_title["石墨烯导热膜量产工艺"] = ""
    for title, keywords, statement in Challenge.objects.filter(state__in=states).values_list(
            "title", "keywords", "statement").iterator(chunk_size=5000):
        base = title.split("（基准")[0]
        yield title, keywords, statement, names_by_title.get(base, "")


if __name__ == "__main__":
    main()
