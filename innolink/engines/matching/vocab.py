"""Vocabulary for matching real listings: the technical term dictionary and the stop words of
listing boilerplate.

Real 揭榜 listings share a vocabulary that says nothing about the technical problem: 需求, 企业,
泉州市, 第二届, 大赛, 揭榜 … As BM25 words these produce "keyword hits" between unrelated
listings and profiles. Three sources remove them (ADR 0361):

* :func:`listing_stopwords` — a curated list (``resources/stopwords_listing.txt``: contest and
  programme boilerplate, place names) plus ordinals (第二届, 第一批 …) generated here;
* :func:`derived_stopwords` — words with a high document frequency across the real corpus,
  written once by ``innolink/matching/evaluation/real/derive_stopwords.py`` to
  ``resources/stopwords_df.txt``;
* :func:`df_stopwords` — the same rule applied at run time to an index's own corpus (a word
  in more than ``max_df`` of the documents of a large enough pool).

Compound technical terms (石墨烯, 光刻胶, 超临界二氧化碳, 龙伯透镜, 碳化硅 …) must stay whole, or
石墨烯 becomes 石墨 + 烯 and matches graphite mining. :func:`packaged_terms` reads the term
dictionary (``resources/terms_zh.txt``, more than 2,000 terms of the six domains) that the
:class:`~.tokenize.Tokenizer` adds to its segmenter by default.

Pure Python; never imports Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "DF_MAX_SHARE",
    "DF_MIN_DOCS",
    "derive_stopwords",
    "derived_stopwords",
    "df_stopwords",
    "listing_stopwords",
    "ordinal_stopwords",
    "packaged_terms",
    "read_word_list",
]

_RESOURCES = Path(__file__).with_name("resources")

#: a word in more than this share of a pool's documents is boilerplate for that pool
DF_MAX_SHARE = 0.2
#: ... but only in pools with at least this many documents (small pools have noisy DF)
DF_MIN_DOCS = 30

_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
             "十四", "十五", "十六", "十七", "十八", "十九", "二十")
_ORDINAL_UNITS = ("", "届", "批", "期", "次", "轮", "阶段", "名", "类")


def read_word_list(path: Path) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a word list, in file order, without duplicates.

    Examples:
        >>> import tempfile, os
        >>> p = Path(tempfile.mkdtemp()) / "w.txt"
        >>> _ = p.write_text("# c\\n石墨烯\\n\\n石墨烯\\n光刻胶\\n", encoding="utf-8")
        >>> read_word_list(p)
        ('石墨烯', '光刻胶')
    """
    out: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.setdefault(line, None)
    return tuple(out)


@lru_cache(maxsize=1)
def packaged_terms() -> tuple[str, ...]:
    """The packaged technical term dictionary (``resources/terms_zh.txt``).

    Examples:
        >>> terms = packaged_terms()
        >>> len(terms) >= 2000, "石墨烯" in terms, "龙伯透镜" in terms
        (True, True, True)
    """
    return read_word_list(_RESOURCES / "terms_zh.txt")


def ordinal_stopwords() -> frozenset[str]:
    """第一 … 第二十 with and without 届/批/期/次/轮 … (edition and batch numbers of listings).

    Examples:
        >>> {"第二届", "第一批", "第三"} <= ordinal_stopwords()
        True
    """
    return frozenset(f"第{n}{u}" for n in _NUMERALS for u in _ORDINAL_UNITS) | frozenset(
        f"首{u}" for u in _ORDINAL_UNITS if u)


@lru_cache(maxsize=1)
def derived_stopwords() -> frozenset[str]:
    """Words with a high document frequency across the real evaluation corpus, minus the term
    dictionary (``resources/stopwords_df.txt``; see ``derive_stopwords.py``)."""
    path = _RESOURCES / "stopwords_df.txt"
    if not path.exists():  # pragma: no cover - the file ships with the package
        return frozenset()
    return frozenset(w.lower() for w in read_word_list(path))


@lru_cache(maxsize=1)
def listing_stopwords() -> frozenset[str]:
    """Curated boilerplate + ordinals + corpus-derived words (lowercase).

    Examples:
        >>> sw = listing_stopwords()
        >>> all(w in sw for w in ["需求", "企业", "泉州市", "第二届", "大赛", "揭榜"])
        True
        >>> "石墨烯" in sw
        False
    """
    curated = frozenset(w.lower() for w in read_word_list(_RESOURCES / "stopwords_listing.txt"))
    return curated | ordinal_stopwords() | derived_stopwords()


def derive_stopwords(token_lists: Iterable[Sequence[str]], *, max_share: float = DF_MAX_SHARE,
                     min_docs: int = DF_MIN_DOCS, keep: Iterable[str] = ()) -> list[tuple[str, float]]:
    """Words found in more than ``max_share`` of the documents, with their share, most frequent
    first (ties by word); words in ``keep`` (the term dictionary) are never returned. Nothing is
    derived from fewer than ``min_docs`` documents.

    Examples:
        >>> docs = [["需求", "石墨烯"], ["需求", "芯片"], ["需求", "石墨烯"], ["电池"]]
        >>> derive_stopwords(docs, max_share=0.5, min_docs=4, keep=["石墨烯"])
        [('需求', 0.75)]
        >>> derive_stopwords(docs, max_share=0.5, min_docs=5)
        []
    """
    docs = [set(t) for t in token_lists]
    if len(docs) < min_docs:
        return []
    kept = {k.lower() for k in keep}
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    out = [(t, c / n) for t, c in df.items() if c / n > max_share and t not in kept]
    return sorted(out, key=lambda x: (-x[1], x[0]))


def df_stopwords(index, *, max_share: float = DF_MAX_SHARE,
                 min_docs: int = DF_MIN_DOCS, keep: Iterable[str] = ()) -> frozenset[str]:
    """Words of a :class:`~.lexical.LexicalIndex` found in more than ``max_share`` of its
    documents (read from the index's document frequencies; nothing for small pools).

    Examples:
        >>> from innolink.engines.matching.lexical import LexicalIndex
        >>> idx = LexicalIndex.build([["需求", "电池"]] * 20 + [["需求", "芯片"]] * 20)
        >>> sorted(df_stopwords(idx, max_share=0.6, min_docs=10))
        ['需求']
        >>> sorted(df_stopwords(idx, max_share=0.6, min_docs=100))
        []
    """
    n = int(getattr(index, "n_main", 0) or 0)
    if n < min_docs or len(getattr(index, "df", ())) == 0:
        return frozenset()
    df = np.asarray(index.df, dtype=np.float64)
    hit = np.flatnonzero(df / n > max_share)
    kept = {k.lower() for k in keep}
    return frozenset(t for t in (index.terms[int(i)] for i in hit) if t not in kept)
