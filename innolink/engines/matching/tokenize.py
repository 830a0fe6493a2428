"""Chinese tokenizer for matching: rjieba + protected technical terms + stop words.

Pipeline for one text (all steps are C/Rust calls on whole strings; only the final filter is a
Python comprehension):

1. ``lower()`` and full-width ASCII -> half-width (``ＡＩ５Ｇ`` -> ``ai5g``);
2. every character that is not CJK, ``a-z``, ``0-9`` or one of ``+#.-`` becomes a space
   (punctuation removal; ``c++``, ``c#``, ``3.5`` and ``al-si`` survive);
3. ``rjieba.Jieba.cut`` (same segmentation as jieba, about 20x faster);
4. drop whitespace tokens, stray symbols and stop words.

Technical terms are protected through the segmenter's own dictionary: each term is added to a
private ``rjieba.Jieba`` instance with a high frequency (``TERM_FREQ``), so the maximum-
probability route keeps it whole; longer terms beat shorter terms they contain. rjieba's
``add_word`` does not change the dictionary total, so ordinary text is segmented exactly as
before. Terms that the segmenter cannot see as one block (they contain spaces or punctuation,
e.g. ``"5g nr"``) are matched first by a regular-expression pre-pass (longest first) and emitted
whole, the text between matches going through rjieba.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import rjieba

from .vocab import listing_stopwords, packaged_terms

__all__ = ["Tokenizer", "Encoded", "default_stopwords", "normalize_text", "TERM_FREQ"]

#: Frequency given to protected terms. jieba's dictionary total is about 6e7, so a term's
#: log-probability is about -4, far above any split of it into two or more ordinary words.
TERM_FREQ = 1_000_000

_RESOURCES = Path(__file__).with_name("resources")

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# After lower(), only full-width digits, letters and the kept symbols need folding; other
# full-width punctuation is removed by _DROP_RE anyway.
_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff41-\uff5a\uff0b\uff03\uff0e\uff0d]+")

# Characters kept; everything else (punctuation, whitespace, emoji...) becomes a space.
# \x00 is kept because tokenize_many uses it as a separator between texts.
_KEEP_CLASS = r"0-9a-z+#.\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_DROP_RE = re.compile(rf"[^{_KEEP_CLASS}\x00]+")
_SYMBOL_TOKENS = frozenset(
    "".join(p) for n in (1, 2, 3) for p in itertools.product("+#.-", repeat=n)
)
# What rjieba treats as one segmentable block (jieba's re_han_default, CJK ranges widened).
_BLOCK_RE = re.compile(r"^[0-9a-z+#&._%\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_ASCII_RUN_RE = re.compile(r"^[0-9a-z]+$")


def normalize_text(text: str) -> str:
    """Lowercase, fold full-width ASCII and turn punctuation/whitespace runs into one space.

    Examples:
        >>> normalize_text("基于ＡＩ的5G通信，（测试）!")
        '基于ai的5g通信 测试 '
    """
    text = text.lower()
    if _FULLWIDTH_RE.search(text):  # str.translate is slow (7 Mchar/s); only where needed
        text = _FULLWIDTH_RE.sub(lambda m: m.group().translate(_FULLWIDTH), text)
    return _DROP_RE.sub(" ", text)


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """The packaged stop-word list (``resources/stopwords_zh.txt``).

    Examples:
        >>> "的" in default_stopwords()
        True
    """
    words = set()
    for line in (_RESOURCES / "stopwords_zh.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return frozenset(words)


class Encoded(NamedTuple):
    """Token ids of many documents in CSR form: document ``i`` is
    ``ids[offsets[i]:offsets[i + 1]]``, ids index into ``vocab``."""

    vocab: list[str]
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, len(docs) + 1


class Tokenizer:
    """Chinese/English tokenizer with protected technical terms and stop words.

    Args:
        terms: technical terms kept as single tokens (case-insensitive; staff extend them).
        stopwords: words removed from the output; ``None`` means the packaged lists (function
            words and, with ``listing``, listing boilerplate), ``()`` means none.
        hmm: let rjieba's HMM join unknown words (jieba's default).
        dictionary: also keep the packaged technical terms whole (``vocab.packaged_terms``,
            ADR 0361), so 石墨烯 is not 石墨 + 烯.
        listing: with ``stopwords=None``, also drop listing boilerplate
            (``vocab.listing_stopwords``: 需求, 企业, 泉州市, 第二届, 大赛, 揭榜 …).

    Examples:
        >>> tok = Tokenizer(terms=["锂离子电池正极", "5G NR"], dictionary=False, listing=False)
        >>> tok.tokenize("基于5G NR的锂离子电池正极材料研究，ＡＩ辅助！")
        ['基于', '5g nr', '锂离子电池正极', '锂离子', '电池', '正极', '材料', '研究', 'ai', '辅助']
        >>> tok.tokenize("基于5G NR的锂离子电池正极材料研究，ＡＩ辅助！", parts=False)
        ['基于', '5g nr', '锂离子电池正极', '材料', '研究', 'ai', '辅助']
        >>> Tokenizer(terms=["5G NR"]).tokenize("基于5G NR的锂离子电池正极材料研究，ＡＩ辅助！")
        ['5g nr', '锂离子电池', '锂离子', '电池', '正极材料', '正极', '材料', 'ai', '辅助']
        >>> Tokenizer().tokenize("泉州市企业需求：石墨烯导热膜")
        ['石墨烯导热膜', '石墨烯', '导热膜']
    """

    def __init__(
        self,
        terms: Iterable[str] = (),
        stopwords: Iterable[str] | None = None,
        *,
        hmm: bool = True,
        dictionary: bool = True,
        listing: bool = True,
    ) -> None:
        self.hmm = hmm
        self.dictionary = dictionary
        self.listing = listing
        if stopwords is None:
            self.stopwords = default_stopwords() | (listing_stopwords() if listing else frozenset())
        else:
            self.stopwords = frozenset(w.lower() for w in stopwords)
        self._jieba = rjieba.Jieba()
        normalized: list[str] = []
        seen: set[str] = set()
        staff = list(terms)
        self.staff_terms: tuple[str, ...] = tuple(staff)
        for term in (list(packaged_terms()) if dictionary else []) + staff:
            t = normalize_text(term).strip()
            t = re.sub(r" +", " ", t)
            if t and t not in seen:
                seen.add(t)
                normalized.append(t)
        self.terms: tuple[str, ...] = tuple(normalized)
        special: list[str] = []
        for t in self.terms:
            if _BLOCK_RE.match(t):
                # an ASCII-only term (bcb, sic, tpu) is one run that the segmenter keeps whole
                # anyway; adding it would let it split longer runs ("pu" in "gpu")
                if not _ASCII_RUN_RE.match(t):
                    self._jieba.add_word(t, TERM_FREQ, None)
            else:
                special.append(t)
        self._special = frozenset(special)
        self._special_re = (
            re.compile(
                "("
                + "|".join(
                    re.escape(t).replace(r"\ ", " +")
                    for t in sorted(special, key=len, reverse=True)
                )
                + ")"
            )
            if special
            else None
        )
        # A compound term made of other terms (石墨烯导热膜 = 石墨烯 + 导热膜) is emitted whole
        # and then by its parts, so 石墨烯 still finds it (ADR 0361).
        self._parts = _compound_parts_cached(self.terms)
        # Tokens never emitted: stop words plus symbol-only fragments rjieba can produce.
        # normalize_text leaves single spaces and the symbols +#.- as the only non-words.
        self._drop = set(self.stopwords) | {" ", "", "\x00"} | _SYMBOL_TOKENS

    # -- core ---------------------------------------------------------------------------------

    def _filter(self, toks: list[str], parts: bool = True) -> list[str]:
        drop = self._drop
        out = [t for t in toks if t not in drop]
        compounds = self._parts if parts else None
        if compounds and not compounds.keys().isdisjoint(out):
            expanded: list[str] = []
            add, extend, get = expanded.append, expanded.extend, compounds.get
            for t in out:
                add(t)
                p = get(t)
                if p:
                    extend(p)
            return expanded
        return out

    def _cut_normalized(self, norm: str, parts: bool = True) -> list[str]:
        if self._special_re is None:
            return self._filter(self._jieba.cut(norm, self.hmm), parts)
        out: list[str] = []
        pieces = self._special_re.split(norm)
        for i, piece in enumerate(pieces):
            if i % 2:  # a protected multi-word term
                out.append(re.sub(r" +", " ", piece))
            elif piece:
                out.extend(self._filter(self._jieba.cut(piece, self.hmm), parts))
        return out

    def tokenize(self, text: str, *, parts: bool = True) -> list[str]:
        """Tokens of one text, in order, stop words and punctuation removed; a compound term is
        followed by its parts (:func:`compound_parts`) unless ``parts=False``.

        Examples:
            >>> Tokenizer().tokenize("我们研究石墨烯和碳纤维复合材料。")
            ['石墨烯', '碳纤维复合材料', '碳纤维', '复合材料']
            >>> Tokenizer().tokenize("我们研究石墨烯和碳纤维复合材料。", parts=False)
            ['石墨烯', '碳纤维复合材料']
            >>> Tokenizer(dictionary=False, listing=False).tokenize("我们研究石墨烯和碳纤维复合材料。")
            ['研究', '石墨', '烯', '碳纤维', '复合材料']
        """
        return self._cut_normalized(normalize_text(text), parts)

    def tokenize_many(
        self, texts: Sequence[str], *, n_jobs: int = 1, chunk_size: int = 2000
    ) -> list[list[str]]:
        """Tokenize many texts; same output as ``[tokenize(t) for t in texts]``.

        Normalisation runs once per chunk of texts (joined with a separator). ``n_jobs > 1``
        uses worker processes (rjieba holds the GIL), which pays off above ~50k texts.

        Examples:
            >>> Tokenizer().tokenize_many(["数控机床", "工业互联网平台"])
            [['数控机床', '数控', '机床'], ['工业互联网平台', '工业互联网', '平台', '工业', '互联网']]
        """
        texts = list(texts)
        if n_jobs > 1 and len(texts) >= 4 * chunk_size:
            chunks = [texts[i : i + chunk_size * 4] for i in range(0, len(texts), chunk_size * 4)]
            with _pool(self, n_jobs) as pool:
                parts = pool.map(_worker_tokenize, chunks)
            return [toks for part in parts for toks in part]
        out: list[list[str]] = []
        for start in range(0, len(texts), chunk_size):
            out.extend(self._tokenize_chunk(texts[start : start + chunk_size]))
        return out

    def _tokenize_chunk(self, chunk: list[str]) -> list[list[str]]:
        joined = "\x00".join(chunk)
        if joined.count("\x00") != len(chunk) - 1:  # a text contains the separator itself
            return [self.tokenize(t) for t in chunk]
        norms = normalize_text(joined).split("\x00")
        cut = self._cut_normalized
        return [cut(n) for n in norms]

    def encode_many(
        self, texts: Sequence[str], *, n_jobs: int = 1, chunk_size: int = 2000
    ) -> Encoded:
        """Tokenize many texts straight into token ids (what index builds need).

        With ``n_jobs > 1`` each worker returns a local vocabulary and int32 id arrays, so
        only numbers cross process boundaries; vocabularies are merged here.

        Examples:
            >>> enc = Tokenizer(dictionary=False).encode_many(["数控机床 数控机床", "工业互联网"])
            >>> enc.vocab, enc.ids.tolist(), enc.offsets.tolist()
            (['数控机床', '工业', '互联网'], [0, 0, 1, 2], [0, 2, 4])
        """
        texts = list(texts)
        if n_jobs > 1 and len(texts) >= 4 * chunk_size:
            step = max(chunk_size, -(-len(texts) // (n_jobs * 4)))
            chunks = [texts[i : i + step] for i in range(0, len(texts), step)]
            with _pool(self, n_jobs) as pool:
                parts = pool.map(_worker_encode, chunks)
        else:
            parts = [_encode_local(self, texts, chunk_size)]
        return merge_encoded(parts)


def compound_parts(terms: Iterable[str], words=None) -> dict[str, tuple[str, ...]]:
    """The parts of each compound term: the fewest pieces (two or more) covering the term
    exactly, each piece another term or an ordinary word of two characters or more
    (``words(piece)``; by default: rjieba's own dictionary keeps it whole). A letters-only piece
    must be a term itself. A term with a one-character remainder has no parts, so 石墨烯 never
    yields 石墨. Parts that are compounds bring their own parts. The tokenizer emits the parts
    after the whole term, so 超临界 still finds 超临界二氧化碳发泡.

    Examples:
        >>> compound_parts(["石墨烯", "导热膜", "石墨烯导热膜", "碳化硅", "mosfet", "碳化硅mosfet",
        ...                 "天线罩", "ecmo"], words=lambda w: w in ("石墨", "天线", "ec", "mo"))
        {'石墨烯导热膜': ('石墨烯', '导热膜'), '碳化硅mosfet': ('碳化硅', 'mosfet')}
    """
    vocab = {t for t in terms if len(t) >= 2 and " " not in t}
    if words is None:
        words = _base_word
    out: dict[str, tuple[str, ...]] = {}
    for term in sorted(vocab):
        n = len(term)
        best: list[tuple[str, ...] | None] = [None] * (n + 1)  # fewest pieces covering term[:i]
        best[0] = ()
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 2, n + 1 if i else n):  # a part is never the whole term
                piece = term[i:j]
                if piece not in vocab and (_ASCII_RUN_RE.match(piece) or not words(piece)):
                    continue
                cand = best[i] + (piece,)
                if best[j] is None or len(cand) < len(best[j]):
                    best[j] = cand
        if best[n] and len(best[n]) >= 2:
            out[term] = best[n]
    # a part that is a compound itself brings its own parts (超临界二氧化碳发泡 → 超临界二氧化碳,
    # 发泡, 超临界, 二氧化碳)
    def flat(term: str, seen: frozenset[str]) -> tuple[str, ...]:
        got: list[str] = []
        for p in out.get(term, ()):
            if p not in seen:
                got.append(p)
        for p in out.get(term, ()):
            if p not in seen:
                got.extend(q for q in flat(p, seen | {p}) if q not in got)
        return tuple(got)
    return {t: flat(t, frozenset({t})) for t in out}


_BASE_JIEBA = None


def _base_word(piece: str) -> bool:
    """True when rjieba's own dictionary (no added terms, no HMM) keeps ``piece`` whole."""
    global _BASE_JIEBA
    if len(piece) < 2:
        return False
    if _BASE_JIEBA is None:
        _BASE_JIEBA = rjieba.Jieba()
    return _BASE_JIEBA.cut(piece, False) == [piece]


@lru_cache(maxsize=8)
def _compound_parts_cached(terms: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return compound_parts(terms)


def _encode_local(tok: Tokenizer, texts: list[str], chunk_size: int = 2000) -> Encoded:
    vocab: dict[str, int] = {}
    setdefault = vocab.setdefault
    ids: list[int] = []
    lengths: list[int] = []
    extend = ids.extend
    for start in range(0, len(texts), chunk_size):
        for toks in tok._tokenize_chunk(texts[start : start + chunk_size]):
            extend([setdefault(t, len(vocab)) for t in toks])
            lengths.append(len(toks))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Encoded(list(vocab), np.asarray(ids, dtype=np.int32), offsets)


def merge_encoded(parts: Sequence[Encoded]) -> Encoded:
    """Concatenate encoded chunks with different local vocabularies into one.

    Examples:
        >>> a = Encoded(["x", "y"], np.array([0, 1], np.int32), np.array([0, 2]))
        >>> b = Encoded(["y", "z"], np.array([1, 0], np.int32), np.array([0, 2]))
        >>> m = merge_encoded([a, b])
        >>> m.vocab, m.ids.tolist(), m.offsets.tolist()
        (['x', 'y', 'z'], [0, 1, 2, 1], [0, 2, 4])
    """
    if len(parts) == 1:
        return parts[0]
    vocab: dict[str, int] = {}
    ids_out, lens_out = [], []
    for part in parts:
        remap = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in part.vocab),
            dtype=np.int32,
            count=len(part.vocab),
        )
        ids_out.append(remap[part.ids] if len(part.ids) else part.ids)
        lens_out.append(np.diff(part.offsets))
    lengths = np.concatenate(lens_out) if lens_out else np.zeros(0, np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.concatenate(ids_out) if ids_out else np.zeros(0, np.int32)
    return Encoded(list(vocab), ids.astype(np.int32, copy=False), offsets)


# -- worker processes (fork: the tokenizer is inherited, not pickled) -------------------------

_WORKER_TOKENIZER: Tokenizer | None = None


def _init_worker(tok: Tokenizer | None) -> None:
    global _WORKER_TOKENIZER
    if tok is not None:
        _WORKER_TOKENIZER = tok


def _pool(tok: Tokenizer, n_jobs: int):
    global _WORKER_TOKENIZER
    methods = mp.get_all_start_methods()
    if "fork" in methods:
        _WORKER_TOKENIZER = tok
        return mp.get_context("fork").Pool(n_jobs, initializer=_init_worker, initargs=(None,))
    # spawn: rebuild the tokenizer in the worker from its configuration
    return mp.get_context("spawn").Pool(
        n_jobs, initializer=_init_spawn,
        # tok.terms already holds the packaged dictionary: the worker adds no second copy
        initargs=(tok.terms, tuple(tok.stopwords), tok.hmm, False),
    )


def _init_spawn(terms, stopwords, hmm, dictionary) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = Tokenizer(terms, stopwords, hmm=hmm, dictionary=dictionary)


def _worker_tokenize(chunk: list[str]) -> list[list[str]]:
    assert _WORKER_TOKENIZER is not None
    return _WORKER_TOKENIZER.tokenize_many(chunk)


def _worker_encode(chunk: list[str]) -> Encoded:
    assert _WORKER_TOKENIZER is not None
    return _encode_local(_WORKER_TOKENIZER, chunk)
