"""Several web processes and one matching index: a shared mapped set vs a build each.

    .venv/bin/python bench/matching_processes.py                     # whole index, 350,000 profiles
    .venv/bin/python bench/matching_processes.py --profiles 20000 --runs 1   # quick
    .venv/bin/python bench/matching_processes.py --scope dense       # the vectors alone (ADR 0341)

``--scope whole`` (default, ADR 0700) measures the **first recommendation** of a new web
process, the whole fused query the staff page runs (``selectors.recommend_researchers``:
candidates by BM25 and dense similarity, every signal, fusion, explanations, the re-check
against the database), on a SQLite database of ``--profiles`` synthetic profiles
(``bench/corpus.py``) and 300 published challenges:

* **shared** (what the platform now does): the worker (``index.write_machine_index``, the
  rebuild job's writer) has written the vectors and each pool's BM25 arrays once; each
  process maps them, reads only the candidates' records and applies the rows changed since
  the worker read them (none here);
* **baseline** (the per-process build before this change): the vectors are mapped from the
  same set (ADR 0341) but the process reads every record, tokenises it and builds its BM25
  index itself (``INNOLINK_MATCHING_SHARED_LEXICAL = False``).

The dense vectors are random unit rows stored as the real encoder's (512 dimensions, under
its name and the texts' hashes): encoding 350,000 profiles takes half an hour, and the
vectors' values change no cost here. The query is encoded by the real model.

The processes start one after another and stay alive until all have answered (as gunicorn's
workers do), so ``extra_rss_mib`` is what a process adds while the others hold theirs: its
private memory (Private_Clean + Private_Dirty of ``/proc/self/smaps_rollup``) after the first
recommendation minus before it, for the 2nd and later processes (the first to touch a mapped
file shows its pages as private). ``first_query_s`` is from "no engine" to the answer (wall;
``first_query_cpu_s`` the process's CPU time of it, less sensitive to a busy machine). Before
it each process warms up (Django, the encoder's weights, the tokenizer's dictionary, the
compiled kernels: ``warm_s``, the same on both sides and reported apart: a process does it
before it takes requests). Medians over ``--runs`` runs and the processes of a run; the two
sides alternate; every process of both sides must return the same top 20.

``--scope dense`` is the earlier bench of the dense vectors alone (ADR 0341): mapped file vs
float32 blobs read from a SQLite table into a private matrix, first dense top-20.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

DIM = 512


def _private_mib() -> dict:
    out = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            out[parts[0][:-1]] = int(parts[1]) / 1024
    return {"private_mib": out.get("Private_Clean", 0) + out.get("Private_Dirty", 0),
            "rss_mib": out.get("Rss", 0), "pss_mib": out.get("Pss", 0)}


def child(args) -> None:
    """One web process: load (shared or baseline), answer one query, report, wait."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    t = time.perf_counter()
    from innolink.engines.matching.dense import DenseIndex, topk_rows
    from innolink.matching import shared_index

    # process warm-up, the same for both sides: importing numba and loading the compiled
    # top-k kernel from its cache (a process can do this before it takes requests)
    topk_rows(np.zeros((1, 4), np.float32), 2)
    warm = time.perf_counter() - t
    work = Path(args.work)
    query = np.load(work / "query.npy")
    base = _private_mib()
    t = time.perf_counter()
    if args.mode == "shared":
        idx = shared_index.open_shared_index(encoder="bench", dim=DIM, directory=work / "index")
        pool = idx.pools["researchers"]
        # the process's own documents with the hashes of their current texts (from its
        # record fetch): here the same ids and hashes the worker wrote
        ids = np.load(work / "ids.npy")
        hashes = np.load(work / "hashes.npy")
        mapping, found = shared_index.rows_for(pool, ids, hashes)
        assert mapping is not None, "the shared set should fit exactly"
        dense = DenseIndex(mapping, ids)
    else:
        con = sqlite3.connect(work / "stored.sqlite3")
        n = con.execute("select count(*) from emb").fetchone()[0]
        mat = np.zeros((n, DIM), np.float32)
        ids = np.empty(n, np.int64)
        for i, (oid, _h, vec) in enumerate(con.execute(
                "select object_id, text_hash, vector from emb order by object_id")):
            ids[i] = oid
            mat[i] = np.frombuffer(vec, dtype="<f4")
        con.close()
        dense = DenseIndex(mat, ids)
    res = dense.search(query, k=20)
    first = time.perf_counter() - t
    mem = _private_mib()
    print(json.dumps({"first_query_s": first, "warm_s": warm, "extra_private_mib": mem["private_mib"]
                      - base["private_mib"], "rss_mib": mem["rss_mib"], "pss_mib": mem["pss_mib"],
                      "top": res.ids[:5].tolist()}), flush=True)
    sys.stdin.readline()  # stay alive until the parent has heard from every process


