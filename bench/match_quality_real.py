"""Matching quality on the REAL evaluation set (issue #10): every single signal and the shipped
fusion, both directions, cross-validated; known pairs; a blind plausibility sample.

Usage::

    .venv/bin/python bench/match_quality_real.py              # evaluate (last line: JSON)
    .venv/bin/python bench/match_quality_real.py --no-dense   # without the USE model
    .venv/bin/python bench/match_quality_real.py --learn      # also print weights fitted on all
    .venv/bin/python bench/match_quality_real.py --pool       # write the next judging pool

Set: ``innolink/matching/evaluation/real/`` (150 challenges, 110 solvers, reported pairs,
graded judgments; ``docs/evaluation/real-set.md``). Judging procedure and guidelines:
``docs/evaluation/real-judging.md``.

Method (``docs/decisions/0360-calibrated-fusion-on-real-data.md``):

* Each signal alone ranks the whole opposite pool (exhaustive), so a signal is never helped
  by another signal's candidate generation.
* The fusion goes through the engine's own pipeline (candidates from the retrieval signals,
  all signals on them, calibrated fusion). Its weights are learned by coordinate ascent on
  k−1 folds of queries and applied to the held-out fold (5 folds, both directions pooled
  into one set of queries so one weight set serves both, as the engine ships one).
* nDCG@10 (gain 2^g − 1) over queries with at least one judged pair of grade ≥ 1;
  Recall@20 counts grade ≥ 2 over queries with at least one such pair. Unjudged = 0.
* Known pairs: the rank of the solver in its challenge's held-out fused ranking.
* Plausibility: 30 challenges drawn with a fixed seed among those whose judged pool holds a
  solver of grade ≥ 2; the held-out top-1 is plausible when judged ≥ 2.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innolink.engines.matching import fusion as fu  # noqa: E402
from innolink.engines.matching.engine import MatchingEngine  # noqa: E402
from innolink.matching.evaluation import realset  # noqa: E402

SIGNALS = ("lexical", "ngram", "dense", "indicator", "structured")
DIRS = {"forward": "challenge_to_researchers", "reverse": "researcher_to_challenges"}
#: the shipped fit never switches BM25 off (ADR 0360)
GRIDS = {"lexical": (0.25, 0.5, 1.0, 2.0, 4.0)}
SAMPLE = 30
SEED = 20251026


class CachedEncoder:
    """The USE encoder with a text → vector cache: the bench encodes each query many times
    (every signal alone, the fusion, every configuration)."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts):
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, self.inner.encode(todo)):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts]) if texts else self.inner.encode(texts)


def make_encoder(dense: bool):
    if not dense:
        return None
    from innolink.engines.matching.dense import USEEncoder

    return CachedEncoder(USEEncoder(threads=4))


def build_engine(rs, encoder, ngram: bool = True) -> MatchingEngine:
    eng = MatchingEngine(encoder=encoder, **({} if ngram else {"ngram_factory": None}))
    eng.set_researchers(rs.solver_docs)
    eng.set_challenges(rs.challenge_docs)
    return eng


def pool_of(eng, direction):
    return eng.pool("researchers" if direction == DIRS["forward"] else "challenges")


def single_rankings(eng, direction, query, *, informative: bool = False) -> dict[str, list[str]]:
    """Each signal ranking the whole pool alone (ties: pool order). ``informative`` keeps only
    the candidates the signal scores above its lowest score (for pooling: a signal that says
    nothing about a candidate does not propose it)."""
    pool = pool_of(eng, direction)
    pos = pool.positions()
    scores = eng.signal_scores(direction, query, pos)
    out = {}
    for name, v in scores.items():
        v = np.asarray(v)
        order = np.lexsort((pos, -v))
        if informative:
            order = [i for i in order if v[i] > v.min()]
        out[name] = [pool.ids[int(pos[i])] for i in order]
    return out


def fusion_query(eng, direction, query, qrels) -> fu.FusionQuery:
    pool = pool_of(eng, direction)
    pos = eng.candidates(direction, query)
    scores = eng.signal_scores(direction, query, pos)
    return fu.FusionQuery((direction, query.id), [pool.ids[int(p)] for p in pos], scores, qrels)


