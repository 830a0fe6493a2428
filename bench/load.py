"""Load bench: the production stack as the README's operator section runs it, under many users.

    scripts/with-postgres .venv/bin/python bench/load.py                 # 50 users, 5 minutes
    scripts/with-postgres .venv/bin/python bench/load.py --users 50 --duration 120

Needs DATABASE_URL (an empty PostgreSQL database: scripts/with-postgres gives a throwaway one).
Set-up, as an operator would: migrate, collectstatic, the demo city (demo_seed), then gunicorn
with the README's four workers and a db_worker, both on production settings. gunicorn speaks
plain HTTP on loopback and every request carries ``X-Forwarded-Proto: https``, standing in for
the TLS proxy the README puts in front (so HTTPS redirect, secure cookies and HSTS stay on).

Users: each simulated user is one demo role (anonymous visitor, enterprise, researcher,
organizer, officer, handler, leader, reviewer) signed in with a real session cookie; a user
repeatedly opens a page of its own menu (found by reading the menu, as the crawl does: board,
rankings, policy pages, applications, overview, ...) and then waits 1-3 s, as a person reading
the page would. Writes go through the API with bearer tokens: enterprise users post a challenge
draft and then edit it (PUT); researchers save their profile. An organizer uploads a registry file
for a dry-run import every 20 s, which the db_worker runs in the background.

Side by side, in the same run and on the same server, a simple baseline: one user at a time, each
role in turn, doing the same mix for ``--baseline`` seconds in all (no contention): the latency floor.

Afterwards the database is checked: every challenge draft the server acknowledged (201) exists
exactly once, every acknowledged edit is in the row, and nothing else with the bench's marker
exists. The last line is one JSON object: ``rps``, ``p50_ms``, ``p95_ms``, ``p99_ms``,
``errors``, ``writes``, ``users``, ``duration_s``, the baseline's figures and the check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
MARK = "负载测试"
DEADLINE = (dt.date.today() + dt.timedelta(days=60)).isoformat()
ROLES = ["anonymous", "enterprise", "researcher", "organizer", "officer", "handler", "leader",
         "reviewer"]
SKIP = ("/accounts/logout", "/i18n/", "/admin/", "export", ".pdf", ".xlsx", ".csv",
        "/download", "/attachments/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(work: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "INNOLINK_MEDIA_ROOT": f"{work}/media",
        "INNOLINK_STATIC_ROOT": f"{work}/static",
        "LOG_LEVEL": "WARNING",
        "INNOLINK_MATCHING_ENCODER": env.get("INNOLINK_MATCHING_ENCODER", "hashing"),
    })
    return env


def prepare(env: dict[str, str]) -> None:
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                 ["check", "--deploy", "--fail-level", "WARNING"], ["demo_seed", "--quiet"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def credentials() -> dict[str, dict[str, str]]:
    """A signed-in session and an API token for each demo account (run with Django set up)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from innolink.accounts.models import User
    from innolink.accounts.services import api_token_create

    out = {}
    for username in ROLES[1:]:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _row, token = api_token_create(user=user, name="load bench")
        out[username] = {"session": session.session_key, "token": token}
    return out


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.writes = 0
        self.created: dict[int, str] = {}  # challenge id -> the last title the server accepted

    def add(self, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def summary(self, elapsed: float) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

        return {"requests": len(lat), "rps": round(len(lat) / elapsed, 1),
                "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else 0.0,
                "errors": len(self.errors), "writes": self.writes}


class User:
    def __init__(self, n: int, role: str, base: str, creds: dict, stats: Stats, stop: float):
        self.n, self.role, self.base, self.stats, self.stop = n, role, base, stats, stop
        self.http = requests.Session()
        self.http.headers["X-Forwarded-Proto"] = "https"
        # a script's API calls go through their own session: bearer token, no cookie
        self.script = requests.Session()
        self.script.headers["X-Forwarded-Proto"] = "https"
        self.token = None
        if role != "anonymous":
            # in the cookie jar, not a raw header: requests drops a raw Cookie header when
            # it follows a redirect (a menu page that redirects to its first tab then looked
            # signed out and counted as an error)
            self.http.cookies.set("sessionid", creds[role]["session"])
            self.token = creds[role]["token"]
        self.pages: list[str] = []
        self.draft: int | None = None
        self.random = random.Random(n)

    def request(self, method: str, path: str, http: requests.Session | None = None, **kwargs):
        started = time.perf_counter()
        error = None
        try:
            # a page of the menu may redirect (to its first tab): one sample, redirect included
            response = (http or self.http).request(method, self.base + path, timeout=60,
                                         allow_redirects=method == "GET", **kwargs)
            if response.status_code >= 400 or "/accounts/login" in response.url:
                error = f"{response.status_code} {method} {path} ({self.role})"
        except requests.RequestException as exc:
            response, error = None, f"{type(exc).__name__} {method} {path}"
        self.stats.add(time.perf_counter() - started, error)
        return response

    def discover(self) -> None:
        response = self.request("GET", "/")
        html = response.text if response is not None else ""
        nav = "".join(re.findall(r'<nav class="mainnav[^"]*".*?</nav>', html, re.S))
        links = [h for h in re.findall(r'href="(/[^"#]*)"', nav) if not any(s in h for s in SKIP)]
        self.pages = sorted(set(links)) or ["/"]

    def api(self, method: str, path: str, body: dict):
        # a script's call: bearer token and no session cookie (a cookie session is
        # CSRF-checked, so a call carrying both is refused with 403, as it should be)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self.request(method, "/api" + path, http=self.script, data=json.dumps(body),
                            headers=headers)

    def write(self) -> None:
        if self.role == "enterprise":
            title = f"{MARK}{self.n}-{secrets.token_hex(3)} 低介电常数树脂"
            body = {"title": title, "domain": "materials", "statement": "面向先进封装的树脂材料，"
                    "要求介电常数不高于 2.7，耐热 350 ℃ 以上，需提供中试数据。",
                    "keywords": "树脂 介电", "funding": "500000", "time_limit_months": 12,
                    "ip_ownership": "joint", "ip_enterprise_share": 60,
                    "claim_deadline": DEADLINE,
                    "max_claims": 3, "contact_name": "测试", "contact_phone": "0595-00000000",
                    "indicators": []}
            if self.draft is None:
                response = self.api("POST", "/challenges", body)
                if response is not None and response.status_code == 201:
                    self.draft = response.json()["id"]
                    with self.stats.lock:
                        self.stats.writes += 1
                        self.stats.created[self.draft] = title
            else:
                response = self.api("PUT", f"/challenges/{self.draft}", body)
                if response is not None and response.status_code == 200:
                    with self.stats.lock:
                        self.stats.writes += 1
                        self.stats.created[self.draft] = title
                    if self.random.random() < 0.3:
                        self.draft = None  # next time, a new draft
        elif self.role == "researcher":
            response = self.api("PUT", "/challenges/profile", {
                "name": "李博士", "discipline": "材料科学与工程", "station": "厦门大学材料学院",
                "research_fields": f"高分子材料 {self.random.randint(1, 99)}",
                "keywords": "光刻胶 低介电"})
            if response is not None and response.status_code == 200:
                with self.stats.lock:
                    self.stats.writes += 1

    def run(self) -> None:
        self.discover()
        while time.monotonic() < self.stop:
            if self.role in ("enterprise", "researcher") and self.random.random() < 0.25:
                self.write()
            else:
                self.request("GET", self.random.choice(self.pages))
            time.sleep(self.random.uniform(1.0, 3.0))


