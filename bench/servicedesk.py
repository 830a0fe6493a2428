"""Bench: the service desk at city scale, and the routing suggestion against keyword rules.

    python bench/servicedesk.py                                   # 1,000,000 requests, SQLite
    python bench/servicedesk.py --requests 100000 --enterprises 20000
    scripts/with-postgres .venv/bin/python bench/servicedesk.py   # on PostgreSQL (empty DB)
    python bench/servicedesk.py --tune                            # also cross-validate the model

Loads --enterprises enterprises and a year of --requests requests (about 1.5% still open, a
third of those past their limit) with their aggregate counter rows straight into a fresh
database (bulk inserts: the reads measured here do not read the event history), then measures,
each a median of several runs through Django's test client or the selectors:

  queue_ms        the handler's queue page (the busiest department's running clocks, page 1,
                  rendered), with queue_queries the number of SQL queries (the same on page 3:
                  queue_queries_page3) and queue_cpu_ms this process's CPU time for it (SQLite
                  runs in the process, so this is the page's work without waiting for a core
                  on a shared machine)
  overdue_ms      the coordinator's overdue list page (rendered), overdue_queries,
                  overdue_cpu_ms
  rows_cpu_ms     the queue page's 25 rows alone (rows.table_rows + _rows.html), CPU ms, and
                  baseline_rows_cpu_ms the same rows with the template before ADR 0421
                  (bench/templates/servicedesk_rows_baseline.html), side by side
  rates_s         三率 for the year by department from the counter rows (selectors.rates)
  baseline_rates_s the same figures by a GROUP BY over every request of the year (what the page
                  would cost without the counters), side by side
  route_ms        one routing suggestion (tokenize + model + votes), mean over 1,000 requests,
                  and route_p95_ms
  route_top1/3    the model's top-1/top-3 accuracy on the labelled set's held-out wordings
                  (split "test": known difficulties in new words), trained on split "train"
  route_top1_unseen / route_top3_unseen   on difficulties never seen in training
  baseline_top1/3 the keyword-rule router (data/keyword_rules.txt) on the same held-out split,
                  baseline_top1_unseen on the unseen one
With --tune, validation on the training split only (two folds by wording; five folds by
difficulty printed beside) picks the desk's tokenizer settings, the smoothing and the category
weight and prints the grid (the platform's defaults are the pick; ADR 0420). --routing-only
prints the routing figures without loading a database.
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


def median_ms(fn, runs: int = 7) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times), out


def accuracy(ranked, labels) -> tuple[float, float]:
    top1 = sum(r[0] == l for r, l in zip(ranked, labels)) / len(labels)
    top3 = sum(l in r[:3] for r, l in zip(ranked, labels)) / len(labels)
    return round(top1, 4), round(top3, 4)


def tune_on_train(rows) -> dict:
    """Pick the desk's tokenizer settings, the category weight and the smoothing on the
    training split only: two folds by wording (fit on one wording of every difficulty, validate
    on the other: what the held-out split is, a known difficulty in new words), printing the
    grid; the difficulty-fold figure (5 folds by group, like the unseen split) is printed beside
    it. The held-out and unseen splits are not read here."""
    from innolink.engines.matching import Tokenizer
    from innolink.engines.routing import Router, features
    from innolink.servicedesk import fetch, text

    train = [r for r in rows if r["split"] == "train"]
    groups = sorted({r["group"] for r in train})
    random.Random(5).shuffle(groups)
    group_fold = {g: i % 5 for i, g in enumerate(groups)}

    def wording(r) -> int:  # ids are department-difficulty-wording-framing
        return int(r["id"].split("-")[-2])

    desk_words = text.function_words()
    variants = {  # name -> (tokenizer, parts)
        "desk (no terms, own function words)": (text.tokenizer(), False),
        "matcher's tokenizer": (Tokenizer(), True),
        "matcher's tokenizer, no sub-words": (Tokenizer(), False),
        "matcher's terms, no listing words": (Tokenizer(stopwords=desk_words), False),
        "desk, no HMM": (Tokenizer(stopwords=desk_words, dictionary=False, listing=False,
                                   hmm=False), False),
    }
    grid = []
    for name, (tok, parts) in variants.items():
        toks = {r["id"]: [t for t in tok.tokenize(r["text"], parts=parts)
                          if len(t) > 1 and t not in text.DESK_STOPWORDS] for r in train}
        for weight in (2, 4, 6):
            def feats(chosen, weight=weight, toks=toks):
                return [features(toks[r["id"]], category=r["category"], category_weight=weight)
                        for r in chosen]

            for alpha in (0.01, 0.02, 0.05, 0.1):
                scores = []
                for fold_of, folds in ((wording, 2), (lambda r: group_fold[r["group"]], 5)):
                    correct = 0
                    for fold in range(folds):
                        fit = [r for r in train if fold_of(r) != fold]
                        check = [r for r in train if fold_of(r) == fold]
                        model = Router.fit(feats(fit), [r["department"] for r in fit],
                                           alpha=alpha)
                        ranked = model.top_k(feats(check), k=1)
                        correct += sum(k[0] == r["department"] for k, r in zip(ranked, check))
                    scores.append(correct / len(train))
                grid.append((scores[0], scores[1], name, weight, alpha))
                print(f"  {name}: category_weight={weight} alpha={alpha}: validation top-1 "
                      f"by wording {scores[0]:.4f}, by difficulty {scores[1]:.4f}",
                      file=sys.stderr)
    best = max(grid, key=lambda g: (g[0], g[1]))
    print(f"validation picks {best[2]}, category_weight={best[3]} alpha={best[4]} (top-1 by "
          f"wording {best[0]:.4f}); platform uses the desk tokenizer, "
          f"{fetch.CATEGORY_WEIGHT}/{fetch.ALPHA}", file=sys.stderr)
    return {"validation_top1": round(best[0], 4), "tokenizer": best[2],
            "category_weight": best[3], "alpha": best[4]}


def routing_figures(tune: bool) -> dict:
    """Model and baseline on the labelled set (no database needed)."""
    from innolink.engines.routing import KeywordRouter, Router, features
    from innolink.servicedesk import fetch
    from innolink.servicedesk.text import tokens

    rows = list(fetch.labelled_set())
    toks = {r["id"]: tokens(r["text"]) for r in rows}

    def docs(split, weight):
        chosen = [r for r in rows if r["split"] == split]
        return ([features(toks[r["id"]], category=r["category"], category_weight=weight)
                 for r in chosen], [r["department"] for r in chosen], chosen)

    out: dict = {}
    if tune:
        out["tuned"] = tune_on_train(rows)
    weight, alpha = fetch.CATEGORY_WEIGHT, fetch.ALPHA
    x_train, y_train, _ = docs("train", weight)
    model = Router.fit(x_train, y_train, alpha=alpha)
    rules = [tuple(line.split()) for line in
             (ROOT / "innolink/servicedesk/data/keyword_rules.txt").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    baseline = KeywordRouter(rules, default="qyfw")
    for split, suffix in (("train", "_train"), ("test", ""), ("unseen", "_unseen")):
        x, y, chosen = docs(split, weight)
        out[f"route_top1{suffix}"], out[f"route_top3{suffix}"] = accuracy(model.top_k(x, k=3), y)
        out[f"baseline_top1{suffix}"], out[f"baseline_top3{suffix}"] = accuracy(
            [baseline.suggest(r["text"]) for r in chosen], y)
    out["labelled"] = {s: sum(r["split"] == s for r in rows) for s in ("train", "test", "unseen")}
    return out, model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--routing-only", action="store_true",
                        help="only the routing figures on the labelled set (no database load)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database this bench already loaded (DATABASE_URL, "
                             "e.g. sqlite:////tmp/sd.sqlite3 from a --keep run), no load")
    parser.add_argument("--keep", action="store_true",
                        help="keep the SQLite file (its path is printed) for --reuse")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="innolink-bench-")
    if args.keep:
        print(f"keeping DATABASE_URL=sqlite:///{tmp}/bench.sqlite3", file=sys.stderr)
    else:
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["INNOLINK_MEDIA_ROOT"] = tmp
    import django

    django.setup()
    if args.routing_only:
        figures, _model = routing_figures(args.tune)
        print(json.dumps(figures, ensure_ascii=False))
        return
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    from innolink.accounts.models import User
    from innolink.accounts.roles import Role
    from innolink.core.bulk import insert_rows
    from innolink.enterprises.models import Enterprise
    from innolink.enterprises.reference import TOWN_NAMES, make_credit_code
    from innolink.servicedesk import fetch, loadgen, routing, selectors, sla
    from innolink.servicedesk.models import RateCounter, RouterModel, ServiceRequest

    reuse = args.reuse and ServiceRequest.objects.exists()
    if Enterprise.objects.exists() and not reuse:
        sys.exit("the bench needs an empty database (or --reuse of one it loaded)")
    figures, model = routing_figures(args.tune)
    print(f"routing on the labelled set: model top-1 {figures['route_top1']} top-3 "
          f"{figures['route_top3']} (unseen {figures['route_top1_unseen']}); keyword rules "
          f"top-1 {figures['baseline_top1']} (unseen {figures['baseline_top1_unseen']})",
          file=sys.stderr, flush=True)

    now = timezone.now()
    towns = sorted(TOWN_NAMES)
    t_load, c_load = time.perf_counter(), time.process_time()
    labelled = list(fetch.labelled_set())
    year_start = now - dt.timedelta(days=365)
    if reuse:
        args.requests = ServiceRequest.objects.count()
        args.enterprises = Enterprise.objects.count()
        departments = loadgen.desk_setup()
        year_start = ServiceRequest.objects.order_by("created_at").values_list(
            "created_at", flat=True).first()
    else:
        with transaction.atomic():
            insert_rows(Enterprise, ["credit_code", "name", "town", "industry_code", "ownership",
                                     "size_class", "legal_representative", "address",
                                     "products", "is_demo", "created_at", "updated_at"],
                        ((make_credit_code(f"91350582{n:09d}"), f"基准企业{n}有限公司",
                          towns[n % len(towns)], "C1953", "private", "small", "", "", "", True,
                          now, now)
                         for n in range(args.enterprises)))
            departments = loadgen.desk_setup()
        enterprise_ids = list(Enterprise.objects.values_list("pk", "town"))
        t_requests = time.perf_counter()
        loadgen.load_requests(count=args.requests, enterprises=enterprise_ids,
                              departments=departments, seed=12, now=now, days=365)
        RouterModel.objects.create(trained_on=model.trained_on, blob=model.to_bytes())
    load_s = time.perf_counter() - t_load
    load_cpu_s = time.process_time() - c_load  # SQLite: the whole load; PostgreSQL: the client
    requests_s = 0.0 if reuse else time.perf_counter() - t_requests
    busiest = departments[loadgen.BUSIEST]
    sla.clock()  # warm the calendar and rule caches before timing
    sla.rules_by_key()
    print(f"loaded {args.enterprises:,} enterprises and {args.requests:,} requests "
          f"({RateCounter.objects.count():,} counter rows) in {load_s:.1f} s, the requests "
          f"in {requests_s:.1f} s, {load_cpu_s:.1f} s of this process's CPU ({connection.vendor}{', reused' if reuse else ''})",
          file=sys.stderr, flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    handler, _new = User.objects.get_or_create(
        username="bench-handler", defaults={"role": Role.DEPT_HANDLER, "department": busiest})
    coordinator, _new = User.objects.get_or_create(username="bench-coordinator",
                                                   defaults={"role": Role.COORDINATOR})
    client = Client()
    cpu_ms: list[float] = []  # this process's CPU per page (SQLite runs in it): robust to load

    def page(user, url):
        client.force_login(user)

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        get()  # warm: templates, the calendar, the router
        ms, _r = median_ms(get)
        cpu = []
        for _ in range(7):
            c0 = time.process_time()
            get()
            cpu.append(1000 * (time.process_time() - c0))
        cpu_ms.append(statistics.median(cpu))
        with CaptureQueriesContext(connection) as queries:
            get()
        return ms, len(queries.captured_queries)

    queue_ms, queue_queries = page(handler, "/servicedesk/requests/")
    queue_cpu_ms = cpu_ms[-1]
    _ms3, queue_queries_page3 = page(handler, "/servicedesk/requests/?page=3")
    overdue_ms, overdue_queries = page(coordinator, "/servicedesk/overdue/")
    overdue_cpu_ms = cpu_ms[-1]
    queue_size = selectors.handler_queue(handler).count()
    overdue_size = selectors.overdue_list().count()
    print(f"queue page {queue_ms:.1f} ms ({queue_queries} queries, {queue_size:,} in the queue); "
          f"overdue page {overdue_ms:.1f} ms ({overdue_queries} queries, {overdue_size:,} overdue)",
          file=sys.stderr, flush=True)

    def rows_render():
        """The queue page's 25 rows rendered: the rows as shipped (``rows.table_rows`` and
        ``_rows.html``) and, side by side, the template before ADR 0421 (model objects, choice
        labels, ``|tr``/``|town`` and two ``{% url %}`` per row; bench/templates/), CPU ms."""
        from django.template import engines
        from django.template.loader import render_to_string
        from django.utils import translation

        from innolink.servicedesk.rows import table_rows

        old = engines["django"].from_string(
            (ROOT / "bench/templates/servicedesk_rows_baseline.html").read_text(encoding="utf-8"))
        qs = selectors.handler_queue(handler)

        def cpu(fn, runs=15):
            fn()
            got = []
            for _ in range(runs):
                c0 = time.process_time()
                fn()
                got.append(1000 * (time.process_time() - c0))
            return round(statistics.median(got), 2)

        with translation.override("zh-hans"):
            items = list(qs[:25])
            new_ms = cpu(lambda: render_to_string("servicedesk/_rows.html",
                                                  {"rows": table_rows(items)}))
            old_ms = cpu(lambda: old.render({"rows": sla.countdowns(items)}))
        return new_ms, old_ms

    rows_cpu_ms, baseline_rows_cpu_ms = rows_render()
    print(f"the queue page's 25 rows: {rows_cpu_ms} ms CPU as shipped, {baseline_rows_cpu_ms} ms "
          f"with the template before ADR 0421", file=sys.stderr, flush=True)

    def plan(qs) -> list[str]:
        """The database's plan for a page of ``qs`` (index range scans, no sort, no scan)."""
        sql, params = qs[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                return [row[-1] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + sql, params)
            return [row[0].strip() for row in cursor.fetchall()]

    queue_plan = plan(selectors.handler_queue(handler))
    overdue_plan = plan(selectors.overdue_list())
    print("queue plan:\n  " + "\n  ".join(queue_plan) + "\noverdue plan:\n  "
          + "\n  ".join(overdue_plan), file=sys.stderr, flush=True)

    year = timezone.localdate().year
    start, end = dt.date(year - 1, 1, 1), dt.date(year + 1, 1, 1)
    rates_ms, (total, by_department) = median_ms(
        lambda: selectors.rates(start=start, end=end, by="department"), 5)
    c0 = time.process_time()
    selectors.rates(start=start, end=end, by="department")
    rates_cpu_s = time.process_time() - c0
    from django.db.models import Case, Count, F, IntegerField, Q, Sum, When

    def baseline_rates():
        return list(ServiceRequest.objects.filter(created_at__gte=year_start)
                    .values("department_id").annotate(
                        received=Count("id"),
                        signed=Count("id", filter=Q(signed_at__isnull=False)),
                        timely=Sum(Case(When(signed_at__lte=F("sign_due_at"), then=1),
                                        default=0, output_field=IntegerField())),
                        done=Count("id", filter=Q(replied_at__isnull=False)),
                        on_time=Sum(Case(When(replied_at__lte=F("due_at"), then=1),
                                         default=0, output_field=IntegerField())),
                        rated=Count("id", filter=~Q(rating="")),
                        happy=Count("id", filter=Q(rating__in=["satisfied", "basic"]))))

    baseline_rates_ms, baseline = median_ms(baseline_rates, 3)
    assert sum(r["received"] for r in baseline) == total.received == args.requests
    print(f"rates by department {rates_ms:.1f} ms from counters vs {baseline_rates_ms:.0f} ms "
          f"scanning the requests", file=sys.stderr, flush=True)

    sample = [(r["text"], r["category"]) for r in labelled[:1000]]
    routing.reset_router_cache()
    routing.suggest(*sample[0])
    times = []
    for text, category in sample:
        t0 = time.perf_counter()
        routing.suggest(text, category)
        times.append(1000 * (time.perf_counter() - t0))
    route_ms = statistics.mean(times)
    route_p95 = sorted(times)[int(0.95 * len(times))]

    result = {
        "requests": args.requests, "enterprises": args.enterprises,
        "queue_ms": round(queue_ms, 1), "queue_cpu_ms": round(queue_cpu_ms, 1),
        "queue_queries": queue_queries,
        "queue_queries_page3": queue_queries_page3,
        "overdue_ms": round(overdue_ms, 1), "overdue_cpu_ms": round(overdue_cpu_ms, 1),
        "overdue_queries": overdue_queries, "queue_size": queue_size,
        "rows_cpu_ms": rows_cpu_ms, "baseline_rows_cpu_ms": baseline_rows_cpu_ms,
        "overdue_size": overdue_size, "queue_plan": queue_plan, "overdue_plan": overdue_plan,
        "rates_s": round(rates_ms / 1000, 4), "rates_cpu_s": round(rates_cpu_s, 4),
        "baseline_rates_s": round(baseline_rates_ms / 1000, 3),
        "route_ms": round(route_ms, 3), "route_p95_ms": round(route_p95, 3),
        **figures, "load_s": round(load_s, 1), "load_requests_s": round(requests_s, 1),
        "load_cpu_s": round(load_cpu_s, 1),
        "reused": reuse, "database": connection.vendor,
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