def queries_of(rs, eng):
    """(direction key, query doc, qrels) for every query with a judged relevant pair."""
    q = []
    fwd, rev = rs.qrels(), rs.reverse_qrels()
    by_c = {c.id: c for c in rs.challenge_docs}
    by_s = {s.id: s for s in rs.solver_docs}
    for cid, judged in sorted(fwd.items()):
        if max(judged.values()) >= 1:
            q.append(("forward", by_c[cid], judged))
    for sid, judged in sorted(rev.items()):
        if max(judged.values()) >= 1:
            q.append(("reverse", by_s[sid], judged))
    return q


def metrics(rankings: list[list[str]], qrels: list[dict]) -> tuple[float, float]:
    nd = [fu.ndcg_at_k(r, q, 10) for r, q in zip(rankings, qrels)]
    rec = [fu.recall_at_k(r, q, 20, 2) for r, q in zip(rankings, qrels) if max(q.values()) >= 2]
    return float(np.mean(nd)) if nd else 0.0, float(np.mean(rec)) if rec else 0.0


def cv_rankings(fqs, names, folds=5, seed=0, method="calibrated"):
    """Held-out fused ranking of every query and the per-fold weights."""
    idx = fu.kfold(len(fqs), folds, seed)
    ranked, weights = {}, []
    for test in idx:
        test_set = set(int(i) for i in test)
        train = [q for i, q in enumerate(fqs) if i not in test_set]
        w = fu.learn_weights(train, names, method=method, grids=GRIDS)
        weights.append(w)
        for i in sorted(test_set):
            q = fqs[i]
            s = fu.fuse(q.signals, w, method)
            order = np.argsort(-s, kind="stable")
            ranked[q.qid] = [q.candidates[j] for j in order]
    return ranked, weights


#: what shipped before issue #10: weights fitted on the synthetic set, min–max fusion
SYNTHETIC_WEIGHTS = {"lexical": 0.0, "ngram": 0.0, "dense": 0.5, "indicator": 0.5,
                     "structured": 1.0}


def compare(fqs, qs, names) -> dict[str, dict[str, float]]:
    """nDCG@10 per direction of other fusions on the same candidates (ADR 0360 evidence)."""
    def score(ranked):
        out = {}
        for dkey in ("forward", "reverse"):
            sel = [i for i, q in enumerate(qs) if q[0] == dkey]
            out[dkey] = round(metrics([ranked[fqs[i].qid] for i in sel],
                                      [qs[i][2] for i in sel])[0], 4)
        return out

    def fixed(weights, method):
        return {q.qid: [q.candidates[j] for j in np.argsort(-fu.fuse(q.signals, weights, method),
                                                            kind="stable")] for q in fqs}
    res = {"synthetic weights, min-max": score(fixed(
        {n: SYNTHETIC_WEIGHTS.get(n, 1.0) for n in names}, "weighted"))}
    res["equal weights, min-max"] = score(fixed({n: 1.0 for n in names}, "weighted"))
    res["equal weights, calibrated"] = score(fixed({n: 1.0 for n in names}, "calibrated"))
    for method in ("weighted", "rrf", "calibrated"):
        res[f"real-set CV, {method}"] = score(cv_rankings(fqs, names, method=method)[0])
    return res


def learn_all(rs, encoder) -> dict[tuple[str, ...], dict[str, float]]:
    """Weights fitted on every query for each signal configuration the product can run
    (with or without the n-gram and dense signals) — the table ``engine.LEARNED_WEIGHTS`` —
    and, printed, each configuration's cross-validated nDCG@10 per direction."""
    out = {}
    for ngram in (False, True):
        for enc in ((None, encoder) if encoder is not None else (None,)):
            eng = build_engine(rs, enc, ngram=ngram)
            names = list(eng.signal_names)
            qs = queries_of(rs, eng)
            fqs = [fusion_query(eng, DIRS[d], q, judged) for d, q, judged in qs]
            out[tuple(names)] = fu.learn_weights(fqs, names, method="calibrated", grids=GRIDS)
            ranked = cv_rankings(fqs, names)[0]
            cv = {}
            for dkey in ("forward", "reverse"):
                sel = [i for i, q in enumerate(qs) if q[0] == dkey]
                cv[dkey] = metrics([ranked[fqs[i].qid] for i in sel], [qs[i][2] for i in sel])[0]
            print(f"configuration {'+'.join(names)}: CV nDCG@10 forward {cv['forward']:.3f} "
                  f"reverse {cv['reverse']:.3f}")
    return out