def importer(base: str, token: str, stats: Stats, stop: float) -> None:
    """An organizer's dry-run registry import every 20 s, run by the db_worker."""
    header = "统一社会信用代码,企业名称,所属镇街,行业代码,所有制,成立日期,标签,年度,营业收入(万元)," \
             "研发费用(万元),从业人员\n"
    rows = "".join(f"91350582MA3{n:06d}X,晋江负载测试企业{n},青阳街道,C1951,私营,2015-03-01,,2025,"
                   f"{1000 + n},{50 + n},{20 + n}\n" for n in range(200))
    http = requests.Session()
    http.headers.update({"X-Forwarded-Proto": "https", "Authorization": f"Bearer {token}"})
    while time.monotonic() < stop:
        started = time.perf_counter()
        error = None
        try:
            r = http.post(base + "/api/enterprises/imports", timeout=60,
                          files={"file": ("registry.csv", (header + rows).encode())})
            if r.status_code != 202:
                error = f"{r.status_code} import {r.text[:120]}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__} import"
        stats.add(time.perf_counter() - started, error)
        time.sleep(20)


def drive(base: str, creds: dict, users: int, duration: float) -> tuple[Stats, float]:
    stats = Stats()
    stop = time.monotonic() + duration
    people = [User(n, ROLES[n % len(ROLES)], base, creds, stats, stop) for n in range(users)]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    if users > 1:
        threads.append(threading.Thread(target=importer, args=(base, creds["organizer"]["token"],
                                                               stats, stop), daemon=True))
    started = time.monotonic()
    for i, thread in enumerate(threads):
        thread.start()
        time.sleep(min(2.0, 20.0 / max(1, len(threads))))  # ramp up over about 20 s
    for thread in threads:
        thread.join()
    return stats, time.monotonic() - started


