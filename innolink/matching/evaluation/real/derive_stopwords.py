"""Derive the document-frequency stop words (``resources/stopwords_df.txt``) from the real set.

Usage::

    .venv/bin/python innolink/matching/evaluation/real/derive_stopwords.py          # write
    .venv/bin/python innolink/matching/evaluation/real/derive_stopwords.py --show   # print

Rule (ADR 0361): tokenise every listing of the real set as published — title, description and
the programme it was listed in — with the term dictionary on and the curated boilerplate list
off; a word found in more than ``MAX_SHARE`` of the listings is boilerplate, unless it is in
the term dictionary or in :data:`REVIEWED_KEEP` (generic-looking words that still name a
technical subject: reviewed by hand, listed so the review is reproducible).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT))

from innolink.engines.matching.tokenize import Tokenizer  # noqa: E402
from innolink.engines.matching.vocab import derive_stopwords, packaged_terms  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = ROOT / "innolink" / "engines" / "matching" / "resources" / "stopwords_df.txt"
#: share of listings above which a word is boilerplate (8 of 150 listings)
MAX_SHARE = 0.05
#: frequent here, but a technical subject: matching on them is meaningful
REVIEWED_KEEP = frozenset({
    "材料", "工艺", "加工", "系统", "设备", "替代", "生产", "智能", "检测", "电池", "芯片",
    "涂料", "纤维", "发动机", "储能", "预制菜", "食品", "茶叶", "鞋材", "平台", "高", "新",
})


def listing_texts() -> list[str]:
    rows = [json.loads(line) for line in (HERE / "challenges.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    return [f"{r['title']}。{r['description']}。{r.get('programme') or ''}" for r in rows]


def derive() -> list[tuple[str, float]]:
    tok = Tokenizer(listing=False)
    tokens = tok.tokenize_many(listing_texts())
    keep = set(packaged_terms()) | REVIEWED_KEEP
    return derive_stopwords(tokens, max_share=MAX_SHARE, min_docs=30, keep=keep)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    words = derive()
    if args.show:
        for w, share in words:
            print(f"{w}\t{share:.3f}")
        return
    head = ("# Document-frequency stop words, derived from the real evaluation set's 150 listings\n"
            "# by innolink/matching/evaluation/real/derive_stopwords.py (ADR 0361): words in more\n"
            f"# than {MAX_SHARE:.0%} of the listings, minus the term dictionary and a reviewed keep\n"
            "# list. Regenerate with that script; do not edit by hand.\n")
    OUT.write_text(head + "".join(f"{w}\n" for w, _ in words), encoding="utf-8")
    print(f"{len(words)} words written to {OUT}")


if __name__ == "__main__":
    main()
