"""Several web processes and one dense index: a shared mapped file vs a private copy each.

    .venv/bin/python bench/matching_processes.py                      # 350,000 profiles, 4 processes
    .venv/bin/python bench/matching_processes.py --profiles 20000 --runs 1   # quick

What it measures (ADR 0341), in the same run:

* **shared** (what the platform now does): the worker has written the vectors once
  (``innolink.matching.shared_index.write_shared_index``, the rebuild job's writer); each of
  ``--processes`` processes opens the set (``open_shared_index``: a copy-on-write mapping),
  checks its rows against the documents' text hashes (``rows_for``), builds a
  ``DenseIndex`` over the mapping and answers its first dense top-20 query;
* **baseline** (today's per-process build of the dense part): each process reads the same
  vectors as float32 blobs from a SQLite table shaped like ``StoredEmbedding`` (object id,
  text hash, vector bytes) into its own matrix, then builds the ``DenseIndex`` and answers
  the same query.

The processes start one after another and stay alive until all have answered (as gunicorn's
workers do), so ``extra_rss_mib`` is what a process adds while the others hold their copy:
its private memory (Private_Clean + Private_Dirty of ``/proc/self/smaps_rollup``), measured
after the first query; shared file pages are counted once for the machine, not per process.
``first_query_s`` is from the start of loading the vectors to the first answer; before it each
process warms up (imports, numba's cached top-k kernel: ``warm_s``, the same on both sides and
reported apart, since a process can do it before it takes requests).
Medians over ``--runs`` runs and over the processes of a run; the two sides alternate.

Scope: only the dense vectors (350k x 512 float32 = 684 MiB, the largest array of the
engine). The lexical index, the documents and the n-grams are still built in each process;
their cost is reported by bench/matching_service.py.
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
        p = subprocess.Popen([sys.executable, __file__, "--child", mode, "--work", str(work)],
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
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", choices=["shared", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.mode = args.child
        child(args)
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


if __name__ == "__main__":
    main()
