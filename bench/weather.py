"""Bench: 气象+ targeting and ingestion at city scale.

    .venv/bin/python bench/weather.py                      # 100,000 profiles, SQLite file
    .venv/bin/python bench/weather.py --profiles 20000 --messages 60
    scripts/with-postgres .venv/bin/python bench/weather.py   # on PostgreSQL (DATABASE_URL)

1. One red typhoon warning over the whole city (a CAP 1.2 message through ``cap_ingest``) is
   targeted against every exposure profile and its notices are written: ``target_s`` is the
   whole ingest (parse, check, load the profiles, vectorised targeting, bulk insert, tallies,
   commit). Target: ≤ 2 s at 100,000 profiles.
2. Baseline in the same run: the same warning handled one enterprise at a time — each profile
   read as a model instance, the response rules checked for it in Python, its notice built and
   saved with ``bulk_create`` in batches (``loop_s``).
3. Ingestion rate: ``--messages`` CAP messages (town alerts, updates that move the area and
   level, cancels) in a row; 1,000 an hour is one every 3.6 s, so there is no backlog when the
   slowest message takes less than that (``msg_p95_s``, ``msg_max_s``, ``per_hour``).

Wall times on a shared machine depend on the load (``load_avg`` is reported); the ``*_cpu_s``
figures are this process's CPU time for the same work. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
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
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--insert-repeat", type=int, default=3,
                        help="interleaved runs of the old and new notice insert alone")
    parser.add_argument("--profile", action="store_true", help="cProfile the city-wide ingest")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="innolink-bench-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        database = "sqlite"
    else:
        database = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "other"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # as in production: DEBUG's cursor wrapper re-quotes every bound value of a statement for
    # its query log (a SELECT QUOTE(?) per value), which is not part of the ingest's cost
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from innolink.core.bulk import insert_rows
    from innolink.engines.weather import LEVEL_RANK
    from innolink.enterprises.models import Enterprise
    from innolink.weather import fetch, services
    from innolink.weather.models import CapSender, ExposureProfile, Notice, NoticeAdvice, Warning
    from innolink.weather.capdocs import SENDER, cap, ref

    if database == "postgresql":  # a shared server: start from empty tables
        Notice.objects.all().delete()
        for model in ("CapMessage", "WarningTownTally", "IngestLog"):
            __import__("innolink.weather.models", fromlist=[model]).__dict__[model].objects.all().delete()
        Warning.objects.all().delete()
        ExposureProfile.objects.all().delete()
    rng = np.random.default_rng(args.seed)
    n = args.profiles
    towns = fetch.TOWNS
    started = time.perf_counter()
    with transaction.atomic():
        base = Enterprise.objects.count()
        now = timezone.now()
        insert_rows(Enterprise, ["credit_code", "name", "town", "industry_code", "ownership",
                                 "size_class", "legal_representative", "address", "products",
                                 "is_demo", "created_at", "updated_at"],
                    ((f"B{args.seed:02d}{base + i:015d}"[:18], f"基准企业{i}", towns[i % len(towns)],
                      "C1953", "private", "small", "", "", "", True, now, now) for i in range(n)))
        ids = list(Enterprise.objects.filter(name__startswith="基准企业").order_by("id")
                   .values_list("id", flat=True))[-n:]
        rules = fetch.response_rules()
        masks = rng.integers(0, 1 << len(rules.exposures), n)
        codes = [c for c, _ in rules.exposures]
        located = rng.random(n) < 0.5
        lats = 24.55 + rng.random(n) * 0.25
        lons = 118.40 + rng.random(n) * 0.30
        insert_rows(ExposureProfile, ["enterprise", "exposures", "exposure_mask", "lat", "lon",
                                      "outdoor_staff", "note", "updated_at"],
                    ((ids[i], [codes[b] for b in range(len(codes)) if masks[i] >> b & 1],
                      int(masks[i]), float(lats[i]) if located[i] else None,
                      float(lons[i]) if located[i] else None, 0, "", now) for i in range(n)))
        CapSender.objects.get_or_create(sender=SENDER, defaults={"name": "基准气象台"})
    setup_s = time.perf_counter() - started
    fetch.response_rules()

    # the parts of the ingest, measured alone (the ingest below does them all again)
    started = time.perf_counter()
    loaded = fetch.profiles()
    load_s = time.perf_counter() - started
    from innolink.engines.weather import WarningArea, target

    started = time.perf_counter()
    target(loaded, WarningArea("台风", "红", whole_city=True), rules)
    engine_s = time.perf_counter() - started

    t0 = timezone.now().replace(microsecond=0)
    data = cap(identifier="BENCH-RED", kind="台风", level="红", sent=t0, city=True)
    started = time.perf_counter()
    cpu_started = time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(services.cap_ingest, data=data, source="push")
        target_s = time.perf_counter() - started
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(15)
    else:
        result = services.cap_ingest(data=data, source="push")
        target_s = time.perf_counter() - started
    target_cpu_s = time.process_time() - cpu_started
    assert result.applied, result
    notices = Notice.objects.filter(warning_id=result.warning_id).count()

    # ---- baseline: one enterprise at a time
    started = time.perf_counter()
    cpu_started = time.process_time()
    with transaction.atomic():
        warning = Warning.objects.create(sender=SENDER, identifier="BENCH-LOOP", kind="台风",
                                         level="红", whole_city=True, first_sent=t0, last_sent=t0,
                                         onset=t0)
        applicable = rules.applicable("台风", "红")
        batch, loop_notices, advice = [], 0, {}
        for profile in ExposureProfile.objects.select_related("enterprise").iterator(chunk_size=2000):
            mask = rules.mask_of(profile.exposures)
            town = fetch.TOWN_INDEX.get(profile.enterprise.town, -1)
            matched, actions = [], []
            for rule in applicable:
                if rule.exposure_mask and not mask & rule.exposure_mask:
                    continue
                if rule.towns is not None and town not in rule.towns:
                    continue
                if LEVEL_RANK["红"] < rule.min_level:
                    continue
                matched.append(rule.id)
                actions.extend(a for a in rule.actions if a not in actions)
            if not matched:
                continue
            key = tuple(matched)
            if key not in advice:
                advice[key] = NoticeAdvice.objects.create(warning=warning, rules=matched,
                                                          actions=actions)
            batch.append(Notice(warning=warning, enterprise_id=profile.enterprise_id,
                                town=profile.enterprise.town, level="红", advice=advice[key],
                                created_at=t0, updated_at=t0))
            if len(batch) >= 1000:
                Notice.objects.bulk_create(batch)
                loop_notices += len(batch)
                batch = []
        Notice.objects.bulk_create(batch)
        loop_notices += len(batch)
    loop_s = time.perf_counter() - started
    loop_cpu_s = time.process_time() - cpu_started
    assert loop_notices == notices, (loop_notices, notices)

    # ---- the insert alone, old and new path side by side (medians of ``--insert-repeat``
    # interleaved runs): the previous row-by-row ``executemany`` of all nine values per 5,000
    # rows against the multi-row ``INSERT ... SELECT`` the ingest now uses (insert + commit)
    same = list(Notice.objects.filter(warning_id=result.warning_id).order_by("id").values_list(
        "enterprise_id", "town", "advice_id"))
    columns = ["warning", "enterprise", "town", "level", "advice", "state", "created_at",
               "updated_at", "measures"]
    quote = connection.ops.quote_name
    old_sql = (f"INSERT INTO {quote(Notice._meta.db_table)} "
               f"({', '.join(quote(Notice._meta.get_field(f).column) for f in columns)}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
    stamp = connection.ops.adapt_datetimefield_value(t0)
    groups: dict[int, tuple[list, list]] = {}
    for e, town, a in same:
        groups.setdefault(a, ([], []))
        groups[a][0].append(e)
        groups[a][1].append(town)

    def write_executemany(identifier):
        old = Warning.objects.create(sender=SENDER, identifier=identifier, kind="台风",
                                     level="红", whole_city=True, first_sent=t0, last_sent=t0,
                                     onset=t0)
        rows = [(old.pk, e, town, "红", a, "active", stamp, stamp, "") for e, town, a in same]
        with connection.cursor() as cursor:
            for begin in range(0, len(rows), 5000):
                cursor.executemany(old_sql, rows[begin:begin + 5000])

    def write_multirow(identifier):
        new = Warning.objects.create(sender=SENDER, identifier=identifier, kind="台风",
                                     level="红", whole_city=True, first_sent=t0, last_sent=t0,
                                     onset=t0)
        services._insert_notices(warning_pk=new.pk, level="红", now=t0,
                                 groups=[(a, ids, ts) for a, (ids, ts) in groups.items()])

    # interleaved (the tables grow with each write, so neither path always meets the larger one)
    timings: dict[str, list[tuple[float, float]]] = {"executemany": [], "multirow": []}
    for rep in range(args.insert_repeat):
        order = ("executemany", "multirow") if rep % 2 == 0 else ("multirow", "executemany")
        for name in order:
            started, cpu_started = time.perf_counter(), time.process_time()
            with transaction.atomic():
                (write_executemany if name == "executemany" else write_multirow)(
                    f"BENCH-{name}-{rep}")
            timings[name].append((time.perf_counter() - started,
                                  time.process_time() - cpu_started))
    executemany_s = statistics.median(t for t, _ in timings["executemany"])
    executemany_cpu_s = statistics.median(c for _, c in timings["executemany"])
    multirow_s = statistics.median(t for t, _ in timings["multirow"])
    multirow_cpu_s = statistics.median(c for _, c in timings["multirow"])

    # ---- ingestion rate: alerts, updates moving area and level, cancels
    latencies, cpu = [], []
    sent = t0 + dt.timedelta(minutes=1)
    chains = max(args.messages // 3, 1)
    for c in range(chains):
        kind = ("暴雨", "大风", "雷电", "高温")[c % 4]
        first_towns = tuple(towns[(c + k) % len(towns)] for k in range(3))
        level_a, level_b = ("黄", "橙") if kind != "雷电" else ("黄", "红")
        ident = f"BENCH-{c}"
        msgs = [cap(identifier=ident, kind=kind, level=level_a, sent=sent, towns=first_towns),
                cap(identifier=ident + "-u", kind=kind, level=level_b,
                    sent=sent + dt.timedelta(minutes=1), msg_type="Update",
                    references=ref(ident, sent),
                    towns=first_towns[1:] + (towns[(c + 5) % len(towns)],)),
                cap(identifier=ident + "-c", sent=sent + dt.timedelta(minutes=2),
                    msg_type="Cancel", references=ref(ident + "-u", sent + dt.timedelta(minutes=1)))]
        for message in msgs:
            started, cpu_started = time.perf_counter(), time.process_time()
            outcome = services.cap_ingest(data=message, source="folder")
            latencies.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert outcome.applied, outcome
        sent += dt.timedelta(minutes=3)
    latencies.sort()
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
    figures = {
        "database": connection.vendor, "enterprises": n, "notices": notices,
        "target_s": round(target_s, 3), "loop_s": round(loop_s, 3),
        "ratio": round(loop_s / target_s, 1), "target_cpu_s": round(target_cpu_s, 3),
        "loop_cpu_s": round(loop_cpu_s, 3), "load_s": round(load_s, 3),
        "engine_s": round(engine_s, 4), "messages": len(latencies),
        "msg_median_s": round(statistics.median(latencies), 3), "msg_p95_s": round(p95, 3),
        "msg_max_s": round(latencies[-1], 3), "msg_cpu_median_s": round(statistics.median(cpu), 3),
        "load_avg": round(os.getloadavg()[0], 1),
        "per_hour": int(3600 / statistics.mean(latencies)),
        "insert_executemany_s": round(executemany_s, 3),
        "insert_executemany_cpu_s": round(executemany_cpu_s, 3),
        "insert_multirow_s": round(multirow_s, 3), "insert_multirow_cpu_s": round(multirow_cpu_s, 3),
        "no_backlog_at_1000_per_hour": latencies[-1] < 3.6, "setup_s": round(setup_s, 1),
    }
    print(f"red typhoon over the city: {notices} notices in {target_s:.3f} s "
          f"(per-enterprise loop {loop_s:.3f} s, {figures['ratio']}x)")
    print(f"insert alone (median of {args.insert_repeat}): executemany {executemany_s:.3f} s (CPU {executemany_cpu_s:.3f}), "
          f"multi-row {multirow_s:.3f} s (CPU {multirow_cpu_s:.3f})")
    print(f"{len(latencies)} messages: median {figures['msg_median_s']} s, "
          f"p95 {figures['msg_p95_s']} s, max {figures['msg_max_s']} s")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
