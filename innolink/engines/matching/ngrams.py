"""Character n-gram BM25 signal: finds new terms and abbreviations the word tokenizer misses
("锂电" in "锂电池", "碳化硅" inside an unknown compound, "plc" in "plc控制").

Texts are normalised like the word tokenizer (lowercase, full-width folded, punctuation ->
space); n-grams never cross a space. Default n = 2 and 3: bigrams carry most of Chinese word
information, trigrams make 3-character terms precise; unigrams are left out by default because
every common character has a posting list of a sizeable part of the corpus (slow, little
signal). Extraction is vectorised: a chunk of texts becomes one UTF-32 code-point array, each
n-gram an int64 key, and the vocabulary comes from ``np.unique`` over keys.

The index itself is a :class:`~innolink.engines.matching.lexical.LexicalIndex` (same BM25
variant, same exact top-k, same delta segment), wrapped so that queries are plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .lexical import B, K1, LexicalIndex
from .tokenize import Encoded, merge_encoded, normalize_text
from .types import SearchResult

__all__ = ["CharNgramIndex", "char_ngrams", "encode_ngrams"]

_SEP = 0  # \x00 separates texts inside a chunk
_SPACE = 0x20
_SHIFT = 21  # code points fit in 21 bits; a key holds up to 3 of them


def char_ngrams(text: str, ns: Sequence[int] = (2, 3)) -> list[str]:
    """The character n-grams of one text, in order (n ascending, then position).

    Examples:
        >>> char_ngrams("锂电池，PLC", ns=(2,))
        ['锂电', '电池', 'pl', 'lc']
        >>> char_ngrams("碳化硅", ns=(1, 3))
        ['碳', '化', '硅', '碳化硅']
    """
    out: list[str] = []
    parts = normalize_text(text).split()
    for n in ns:
        for p in parts:
            out.extend(p[i : i + n] for i in range(len(p) - n + 1))
    return out


def _keys(cp: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """int64 keys of all n-grams not crossing a space/separator, and their start positions."""
    m = len(cp) - n + 1
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    bad = (cp == _SPACE) | (cp == _SEP)
    ok = ~bad[:m].copy()
    key = cp[:m].astype(np.int64)
    for j in range(1, n):
        ok &= ~bad[j : j + m]
        key = (key << _SHIFT) | cp[j : j + m]
    pos = np.flatnonzero(ok)
    # code points are >= 1, so keys of different n never collide (no length tag needed)
    return key[pos], pos


def _decode(key: int) -> str:
    mask = (1 << _SHIFT) - 1
    chars = []
    while key:
        chars.append(chr(key & mask))
        key >>= _SHIFT
    return "".join(reversed(chars))


def encode_ngrams(texts: Sequence[str], ns: Sequence[int] = (2, 3), chunk_size: int = 20_000):
    """Character n-grams of many texts as token ids (:class:`Encoded`), vectorised.

    Examples:
        >>> enc = encode_ngrams(["锂电池", "电池"], ns=(2,))
        >>> enc.vocab, enc.ids.tolist(), enc.offsets.tolist()
        (['电池', '锂电'], [1, 0, 0], [0, 2, 3])
    """
    parts = []
    for start in range(0, len(texts), chunk_size):
        chunk = [t.replace("\x00", " ") for t in texts[start : start + chunk_size]]
        joined = normalize_text("\x00".join(chunk))
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        doc_of = np.cumsum(cp == _SEP)  # text index of every position
        keys, docs = [], []
        for n in ns:
            k, pos = _keys(cp, n)
            keys.append(k)
            docs.append(doc_of[pos])
        key = np.concatenate(keys)
        doc = np.concatenate(docs)
        order = np.argsort(doc, kind="stable")
        key, doc = key[order], doc[order]
        uniq, inv = np.unique(key, return_inverse=True)
        counts = np.bincount(doc, minlength=len(chunk))
        offsets = np.zeros(len(chunk) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        parts.append((uniq, inv.astype(np.int32), offsets))
    if not parts:
        return Encoded([], np.zeros(0, np.int32), np.zeros(1, np.int64))
    # merge chunk vocabularies through their sorted keys (no Python-level dict)
    all_keys = np.unique(np.concatenate([p[0] for p in parts]))
    ids = np.concatenate([np.searchsorted(all_keys, p[0])[p[1]] for p in parts]).astype(np.int32)
    lengths = np.concatenate([np.diff(p[2]) for p in parts])
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    vocab = [_decode(int(k)) for k in all_keys.tolist()]
    return merge_encoded([Encoded(vocab, ids, offsets)])


class CharNgramIndex:
    """BM25 over character n-grams; queries are raw texts.

    Examples:
        >>> idx = CharNgramIndex.build(["锂离子电池正极材料", "碳化硅功率器件", "电池回收"],
        ...                            doc_ids=[1, 2, 3])
        >>> idx.search("锂电池", k=2).ids.tolist()  # '电池' matches, no word segmentation
        [3, 1]
        >>> [t for t, _ in idx.matched_terms("功率器件", 2)][:2]
        ['功率', '器件']
    """

    def __init__(self, index: LexicalIndex, ns: Sequence[int]) -> None:
        self.index = index
        self.ns = tuple(ns)

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        doc_ids: Sequence[int] | None = None,
        *,
        ns: Sequence[int] = (2, 3),
        k1: float = K1,
        b: float = B,
    ) -> CharNgramIndex:
        """Index raw texts (vectorised n-gram extraction)."""
        enc = encode_ngrams(list(texts), ns)
        return cls(LexicalIndex.from_encoded(enc, doc_ids, k1=k1, b=b), ns)

    def analyze(self, text: str) -> list[str]:
        """The n-grams this index uses for ``text``."""
        return char_ngrams(text, self.ns)

    @property
    def n_docs(self) -> int:
        return self.index.n_docs

    def search(self, text: str, k: int = 20) -> SearchResult:
        """Top-k documents for a raw query text."""
        return self.index.search(self.analyze(text), k)

    def search_many(self, texts: Sequence[str], k: int = 20, **kw) -> list[SearchResult]:
        """:meth:`search` for many texts (keyword arguments as ``LexicalIndex.search_many``)."""
        return self.index.search_many([self.analyze(t) for t in texts], k, **kw)

    def score(self, text: str, doc_ids: Sequence[int]) -> np.ndarray:
        """Exact n-gram BM25 of given documents for a raw query text."""
        return self.index.score(self.analyze(text), doc_ids)

    def matched_terms(self, text: str, doc_id: int) -> list[tuple[str, float]]:
        """Shared n-grams and their contributions, largest first."""
        return self.index.matched_terms(self.analyze(text), doc_id)

    def add_or_replace(self, doc_id: int, text: str) -> None:
        """Add or replace one document (delta segment, visible immediately)."""
        self.index.add_or_replace(doc_id, self.analyze(text))

    def remove(self, doc_id: int) -> None:
        """Remove one document."""
        self.index.remove(doc_id)

    def compact(self) -> None:
        """Fold updates in and recompute statistics."""
        self.index.compact()
