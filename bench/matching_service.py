"""Bench: the matching service (Django side) — per-process engine build from the database and
a recommendation request, at the demo scale and at 20,000+ profiles.

    python bench/matching_service.py                         # 3,000 then 20,000 profiles
    python bench/matching_service.py --profiles 3000,50000   # other scales
    python bench/matching_service.py --encoder hashing       # with stored dense vectors
    DATABASE_URL=postgres://... python bench/matching_service.py   # on PostgreSQL (empty DB)

Profiles come from the seeded synthetic corpus of ``bench/corpus.py`` (about 150 characters of
Chinese text with keywords, six domains); challenges are the challenge board's demo catalog
with their indicator targets, published. Rows are written with bulk inserts (bench setup only).

Figures per scale (medians):
* ``build_s``: ``index.build_engine()`` — fetch every profile, challenge and enterprise and
  index them (what a process pays once, and again after a generation bump);
* ``cold_ms``: the staff recommendation page with an empty per-process cache (build included)
  — the simple baseline: what every request would cost without the cached engine;
* ``*_cpu``: the same in process CPU time (less sensitive to a busy machine);
* ``warm_ms``: the same page with the cached engine (delta sync + query + explanations +
  re-check against the database; 11 queries, pinned by ``test_views.py``);
* ``researcher_ms``: a researcher's recommended challenges (warm);
* ``edit_visible_ms``: one profile edited, then the next request — the sync applies it and the
  profile appears in the results (checked).
The last line is one JSON object with every figure.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", default="3000,20000")
    parser.add_argument("--challenges", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--encoder", default="none", help="none | hashing | use | a model path")
    parser.add_argument("--ngrams", default="auto", help="auto | on | off")
    args = parser.parse_args()
    scales = sorted(int(x) for x in args.profiles.split(","))

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
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    settings.INNOLINK_MATCHING_ENCODER = args.encoder
    settings.INNOLINK_MATCHING_SYNC_INTERVAL = 0
    settings.INNOLINK_MATCHING_NGRAMS = args.ngrams
    call_command("migrate", verbosity=0)
    setup_test_environment()

    from bench.corpus import make_corpus
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user
    from innolink.matching import index
    from innolink.matching.tasks import encode_stale

    corpus = make_corpus(n_profiles=scales[-1], n_challenges=10, seed=0)
    staff = make_user(Role.ORGANIZER, username="bench-staff")
    researcher = make_user(Role.RESEARCHER, username="bench-researcher")
    challenge_ids = _challenges(args.challenges)
    client = Client()
    client.force_login(staff)
    rclient = Client()
    rclient.force_login(researcher)
    url = f"/matching/challenges/{challenge_ids[0]}/"

    results = []
    have = 0
    for n in scales:
        t0 = time.perf_counter()
        first_new = _profiles(corpus, have, n, researcher if have == 0 else None)
        have = n
        setup_s = time.perf_counter() - t0
        encode_s = 0.0
        if args.encoder != "none":
            t0 = time.perf_counter()
            encode_stale()
            encode_s = time.perf_counter() - t0
        builds, build_cpu = [], []
        for _ in range(max(1, args.repeat // 3)):
            t0, c0 = time.perf_counter(), time.process_time()
            index.build_engine()
            builds.append(time.perf_counter() - t0)
            build_cpu.append(time.process_time() - c0)
        cold = []
        for _ in range(max(1, args.repeat // 3)):
            index.reset_index_cache()
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            cold.append((time.perf_counter() - t0) * 1000)
        warm, warm_cpu = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            warm.append((time.perf_counter() - t0) * 1000)
            warm_cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200
        n_recs = len(response.context["recommendations"])
        rwarm = []
        profile_id = researcher.researcher_profile.pk
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            assert rclient.get(f"/matching/researchers/{profile_id}/").status_code == 200
            rwarm.append((time.perf_counter() - t0) * 1000)
        edit_ms = _edit_and_find(client, url, first_new)
        info = index.cache_info()
        row = {"profiles": n, "challenges": info["challenges"], "enterprises": info["enterprises"],
               "setup_s": round(setup_s, 1), "encode_s": round(encode_s, 1),
               "build_s": round(statistics.median(builds), 2),
               "build_cpu_s": round(statistics.median(build_cpu), 2),
               "cold_ms": round(statistics.median(cold), 1),
               "warm_ms": round(statistics.median(warm), 1),
               "warm_cpu_ms": round(statistics.median(warm_cpu), 1),
               "researcher_ms": round(statistics.median(rwarm), 1),
               "edit_visible_ms": round(edit_ms, 1), "recommendations": n_recs,
               "dense": info["dense"]}
        results.append(row)

    print(f"{'profiles':>9}{'build s':>9}{'(cpu)':>7}{'cold ms':>9}{'warm ms':>9}{'(cpu)':>7}"
          f"{'researcher ms':>15}{'edit→visible ms':>17}{'speed-up':>10}")
    for r in results:
        print(f"{r['profiles']:>9}{r['build_s']:>9}{r['build_cpu_s']:>7}{r['cold_ms']:>9}"
              f"{r['warm_ms']:>9}{r['warm_cpu_ms']:>7}"
              f"{r['researcher_ms']:>15}{r['edit_visible_ms']:>17}"
              f"{r['cold_ms'] / r['warm_ms']:>9.0f}×")
    print(json.dumps({"database": connection.vendor, "encoder": args.encoder,
                      "ngrams": args.ngrams,
                      "scales": results}, ensure_ascii=False))


def _challenges(count: int) -> list[int]:
    """Published challenges from the demo catalog, with indicators, posted by 200 enterprises."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from innolink.challenges.demo import CATALOG
    from innolink.challenges.models import Challenge, IndicatorTarget
    from innolink.challenges.validation import _parsed_indicator
    from innolink.enterprises.testing import make_enterprise

    rng = random.Random(3)
    enterprises = [make_enterprise(name=f"晋江匹配基准企业{i}有限公司", products="运动鞋 面料 包装")
                   for i in range(200)]
    now, today = timezone.now(), timezone.localdate()
    rows, specs = [], []
    for i in range(count):
        item = CATALOG[i % len(CATALOG)]  # a dict: domains, title, statement, indicators ...
        rows.append(Challenge(
            title=f"{item['title']}（基准{i}）", domain=item["domains"][0],
            secondary_domains=item["domains"][1:], statement=item["statement"],
            keywords=item["keywords"],
            funding=Decimal(rng.choice([50, 100, 200])) * 10_000, time_limit_months=24,
            ip_ownership="negotiable", claim_deadline=today + dt.timedelta(days=90),
            enterprise=enterprises[i % len(enterprises)], contact_name="联系人",
            contact_phone="0595-00000000", state="published", published_at=now))
        # (name, target as written, test method): read the way the challenge form reads it
        specs.append([_parsed_indicator(target, name, method)
                      for name, target, method in item["indicators"]])
    created = Challenge.objects.bulk_create(rows)
    targets = []
    for challenge, inds in zip(created, specs):
        targets.extend(IndicatorTarget(challenge=challenge, position=pos, **row)
                       for pos, row in enumerate(inds))
    IndicatorTarget.objects.bulk_create(targets)
    return [c.pk for c in created]


