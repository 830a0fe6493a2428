"""Matching quality on the labelled evaluation set: each signal alone vs. the fusion.

Since issue #10 this synthetic set is a REGRESSION CHECK only: the shipped fusion weights are
fitted on the real set (``bench/match_quality_real.py``, ADR 0360); ``shipped_ndcg10`` is the
engine as shipped on this set, to be watched for drops, and the weights this bench learns
are for comparison, never shipped.

Usage::

    .venv/bin/python bench/match_quality.py                 # real USE model for the dense signal
    .venv/bin/python bench/match_quality.py --cached        # embeddings from tests/data cache
    .venv/bin/python bench/match_quality.py --write-cache   # real model, then rewrite the cache
    .venv/bin/python bench/match_quality.py --learn         # also print weights learned on all

Prints nDCG@10 and Recall@20 (grade >= 2) for lexical BM25, n-gram, dense, indicator coverage
and structured fit, each ranking the whole pool alone, and for the engine's pipeline (top-K
candidates from the retrieval signals, re-ranked by all signals, weighted fusion) with weights
learned by 5-fold cross-validation over challenges: every query is scored by weights learned
without it.  The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "innolink/engines/matching/tests/data"


def load_evalset():
    spec = importlib.util.spec_from_file_location("evalset", DATA / "evalset.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def real_encoder():
    """The USE multilingual v3 encoder of the core package (``dense.USEEncoder``)."""
    from innolink.engines.matching.dense import USEEncoder

    return USEEncoder(threads=2)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cached", action="store_true", help="use the committed embedding cache")
    ap.add_argument("--write-cache", action="store_true", help="rewrite the embedding cache")
    ap.add_argument("--no-dense", action="store_true", help="run without the dense signal")
    ap.add_argument("--learn", action="store_true", help="print weights learned on all queries")
    ap.add_argument("--distractors", type=int, default=1300)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--candidate-k", type=int, default=100)
    args = ap.parse_args(argv)

    from innolink.engines.matching.engine import MatchingEngine

    es = load_evalset()
    challenges, researchers, qrels = es.load(args.distractors)
    cdocs, rdocs = es.to_docs(challenges, researchers)
    kinds = {c["id"]: c["source"] for c in challenges}

    encoder = None
    recorder = None
    if not args.no_dense:
        if args.cached:
            encoder = es.CachedEncoder()
        else:
            encoder = real_encoder()
            if args.write_cache:
                encoder = recorder = es.RecordingEncoder(encoder)

    t0 = time.perf_counter()
    engine = MatchingEngine(encoder=encoder, candidate_k=args.candidate_k)
    engine.set_researchers(rdocs)
    t_index = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = es.evaluate(engine, cdocs, qrels, n_folds=args.folds, kinds=kinds)
    t_eval = time.perf_counter() - t0
    if recorder is not None:
        recorder.write()
        print(f"wrote {len(recorder.seen)} embeddings to {es.CACHE_PATH}")

    n_pairs = sum(len(v) for v in qrels.values())
    print(f"queries {res['queries']}  pool {res['pool']} researchers  judged pairs {n_pairs}  "
          f"index {t_index:.1f}s  eval {t_eval:.1f}s  dense={'cache' if args.cached else 'USE'}"
          if encoder else f"queries {res['queries']}  pool {res['pool']}  (no dense)")
    print(f"{'method':<28}{'nDCG@10':>9}{'Recall@20':>11}")
    for n, v in res["signals"].items():
        print(f"{n + ' (alone)':<28}{v['ndcg10']:>9.3f}{v['recall20']:>11.3f}")
    print(f"{'RRF, equal weights':<28}{res['rrf_equal']['ndcg10']:>9.3f}{'':>11}")
    f = res["fusion_cv"]
    print(f"{'fusion (5-fold CV)':<28}{f['ndcg10']:>9.3f}{f['recall20']:>11.3f}")
    print("mean fold weights:", {k: round(v, 2) for k, v in f["mean_weights"].items()})
    if "fusion_cv_by_kind" in res:
        print("fusion nDCG@10 by kind:",
              {k: round(v, 3) for k, v in res["fusion_cv_by_kind"].items() if v is not None})
    for kind, sig in res.get("signals_by_kind", {}).items():
        print(f"single signals nDCG@10 on {kind} queries:", {k: round(v, 3) for k, v in sig.items()})
    best = res["best_single"]
    print(f"best single signal: {best['signal']} {best['ndcg10']:.3f}; "
          f"fusion margin {f['ndcg10'] - best['ndcg10']:+.3f}")
    if args.learn:
        from innolink.engines.matching import fusion as fu

        # re-run to get the per-query FusionQuery objects for learning on all queries
        names = list(engine.signal_names)
        queries = []
        pool = engine.pool("researchers")
        for c in cdocs:
            if c.id not in qrels:
                continue
            pos = engine.candidates("challenge_to_researchers", c)
            s = engine.signal_scores("challenge_to_researchers", c, pos)
            queries.append(fu.FusionQuery(c.id, [pool.ids[p] for p in pos], s, qrels[c.id]))
        print("weights learned on all queries:", fu.learn_weights(queries, names))

    # Regression figure: the engine exactly as shipped (real-set weights) on this set.
    from innolink.engines.matching.fusion import ndcg_at_k as _ndcg

    shipped = [_ndcg([m.id for m in engine.match_challenge(c, k=10, explain=False)], qrels[c.id], 10)
               for c in cdocs if c.id in qrels]
    shipped_ndcg = sum(shipped) / len(shipped) if shipped else 0.0
    print(f"shipped weights (fitted on the real set): nDCG@10 {shipped_ndcg:.3f}")

    # Secondary: the reverse direction (researcher -> challenges) through the same engine with
    # its shipped weights; qrels inverted.  Only researchers with a grade >= 2 judgement count.
    engine.set_challenges(cdocs)
    from innolink.engines.matching.fusion import ndcg_at_k

    inverse: dict[str, dict[str, int]] = {}
    for cid, judged in qrels.items():
        for rid, g in judged.items():
            inverse.setdefault(rid, {})[cid] = g
    by_id = {r.id: r for r in rdocs}
    rev = []
    for rid, judged in sorted(inverse.items()):
        if max(judged.values()) < 2:
            continue
        ranked = [m.id for m in engine.match_researcher(by_id[rid], k=10, explain=False)]
        rev.append(ndcg_at_k(ranked, judged, 10))
    rev_ndcg = sum(rev) / len(rev) if rev else 0.0
    print(f"reverse direction (researcher -> {len(cdocs)} challenges, shipped weights): "
          f"nDCG@10 {rev_ndcg:.3f} over {len(rev)} researchers")

    summary = {
        "bench": "match_quality",
        "queries": res["queries"],
        "judged_pairs": n_pairs,
        "pool": res["pool"],
        "dense": None if encoder is None else ("cache" if args.cached else "USE-multilingual-v3"),
        **{f"{n}_ndcg10": round(v["ndcg10"], 4) for n, v in res["signals"].items()},
        **{f"{n}_recall20": round(v["recall20"], 4) for n, v in res["signals"].items()},
        "rrf_equal_ndcg10": round(res["rrf_equal"]["ndcg10"], 4),
        "fusion_cv_ndcg10": round(f["ndcg10"], 4),
        "fusion_cv_recall20": round(f["recall20"], 4),
        "best_single": best["signal"],
        "best_single_ndcg10": round(best["ndcg10"], 4),
        "fusion_beats_best_single": f["ndcg10"] > best["ndcg10"],
        "reverse_ndcg10": round(rev_ndcg, 4),
        "shipped_ndcg10": round(shipped_ndcg, 4),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
