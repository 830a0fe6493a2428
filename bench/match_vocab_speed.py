"""Tokenisation cost of the matching vocabulary (ADR 0361) on real listing text: the shipped
tokenizer (term dictionary, compound parts, listing stop words) against plain rjieba with the
default stop words (the tokenizer before issue #10), same texts, same run.

Usage::

    .venv/bin/python bench/match_vocab_speed.py [--docs 20000] [--runs 3]

Texts: the real evaluation set's 150 challenges and 110 solver profiles
(``innolink/matching/evaluation/real/``), repeated to ``--docs`` documents. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innolink.engines.matching.engine import _join  # noqa: E402
from innolink.engines.matching.tokenize import Tokenizer  # noqa: E402
from innolink.matching.evaluation import realset  # noqa: E402


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    rs = realset.load()
    base = [_join(d.text_fields())[0] for d in rs.challenge_docs + rs.solver_docs]
    texts = (base * (args.docs // len(base) + 1))[: args.docs]
    tokenizers = {"shipped": Tokenizer(), "plain": Tokenizer(dictionary=False, listing=False)}
    times: dict[str, list[float]] = {k: [] for k in tokenizers}
    tokens: dict[str, int] = {}
    for _ in range(args.runs):
        for name, tok in tokenizers.items():  # interleaved, so load hits both alike
            t0 = time.process_time()
            out = tok.tokenize_many(texts)
            times[name].append(time.process_time() - t0)
            tokens[name] = sum(map(len, out))
    res = {"bench": "match_vocab_speed", "docs": len(texts), "runs": args.runs,
           "shipped_cpu_s": round(statistics.median(times["shipped"]), 3),
           "plain_cpu_s": round(statistics.median(times["plain"]), 3),
           "tokens_per_doc_shipped": round(tokens["shipped"] / len(texts), 1),
           "tokens_per_doc_plain": round(tokens["plain"] / len(texts), 1)}
    res["ratio"] = round(res["shipped_cpu_s"] / res["plain_cpu_s"], 2)
    print(f"{len(texts)} real-text documents, CPU seconds (median of {args.runs}): shipped "
          f"{res['shipped_cpu_s']} vs plain {res['plain_cpu_s']} ({res['ratio']}×)")
    print(json.dumps(res, ensure_ascii=False))
    return res


if __name__ == "__main__":
    main()