def prepare(work: Path, n: int, seed: int) -> None:
    from innolink.matching import shared_index

    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((n, DIM), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(1, n + 1, dtype=np.int64)
    hashes = np.array([hashlib.sha1(f"profile {i}".encode()).hexdigest() for i in ids], "S40")
    np.save(work / "ids.npy", ids)
    np.save(work / "hashes.npy", hashes)
    np.save(work / "query.npy", vecs[n // 3] + 0.1 * vecs[n // 2])
    shared_index.write_shared_index(generation=1, encoder="bench", dim=DIM,
                                    pools={"researchers": (ids, hashes, vecs)},
                                    directory=work / "index")
    con = sqlite3.connect(work / "stored.sqlite3")
    con.execute("create table emb (object_id integer primary key, text_hash text, vector blob)")
    con.executemany("insert into emb values (?, ?, ?)",
                    ((int(i), h.decode(), v.astype("<f4").tobytes())
                     for i, h, v in zip(ids, hashes, vecs)))
    con.commit()
    con.close()


def run_side(work: Path, mode: str, processes: int) -> list[dict]:
    procs, outs = [], []
    for _ in range(processes):
        p = subprocess.Popen([sys.executable, __file__, "--scope", "dense", "--child", mode, "--work", str(work)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=ROOT)
        outs.append(json.loads(p.stdout.readline()))  # started one after another
        procs.append(p)
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
        p.wait()
    return outs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profiles", type=int, default=350_000)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--baseline-processes", type=int,
                    help="whole scope: processes on the baseline side (default --processes); "
                         "at 350,000 profiles a baseline process holds ~5 GiB, so four of them "
                         "do not fit beside other work in 24 GiB")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scope", choices=["whole", "dense"], default="whole")
    ap.add_argument("--keep", help="whole scope: prepare into (or reuse) this directory")
    ap.add_argument("--child", choices=["shared", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--challenge", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.mode = args.child
        (whole_child if args.scope == "whole" else child)(args)
        return
    if args.scope == "whole":
        whole_main(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-procs-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        prepare(work, args.profiles, args.seed)
        print(f"[prepare] {time.perf_counter() - t:.1f}s", flush=True)
        sides: dict[str, list[list[dict]]] = {"shared": [], "baseline": []}
        for r in range(args.runs):
            order = ["shared", "baseline"] if r % 2 == 0 else ["baseline", "shared"]
            for mode in order:
                outs = run_side(work, mode, args.processes)
                sides[mode].append(outs)
                print(f"[run {r + 1} {mode}] " + json.dumps(
                    [{k: round(v, 3) if isinstance(v, float) else v for k, v in o.items()
                      if k != "top"} for o in outs]), flush=True)
        tops = {json.dumps(o["top"]) for runs in sides.values() for outs in runs for o in outs}
        assert len(tops) == 1, "every process must give the same answer"

    def med(mode, key, skip_first=False):
        vals = [o[key] for outs in sides[mode] for o in (outs[1:] if skip_first else outs)]
        return statistics.median(vals)

    fq, bfq = med("shared", "first_query_s"), med("baseline", "first_query_s")
    extra, bextra = (med("shared", "extra_private_mib", True),
                     med("baseline", "extra_private_mib", True))
    print(json.dumps({
        "profiles": args.profiles, "processes": args.processes, "runs": args.runs,
        "baseline_processes": args.baseline_processes or args.processes,
        "first_query_s": round(fq, 3), "extra_rss_mib": round(extra, 1),
        "baseline_first_query_s": round(bfq, 3), "baseline_extra_rss_mib": round(bextra, 1),
        "first_query_speedup": round(bfq / fq, 1),
        "warm_s": round(med("shared", "warm_s"), 3),
        "baseline_warm_s": round(med("baseline", "warm_s"), 3),
        "shared_rss_mib": round(med("shared", "rss_mib"), 1),
        "shared_pss_mib": round(med("shared", "pss_mib"), 1),
        "baseline_rss_mib": round(med("baseline", "rss_mib"), 1),
        "scope": "dense vectors only",
    }))


# --- the whole index (ADR 0700) ------------------------------------------------------------

def _django(work: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{work}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["INNOLINK_MEDIA_ROOT"] = str(work)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.INNOLINK_MATCHING_ENCODER = "use"
    # off (as "auto" is above 20,000 documents with a dense model), so smaller runs measure
    # the same configuration
    settings.INNOLINK_MATCHING_NGRAMS = "off"
    settings.INNOLINK_MATCHING_SYNC_INTERVAL = 0
    settings.INNOLINK_MATCHING_INDEX_DIR = str(work / "index")


def whole_prepare(work: Path, n: int, seed: int) -> int:
    """The database, stored vectors and the worker's set; returns the query challenge's id."""
    _django(work)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench.corpus import make_corpus
    from bench.matching_service import _profiles
    from innolink.matching import fetch, index
    from innolink.matching.models import StoredEmbedding

    t = time.perf_counter()
    corpus = make_corpus(n_profiles=n, n_challenges=10, seed=seed)
    _profiles(corpus, 0, n, None)
    challenge_ids = _bench_challenges(300)
    print(f"[prepare] records {time.perf_counter() - t:.1f}s", flush=True)
    t = time.perf_counter()
    rng = np.random.default_rng(seed)
    enc = index.get_encoder()
    for name, kind in index.POOLS:
        docs = [d for _, d in index.LOADERS[name]()]
        for a in range(0, len(docs), 20_000):
            part = docs[a:a + 20_000]
            vecs = rng.standard_normal((len(part), enc.dim), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            index.store_vectors(kind, enc.name, [
                (int(d.id), fetch.text_hash(fetch.doc_text(d)), v) for d, v in zip(part, vecs)])
    print(f"[prepare] vectors {time.perf_counter() - t:.1f}s "
          f"({StoredEmbedding.objects.count()})", flush=True)
    t = time.perf_counter()
    path = index.write_machine_index()
    manifest = json.loads((path / "manifest.json").read_text())
    assert "lexical" in manifest, "the worker should write the lexical arrays at this size"
    print(f"[prepare] worker's set {time.perf_counter() - t:.1f}s, "
          f"{sum(f.stat().st_size for f in path.iterdir()) / 2**20:.0f} MiB", flush=True)
    return challenge_ids[0]


def _bench_challenges(count: int) -> list[int]:
    """Published challenges from the demo catalog's texts, posted by 50 enterprises."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from innolink.challenges.demo import CATALOG
    from innolink.challenges.models import Challenge
    from innolink.enterprises.testing import make_enterprise

    enterprises = [make_enterprise(name=f"晋江匹配基准企业{i}有限公司", products="运动鞋 面料 包装")
                   for i in range(50)]
    now, today = timezone.now(), timezone.localdate()
    rows = []
    for i in range(count):
        item = CATALOG[i % len(CATALOG)]
        rows.append(Challenge(
            title=f"{item['title']}（基准{i}）"[:120], domain=(item.get("domains") or ["materials"])[0],
            statement=item["statement"], keywords=item["keywords"],
            funding=Decimal(1_000_000), time_limit_months=24, ip_ownership="negotiable",
            claim_deadline=today + dt.timedelta(days=90),
            enterprise=enterprises[i % len(enterprises)], contact_name="联系人",
            contact_phone="0595-00000000", state="published", published_at=now))
    return [c.pk for c in Challenge.objects.bulk_create(rows)]


def whole_child(args) -> None:
    """One web process: warm up, then its first recommendation; report, wait."""
    t = time.perf_counter()
    work = Path(args.work)
    _django(work)
    from django.conf import settings

    settings.INNOLINK_MATCHING_SHARED_LEXICAL = args.mode == "shared"
    from innolink.challenges.models import Challenge
    from innolink.engines.matching.dense import topk_rows
    from innolink.engines.matching.lexical import LexicalIndex
    from innolink.matching import index, selectors
    from innolink.matching.models import TechTerm

    # process warm-up, the same for both sides (before a process takes requests): the
    # encoder's weights, the tokenizer's dictionary, the compiled kernels
    index.get_encoder().encode(["预热"])
    index.get_tokenizer(list(TechTerm.objects.values_list("term", flat=True))).tokenize("预热")
    topk_rows(np.zeros((1, 4), np.float32), 2)
    LexicalIndex.build([["a"], ["b"]]).search(["a"])
    challenge = Challenge.objects.get(pk=args.challenge)
    warm = time.perf_counter() - t
    base = _private_mib()
    t, c = time.perf_counter(), time.process_time()
    recs = selectors.recommend_researchers(challenge, 20)
    first, cpu = time.perf_counter() - t, time.process_time() - c
    mem = _private_mib()
    info = index.cache_info()
    print(json.dumps({"first_query_s": first, "first_query_cpu_s": cpu, "warm_s": warm,
                      "extra_private_mib": mem["private_mib"] - base["private_mib"],
                      "rss_mib": mem["rss_mib"], "pss_mib": mem["pss_mib"],
                      "shared": bool(info and info.get("shared")),
                      "top": [r.obj.pk for r in recs]}), flush=True)
    sys.stdin.readline()


def _run_whole_side(work: Path, mode: str, processes: int, challenge: int) -> list[dict]:
    procs, outs = [], []
    for _ in range(processes):
        p = subprocess.Popen([sys.executable, __file__, "--scope", "whole", "--child", mode,
                              "--work", str(work), "--challenge", str(challenge)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        outs.append(json.loads(p.stdout.readline()))
        procs.append(p)
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
        p.wait()
    return outs


def whole_main(args) -> None:
    tmp = None
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-procs-")
        work = Path(tmp.name)
    ready = work / "ready.json"
    if ready.exists() and json.loads(ready.read_text())["profiles"] == args.profiles:
        challenge = json.loads(ready.read_text())["challenge"]
    else:
        t = time.perf_counter()
        challenge = whole_prepare(work, args.profiles, args.seed)
        ready.write_text(json.dumps({"profiles": args.profiles, "challenge": challenge}))
        print(f"[prepare] {time.perf_counter() - t:.1f}s", flush=True)
    sides: dict[str, list[list[dict]]] = {"shared": [], "baseline": []}
    loads = []
    for r in range(args.runs):
        for mode in (["shared", "baseline"] if r % 2 == 0 else ["baseline", "shared"]):
            loads.append(os.getloadavg()[0])
            count = (args.baseline_processes or args.processes) if mode == "baseline" \
                else args.processes
            outs = _run_whole_side(work, mode, count, challenge)
            assert all(o["shared"] == (mode == "shared") for o in outs), outs
            sides[mode].append(outs)
            print(f"[run {r + 1} {mode}] load {loads[-1]:.1f} " + json.dumps(
                [{k: round(v, 3) if isinstance(v, float) else v for k, v in o.items()
                  if k != "top"} for o in outs]), flush=True)
    loads.append(os.getloadavg()[0])
    tops = {json.dumps(o["top"]) for runs in sides.values() for outs in runs for o in outs}
    assert len(tops) == 1 and json.loads(tops.pop()), "every process must give the same answer"
    if tmp is not None:
        tmp.cleanup()

    def med(mode, key, skip_first=False):
        return statistics.median(o[key] for outs in sides[mode]
                                 for o in (outs[1:] if skip_first and len(outs) > 1 else outs))

    fq, bfq = med("shared", "first_query_s"), med("baseline", "first_query_s")
    print(json.dumps({
        "profiles": args.profiles, "processes": args.processes, "runs": args.runs,
        "baseline_processes": args.baseline_processes or args.processes,
        "first_query_s": round(fq, 3), "extra_rss_mib": round(med("shared", "extra_private_mib",
                                                                   True), 1),
        "baseline_first_query_s": round(bfq, 3),
        "baseline_extra_rss_mib": round(med("baseline", "extra_private_mib", True), 1),
        "first_query_speedup": round(bfq / fq, 1),
        "first_query_cpu_s": round(med("shared", "first_query_cpu_s"), 3),
        "baseline_first_query_cpu_s": round(med("baseline", "first_query_cpu_s"), 3),
        "warm_s": round(med("shared", "warm_s"), 3),
        "baseline_warm_s": round(med("baseline", "warm_s"), 3),
        "shared_rss_mib": round(med("shared", "rss_mib"), 1),
        "shared_pss_mib": round(med("shared", "pss_mib"), 1),
        "baseline_rss_mib": round(med("baseline", "rss_mib"), 1),
        "load_avg": [round(min(loads), 1), round(max(loads), 1)],
        "scope": "whole recommendation",
    }))


if __name__ == "__main__":
    main()