def drive_alone(base: str, creds: dict, duration: float) -> tuple[Stats, float]:
    """The baseline: one user at a time, each role in turn, the same mix with no contention."""
    stats = Stats()
    started = time.monotonic()
    for n, role in enumerate(ROLES):
        stop = time.monotonic() + duration / len(ROLES)
        User(n, role, base, creds, stats, stop).run()
    return stats, time.monotonic() - started


def check_database(*runs: Stats) -> dict:
    from innolink.challenges.models import Challenge

    stats = Stats()
    for run in runs:  # the baseline's drafts count too: same server, same marker
        stats.created.update(run.created)

    rows = {c.pk: c.title for c in Challenge.objects.filter(title__startswith=MARK)}
    missing = [pk for pk in stats.created if pk not in rows]
    stale = [pk for pk, title in stats.created.items() if rows.get(pk) not in (None, title)]
    unexpected = [pk for pk in rows if pk not in stats.created]
    titles = list(rows.values())
    doubled = len(titles) - len(set(titles))
    return {"acknowledged": len(stats.created), "rows": len(rows), "missing": len(missing),
            "stale": len(stale), "unexpected": len(unexpected), "doubled": doubled,
            "ok": not (missing or stale or unexpected or doubled)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--baseline", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    # gunicorn's default 30 s also bounds a worker's boot: on this shared machine at load
    # average 15-20, importing the project took longer and every worker was killed at boot
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("run under scripts/with-postgres (needs a PostgreSQL DATABASE_URL)")

    work = tempfile.mkdtemp(prefix="innolink-load.")
    env = environment(work)
    os.environ.update(env)
    t0 = time.monotonic()
    prepare(env)
    print(f"set-up (migrate, collectstatic, check --deploy, demo_seed): "
          f"{time.monotonic() - t0:.0f} s", flush=True)
    import django

    django.setup()
    creds = credentials()
    from django.db import connection

    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = [
        subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application",
                          "--workers", str(args.workers), "--timeout", str(args.timeout),
                          "--bind", f"127.0.0.1:{port}",
                          "--error-logfile", f"{work}/error.log"], cwd=ROOT, env=env),
        subprocess.Popen([PY, "manage.py", "db_worker", "--queue-name", "default",
                          "--no-reload"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=open(f"{work}/worker.log", "w")),
    ]
    try:
        for _ in range(600):
            try:
                if requests.get(base + "/healthz", headers={"X-Forwarded-Proto": "https"},
                                timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            sys.exit("gunicorn did not answer /healthz")

        baseline, b_elapsed = drive_alone(base, creds, args.baseline)
        b = baseline.summary(b_elapsed)
        print(f"baseline  1 user at a time, each role {b_elapsed:5.0f} s: {b}", flush=True)
        for error in sorted(set(baseline.errors))[:20]:
            print(f"    baseline error: {error}")
        stats, elapsed = drive(base, creds, args.users, args.duration)
        s = stats.summary(elapsed)
        print(f"load     {args.users} users {elapsed:5.0f} s: {s}", flush=True)
        for error in sorted(set(stats.errors))[:20]:
            print(f"    error: {error}")
        check = check_database(baseline, stats)
        print(f"database check: {check}", flush=True)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    try:
        load_avg = os.getloadavg()[0]
    except OSError:
        load_avg = None
    print(json.dumps({
        "users": args.users, "duration_s": round(elapsed, 1), "rps": s["rps"],
        "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "p99_ms": s["p99_ms"],
        "errors": s["errors"], "writes": s["writes"], "requests": s["requests"],
        "baseline_p50_ms": b["p50_ms"], "baseline_p95_ms": b["p95_ms"],
        "baseline_errors": b["errors"],
        "p95_ratio_to_baseline": round(s["p95_ms"] / b["p95_ms"], 2) if b["p95_ms"] else None,
        "database_ok": check["ok"], "acknowledged_drafts": check["acknowledged"],
        "workers": args.workers, "load_average_1m": load_avg,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