def write_pool(rs, eng, path: Path, k_signal: int, k_fusion: int) -> int:
    """Pairs to judge: each signal's top-k and the fusion's top-k in both directions, plus
    reported pairs, minus pairs already judged; shuffled so the judge cannot tell the source."""
    judged = {(j["challenge"], j["solver"]) for j in rs.judgments}
    want: set[tuple[str, str]] = set()
    for c in rs.challenge_docs:
        for name, ranking in single_rankings(eng, DIRS["forward"], c, informative=True).items():
            want.update((c.id, s) for s in ranking[:k_signal])
        want.update((c.id, m.id) for m in eng.match_challenge(c, k=k_fusion, explain=False))
    for s in rs.solver_docs:
        for name, ranking in single_rankings(eng, DIRS["reverse"], s, informative=True).items():
            want.update((c, s.id) for c in ranking[:k_signal])
        want.update((m.id, s.id) for m in eng.match_researcher(s, k=k_fusion, explain=False))
    want.update((p["challenge"], p["solver"]) for p in rs.pairs)
    todo = sorted(want - judged)
    random.Random(SEED).shuffle(todo)
    with path.open("w", encoding="utf-8") as f:
        for c, s in todo:
            f.write(json.dumps({"challenge": c, "solver": s}, ensure_ascii=False) + "\n")
    return len(todo)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-dense", action="store_true")
    ap.add_argument("--learn", action="store_true")
    ap.add_argument("--compare", action="store_true",
                    help="also score the other fusions (synthetic weights, min-max, RRF)")
    ap.add_argument("--pool", action="store_true", help="write real/to_judge.jsonl and stop")
    ap.add_argument("--k-signal", type=int, default=5)
    ap.add_argument("--k-fusion", type=int, default=10)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    rs = realset.load()
    encoder = make_encoder(not args.no_dense)
    eng = build_engine(rs, encoder)
    if args.pool:
        n = write_pool(rs, eng, realset.REAL_DIR / "to_judge.jsonl", args.k_signal, args.k_fusion)
        print(f"{n} pairs to judge written to {realset.REAL_DIR / 'to_judge.jsonl'}")
        return {"to_judge": n}

    names = list(eng.signal_names)
    qs = queries_of(rs, eng)
    fqs = [fusion_query(eng, DIRS[d], q, judged) for d, q, judged in qs]
    ranked_cv, fold_w = cv_rankings(fqs, names, args.folds)

    out: dict = {"bench": "match_quality_real", "challenges": len(rs.challenges),
                 "solvers": len(rs.solvers), "judged_pairs": len(rs.judgments),
                 "dense": None if args.no_dense else "USE-multilingual-v3"}
    best = ("", -1.0)
    for dkey in ("forward", "reverse"):
        sel = [(i, q) for i, q in enumerate(qs) if q[0] == dkey]
        out[f"{dkey}_queries"] = len(sel)
        singles = {n: [] for n in names}
        for _, (d, q, judged) in sel:
            for n, r in single_rankings(eng, DIRS[d], q).items():
                singles[n].append(r)
        qrels = [judged for _, (_, _, judged) in sel]
        for n in names:
            nd, rc = metrics(singles[n], qrels)
            out[f"{dkey}_{n}_ndcg10"], out[f"{dkey}_{n}_recall20"] = round(nd, 4), round(rc, 4)
        fused = [ranked_cv[fqs[i].qid] for i, _ in sel]
        nd, rc = metrics(fused, qrels)
        out[f"{dkey}_fusion_ndcg10"], out[f"{dkey}_fusion_recall20"] = round(nd, 4), round(rc, 4)
    for n in names:
        avg = (out[f"forward_{n}_ndcg10"] + out[f"reverse_{n}_ndcg10"]) / 2
        out[f"{n}_ndcg10"] = round(avg, 4)
        if avg > best[1]:
            best = (n, avg)
    out["fusion_ndcg10"] = round((out["forward_fusion_ndcg10"] + out["reverse_fusion_ndcg10"]) / 2, 4)
    out["best_single"], out["best_single_ndcg10"] = best[0], round(best[1], 4)
    out["fusion_beats_every_single"] = all(
        out[f"{d}_fusion_ndcg10"] > out[f"{d}_{n}_ndcg10"] for d in ("forward", "reverse")
        for n in names)
    out["fold_weights"] = fold_w

    # known pairs: rank of the solver in the held-out fused ranking of its challenge
    ranks = {}
    for c, s in rs.known_pairs("signing"):
        ranking = ranked_cv.get(("challenge_to_researchers", c))
        if ranking is None:  # a challenge without judged relevant pair cannot be one
            ranking = [m.id for m in eng.match_challenge(
                next(d for d in rs.challenge_docs if d.id == c), k=len(rs.solvers),
                explain=False)]
        ranks[f"{c}->{s}"] = ranking.index(s) + 1 if s in ranking else None
    out["known_pairs"] = len(ranks)
    out["known_pairs_top5"] = sum(1 for r in ranks.values() if r is not None and r <= 5)
    out["known_pair_ranks"] = ranks
    guidance = {}
    for c, s in rs.known_pairs("reported_guidance"):
        ranking = ranked_cv.get(("challenge_to_researchers", c), [])
        guidance[f"{c}->{s}"] = ranking.index(s) + 1 if s in ranking else None
    out["reported_guidance"] = len(guidance)
    out["reported_guidance_top5"] = sum(1 for r in guidance.values() if r is not None and r <= 5)

    # blind plausibility sample
    fwd = rs.qrels()
    frame = sorted(c for c, j in fwd.items() if max(j.values()) >= 2)
    sample = sorted(random.Random(SEED).sample(frame, min(SAMPLE, len(frame))))
    plausible = 0
    for c in sample:
        top = ranked_cv[("challenge_to_researchers", c)][0]
        plausible += fwd[c].get(top, 0) >= 2
    out["plausible_frame"], out["plausible_sample"], out["plausible_top1"] = (
        len(frame), len(sample), plausible)
    if args.learn:
        out["weights_learned_on_all"] = learn_all(rs, encoder)
    if args.compare:
        for label, r in compare(fqs, qs, names).items():
            print(f"compare  {label:<28} forward {r['forward']:.3f}  reverse {r['reverse']:.3f}")
    out["seconds"] = round(time.perf_counter() - t0, 1)

    print(f"challenges {out['challenges']}  solvers {out['solvers']}  judged pairs "
          f"{out['judged_pairs']}  dense={out['dense']}")
    print(f"{'signal':<14}{'fwd nDCG@10':>12}{'fwd R@20':>10}{'rev nDCG@10':>13}{'rev R@20':>10}")
    for n in names + ["fusion"]:
        print(f"{n:<14}{out[f'forward_{n}_ndcg10']:>12.3f}{out[f'forward_{n}_recall20']:>10.3f}"
              f"{out[f'reverse_{n}_ndcg10']:>13.3f}{out[f'reverse_{n}_recall20']:>10.3f}")
    print(f"known pairs in top 5: {out['known_pairs_top5']}/{out['known_pairs']}; "
          f"plausible top-1: {plausible}/{len(sample)}")
    if args.learn:
        print("weights learned on all queries, per signal configuration:")
        for cfg, w in out["weights_learned_on_all"].items():
            print(f"    {cfg}: {w},")
        out["weights_learned_on_all"] = {"+".join(k): v for k, v in
                                         out["weights_learned_on_all"].items()}
    print(json.dumps({k: v for k, v in out.items() if k not in ("fold_weights",
                                                                 "weights_learned_on_all")},
                     ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