_CODES = ("it", "equipment", "energy", "materials", "biomed", "agrifood")


def _profiles(corpus, start: int, stop: int, first_user) -> int:
    """Profiles ``start``..``stop`` of the corpus; returns the first new primary key."""
    from innolink.accounts.models import Institution
    from innolink.challenges.models import ResearcherProfile

    insts = [Institution.objects.get_or_create(name=f"基准大学{i}", defaults={
        "kind": "university", "province": "福建省", "city": "福州市"})[0] for i in range(20)]
    rows = []
    for i in range(start, stop):
        text = corpus.profiles[i]
        rows.append(ResearcherProfile(
            user=first_user if i == start and first_user else None, name=f"研究员{i}",
            institution=insts[i % len(insts)], discipline="材料科学与工程",
            research_fields="，".join(corpus.profile_keywords[i][:2]),
            keywords="，".join(corpus.profile_keywords[i]), achievements=text,
            domains=[_CODES[int(corpus.profile_domains[i])]]))
    created = ResearcherProfile.objects.bulk_create(rows, batch_size=2000)
    return created[0].pk


def _edit_and_find(client, url: str, profile_id: int) -> float:
    """Edit one profile to fit the bench challenge; time the next request; check it shows."""
    from innolink.challenges.models import ResearcherProfile

    profile = ResearcherProfile.objects.get(pk=profile_id)
    profile.keywords = "BCB光刻胶，低介电常数，先进封装，光刻胶树脂"
    profile.achievements = "研制BCB光刻胶树脂，10 GHz下介电常数 2.5，玻璃化转变温度 360℃。"
    profile.domains = ["materials"]
    profile.save()
    t0 = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - t0) * 1000
    ids = [r.obj.pk for r in response.context["recommendations"]]
    assert profile_id in ids, "the edited profile did not appear"
    return ms


if __name__ == "__main__":
    main()
