"""One matching engine for three directions, with explanations.

Directions (same code path, see :meth:`MatchingEngine.rank`):

* ``challenge_to_researchers`` — a challenge (揭榜题) ranks researchers;
* ``researcher_to_challenges`` — a researcher ranks open challenges;
* ``offer_to_enterprises`` — a technology offer (拟转化项目) ranks enterprises by their industry,
  products and past challenges.

Pipeline for one query:

1. **candidates**: union of the top ``candidate_k`` by BM25, by character n-grams and by dense
   similarity (each when available) over the pool;
2. **signals** for every candidate: ``lexical`` (BM25), ``ngram``, ``dense`` (cosine),
   ``indicator`` (coverage of the need's indicator targets by the provider's text, see
   :mod:`.indicators`) and ``structured`` (domain, discipline, TRL, availability, institution,
   track record, region, see :mod:`.structured`);
3. **fusion**: signals in calibrated units, standardised per query with a floor on the spread
   and summed with weights learned on the real evaluation set (``calibrated``, ADR 0360); the
   min–max ``weighted`` fusion of ADR 0302 and RRF remain as options;
4. **explanations** for the returned top ``k``, crediting each signal by its contribution
   (see :mod:`.explain`, ADR 0363); near-duplicate listings can be collapsed (ADR 0362).

The input records are plain frozen dataclasses; the Django side builds them in ``fetch.py``.
Pure Python + numpy; never imports Django.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from ._errors import InvalidInputError, UnknownDocumentError
from .calibrate import FLOORS, contributions, idf_mass
from .dedupe import group_near_duplicates
from .dense import DenseIndex
from .explain import explain_pair
from .fusion import METHODS, fuse, minmax, ranks
from .indicators import UNITS, IndicatorTarget, coverage
from .lexical import LexicalIndex
from .structured import structured_fit
from .tokenize import Tokenizer
from .vocab import df_stopwords

__all__ = [
    "DEFAULT_FUSION_WEIGHTS",
    "DIRECTIONS",
    "LazyDocs",
    "LEARNED_WEIGHTS",
    "SIGNALS",
    "SIGNAL_STATUS_SCORES",
    "ChallengeDoc",
    "EnterpriseDoc",
    "Match",
    "MatchingEngine",
    "OfferDoc",
    "ResearcherDoc",
    "default_weights",
    "indicator_signal",
]

SIGNALS = ("lexical", "ngram", "dense", "indicator", "structured")
DIRECTIONS = ("challenge_to_researchers", "researcher_to_challenges", "offer_to_enterprises")

#: Fusion weights per signal configuration, fitted on the REAL evaluation set (150 real
#: challenges, 110 real solvers, 3,766 blind-judged pairs; both directions) by coordinate
#: ascent over the calibrated fusion, BM25's grid without 0 (``bench/match_quality_real.py
#: --learn``, ADR 0360). The figures reported in ``docs/performance/match_quality_real.md`` are
#: cross-validated (weights learned without the scored queries); these are the weights the
#: product ships. Signals are in calibrated units (``calibrate.py``), so a weight is the value
#: of one spread of that signal; only ratios matter.
LEARNED_WEIGHTS: dict[tuple[str, ...], dict[str, float]] = {
    ("lexical", "indicator", "structured"):
        {"lexical": 4.0, "indicator": 1.0, "structured": 1.0},
    ("lexical", "ngram", "indicator", "structured"):
        {"lexical": 0.25, "ngram": 1.0, "indicator": 1.0, "structured": 2.0},
    ("lexical", "dense", "indicator", "structured"):
        {"lexical": 1.0, "dense": 1.0, "indicator": 1.0, "structured": 1.0},
    ("lexical", "ngram", "dense", "indicator", "structured"):
        {"lexical": 0.25, "ngram": 0.5, "dense": 1.0, "indicator": 1.0, "structured": 1.0},
}


#: What each indicator status is worth in the ``indicator`` signal. A target that is only
#: *mentioned* is a word, which the lexical signals count already; as indicator evidence it
#: let one homonym (耐磨 in "耐磨钢材" against a leather wear target) carry a full spread of the
#: signal (issue #10). The signal reads values only.
SIGNAL_STATUS_SCORES: dict[str, float] = {
    "meets": 1.0, "near": 0.7, "value_off": 0.4, "mentioned": 0.0, "absent": 0.0}


def indicator_signal(cov) -> float:
    """The ``indicator`` signal of a coverage: the mean over its targets of
    :data:`SIGNAL_STATUS_SCORES` (a mention alone is worth nothing here).

    Examples:
        >>> from .indicators import coverage
        >>> t = IndicatorTarget("耐磨", ">=", 500, "次")
        >>> coverage([t], "耐磨钢材热处理").score, indicator_signal(coverage([t], "耐磨钢材热处理"))
        (0.25, 0.0)
        >>> indicator_signal(coverage([t], "耐磨 800 次"))
        1.0
    """
    if not cov.matches:
        return 0.0
    return sum(SIGNAL_STATUS_SCORES.get(m.status, 0.0) for m in cov.matches) / len(cov.matches)


def default_weights(signal_names: Sequence[str]) -> dict[str, float]:
    """Learned weights for this set of signals; equal weights for an unknown set.

    Examples:
        >>> default_weights(("lexical", "indicator", "structured"))["structured"]
        1.0
        >>> default_weights(("lexical", "other"))
        {'lexical': 1.0, 'other': 1.0}
    """
    learned = LEARNED_WEIGHTS.get(tuple(signal_names))
    return dict(learned) if learned else {n: 1.0 for n in signal_names}


#: kept for callers that want a single table: the weights of the full configuration
DEFAULT_FUSION_WEIGHTS = default_weights(SIGNALS)


# ---------------------------------------------------------------------------------------------
# Input records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChallengeDoc:
    """A challenge (揭榜题): the need side.

    Examples:
        >>> c = ChallengeDoc("c1", "低k介质", "要求介电常数≤2.7",
        ...                  indicators=(IndicatorTarget("介电常数", "<=", 2.7),))
        >>> c.text_fields()[0]
        ('title', '低k介质')
    """

    id: str
    title: str
    statement: str
    domain: str | None = None
    indicators: tuple[IndicatorTarget, ...] = ()
    region: str | None = None
    trl_min: int | None = None
    disciplines: tuple[str, ...] = ()
    institution_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    secondary_domains: tuple[str, ...] = ()  # besides the primary ``domain`` (issue #10)
    #: GB/T 13745 codes of the disciplines asked for (``disciplines`` holds their first-level
    #: names, which is what the structured fit compares)
    discipline_codes: tuple[str, ...] = ()
    #: where the issuer is (``region`` is the solver region the listing prefers, if any)
    issuer_region: str | None = None
    #: the issuer's kind as a label (本地企业, 科研院所, 重点实验室, 平台外企业 …)
    issuer_kind: str | None = None
    #: the highest TRL the listing asks for (``trl_min``–``trl_max``: "TRL 4–6"), if any
    trl_max: int | None = None

    @property
    def requirements(self) -> tuple[str, ...]:
        """Which solver requirements the listing states (the structured fit weighs these
        more, ``structured.REQUIREMENT_WEIGHTS``).

        Examples:
            >>> ChallengeDoc("c", "t", "s", region="福建", trl_min=4, trl_max=6).requirements
            ('trl', 'region')
            >>> ChallengeDoc("c", "t", "s").requirements
            ()
        """
        out = []
        if self.disciplines:
            out.append("discipline")
        if self.trl_min is not None or self.trl_max is not None:
            out.append("trl")
        if self.institution_types:
            out.append("institution")
        if self.region:
            out.append("region")
        return tuple(out)

    def text_fields(self) -> list[tuple[str, str]]:
        out = [("title", self.title), ("statement", self.statement)]
        if self.keywords:
            out.append(("keywords", "，".join(self.keywords)))
        if self.indicators:
            out.append(("indicators", "；".join(t.label() for t in self.indicators)))
        return out


@dataclass(frozen=True)
class ResearcherDoc:
    """A researcher (or team) profile: the provider side.

    Examples:
        >>> r = ResearcherDoc("r1", "林一帆", fields=("材料科学与工程",), keywords=("光刻胶",),
        ...                   achievements="分辨率 80 nm")
        >>> [name for name, _ in r.text_fields()]
        ['fields', 'keywords', 'achievements']
    """

    id: str
    name: str
    fields: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    achievements: str = ""
    discipline: str | None = None
    domain: str | None = None
    institution_type: str | None = None
    region: str | None = None
    available: bool | None = True
    trl: int | None = None
    accepted_proposals: int | None = 0
    delivered_contracts: int | None = 0
    #: the researcher's domains besides ``domain`` (issue #10); the structured fit reads the
    #: union of both, so listing ``domain`` here as well changes nothing
    domains: tuple[str, ...] = ()
    #: GB/T 13745 codes (``discipline`` is the first-level name of the first one, or None when
    #: the discipline could not be mapped: neutral in the fit, decision 0353)
    discipline_codes: tuple[str, ...] = ()
    #: the domains the mapped discipline usually serves (engine labels)
    discipline_domains: tuple[str, ...] = ()
    #: first-level names of all its disciplines (``discipline`` is the first); a listing that
    #: asks for any of them finds the discipline fitting
    disciplines: tuple[str, ...] = ()

    def text_fields(self) -> list[tuple[str, str]]:
        return [("fields", "，".join(self.fields)), ("keywords", "，".join(self.keywords)),
                ("achievements", self.achievements)]


@dataclass(frozen=True)
class OfferDoc:
    """A technology offered for transfer (拟转化项目): provider side of the third direction."""

    id: str
    title: str
    description: str
    domain: str | None = None
    keywords: tuple[str, ...] = ()
    trl: int | None = None
    region: str | None = None
    owner_id: str | None = None
    available: bool | None = True

    def text_fields(self) -> list[tuple[str, str]]:
        return [("title", self.title), ("keywords", "，".join(self.keywords)),
                ("description", self.description)]


@dataclass(frozen=True)
class EnterpriseDoc:
    """An enterprise as a potential adopter: its industry, products and past challenges."""

    id: str
    name: str
    industry: str = ""
    products: tuple[str, ...] = ()
    domain: str | None = None
    region: str | None = None
    past_challenges: tuple[ChallengeDoc, ...] = ()
    description: str = ""

    @property
    def indicators(self) -> tuple[IndicatorTarget, ...]:
        return tuple(t for c in self.past_challenges for t in c.indicators)

    @property
    def trl_min(self) -> int | None:
        mins = [c.trl_min for c in self.past_challenges if c.trl_min is not None]
        return min(mins) if mins else None

    @property
    def disciplines(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for c in self.past_challenges for d in c.disciplines))

    def text_fields(self) -> list[tuple[str, str]]:
        out = [("industry", self.industry), ("products", "，".join(self.products))]
        if self.description:
            out.append(("description", self.description))
        if self.past_challenges:
            out.append(("past_challenges", "；".join(
                f"{c.title}：{c.statement}" for c in self.past_challenges)))
        return out


def _join(fields: Sequence[tuple[str, str]]) -> tuple[str, list[tuple[str, int, int]]]:
    """Join field texts with '。' (a clause break for the indicator parser) and record offsets."""
    parts, offsets, pos = [], [], 0
    for name, text in fields:
        if not text:
            continue
        if parts:
            parts.append("。")
            pos += 1
        offsets.append((name, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), offsets


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One ranked candidate: id, 1-based rank, fused score, per-signal raw scores and (when
    asked) the explanation dict."""

    id: str
    rank: int
    score: float
    signals: Mapping[str, float]
    explanation: dict | None = None
    similar: tuple[str, ...] = ()  # near-duplicate listings folded into this one (ADR 0362)


# ---------------------------------------------------------------------------------------------
# Pools
# ---------------------------------------------------------------------------------------------


class _Pool:
    """Documents of one kind with their text indexes; documents are addressed by position.

    Removed documents keep their position (``alive`` is False) so positions stay stable.
    """

    def __init__(self, docs: Sequence, engine: "MatchingEngine", embeddings=None):
        self.engine = engine
        self.docs = list(docs)
        self.ids = [d.id for d in self.docs]
        self.pos = {d: i for i, d in enumerate(self.ids)}
        if len(self.pos) != len(self.ids):
            seen, dupes = set(), set()
            for d in self.ids:
                (dupes if d in seen else seen).add(d)
            raise InvalidInputError("文档编号重复 (duplicate document ids)", ids=sorted(dupes))
        self.alive = np.ones(len(self.docs), bool)
        joined = [_join(d.text_fields()) for d in self.docs]
        self.texts = [t for t, _ in joined]
        self.offsets = [o for _, o in joined]
        tokens = engine.tokenizer.tokenize_many(self.texts)
        self.lexical = LexicalIndex.build(tokens, list(range(len(self.docs))))
        # words in too many of this pool's documents are boilerplate here (ADR 0361)
        self.stop = df_stopwords(self.lexical, keep=engine.tokenizer.terms)
        self.ngram = engine._ngram_factory(self.texts) if engine._ngram_factory else None
        self.emb = None
        self.emb_tail: list[np.ndarray] = []
        if engine.encoder is not None:
            if embeddings is not None:
                emb = np.asarray(embeddings, np.float32)
                if emb.ndim != 2 or len(emb) != len(self.docs):
                    raise InvalidInputError("embeddings 的行数须与文档数一致 (one row per document)",
                                            shape=list(emb.shape), docs=len(self.docs))
                self.emb = _normalize_rows(
                    embeddings if isinstance(embeddings, np.memmap) else emb)
            else:
                self.emb = engine._embed(self.texts)
        self.dense = DenseIndex(self.emb) if self.emb is not None and len(self.emb) else None

    @classmethod
    def attached(cls, engine: "MatchingEngine", ids: Sequence[str], docs: "LazyDocs",
                 lexical: LexicalIndex, stop: frozenset[str], embeddings=None,
                 text_hashes: np.ndarray | None = None, unit_rows: bool = False) -> "_Pool":
        """A pool over an index built elsewhere (e.g. files another process wrote and this one
        maps): ``lexical`` indexes positions ``0..n-1`` in the order of ``ids``, ``docs``
        fetches the records by position when a query needs them (only its candidates), and
        ``embeddings`` (when the engine has an encoder) are the rows in the same order. Nothing
        is tokenised or encoded here. Without n-grams (an n-gram index is not attached).

        ``text_hashes`` (SHA-1 hex of each row's joined text, as bytes) let an upsert whose
        text is the indexed one keep its row as it is (only the record is replaced): no
        tokenising, no encoding, no delta entry.

        ``unit_rows`` says the writer of ``embeddings`` already scaled every row to unit length
        (or left it zero): they are used as they are, without reading every row to check it
        (350,000 × 512 rows cost a new process 1.7 s of its first query; ADR 0342)."""
        n = len(ids)
        if lexical.n_main != n or len(docs) != n:
            raise InvalidInputError("attached pool: index and documents differ in length",
                                    docs=len(docs), rows=lexical.n_main, ids=n)
        self = cls.__new__(cls)
        self.engine = engine
        self.docs = docs
        self.ids = ids if isinstance(ids, _Ids) else list(ids)
        self.pos = self.ids.positions() if isinstance(self.ids, _Ids) else {
            d: i for i, d in enumerate(self.ids)}
        self.alive = np.ones(n, bool)
        self.texts = _JoinedColumn(docs, 0)
        self.offsets = _JoinedColumn(docs, 1)
        self.lexical = lexical
        self.stop = frozenset(stop)
        self.ngram = None
        self.emb = None
        self.emb_tail = []
        if engine.encoder is not None and embeddings is not None:
            if len(embeddings) != n:
                raise InvalidInputError("embeddings 的行数须与文档数一致 (one row per document)",
                                        rows=len(embeddings), docs=n)
            self.emb = embeddings if unit_rows else _normalize_rows(embeddings)
        elif engine.encoder is not None:
            raise InvalidInputError("attached pool: embeddings required with an encoder")
        self.dense = DenseIndex(self.emb) if self.emb is not None and len(self.emb) else None
        self.base_hashes = text_hashes
        self.changed: set[int] = set()
        return self

    def ready(self, pos: np.ndarray) -> np.ndarray:
        """Make the documents at ``pos`` readable (fetch them in one go when the pool's
        documents are fetched on demand); positions whose record is gone are removed from the
        pool and dropped from the answer."""
        pos = np.asarray(pos, np.int64)
        prefetch = getattr(self.docs, "prefetch", None)
        if prefetch is None or len(pos) == 0:
            return pos
        gone = prefetch(pos.tolist())
        for p in gone:
            if self.alive[p]:
                self.remove(self.ids[p])
        return pos[self.alive[pos]] if gone else pos

    def __len__(self) -> int:
        return int(self.alive.sum())

    def positions(self) -> np.ndarray:
        """Positions of the live documents."""
        return np.flatnonzero(self.alive)

    def upsert(self, doc) -> None:
        """Add a document or replace the one with the same id (visible immediately)."""
        text, offsets = _join(doc.text_fields())
        p = self.pos.get(doc.id)
        hashes = getattr(self, "base_hashes", None)
        if (hashes is not None and p is not None and p < len(hashes) and self.alive[p]
                and p not in self.changed
                and hashlib.sha1(text.encode("utf-8")).hexdigest().encode() == hashes[p]):
            self.docs[p] = doc  # the indexed text: its rows stay as they are
            return
        if hashes is not None and p is not None:
            self.changed.add(p)
        if p is None:
            p = len(self.docs)
            self.docs.append(doc)
            self.ids.append(doc.id)
            self.texts.append(text)
            self.offsets.append(offsets)
            self.alive = np.append(self.alive, True)
            self.pos[doc.id] = p
        else:
            self.docs[p], self.texts[p], self.offsets[p] = doc, text, offsets
            self.alive[p] = True
        self.lexical.add_or_replace(p, self.engine.tokenizer.tokenize(text))
        if self.ngram is not None:
            self.ngram.add_or_replace(p, text)
        if self.emb is not None:
            vec = self.engine._embed([text])[0]
            if p < len(self.emb):
                self.emb[p] = vec  # a private page when emb is a copy-on-write mapping
            else:
                # rows past the base matrix: never copy the base (it may be a shared mapping)
                self.emb_tail.append(vec)
            if self.dense is None:  # the base matrix is empty: positions start at 0
                self.dense = DenseIndex(np.asarray(self.emb_tail, np.float32))
            else:
                self.dense.add_or_replace(p, vec)

    def emb_rows(self, pos: np.ndarray) -> np.ndarray:
        """Embeddings of the documents at ``pos`` (base matrix and appended rows)."""
        pos = np.asarray(pos, np.int64)
        base = len(self.emb)
        if not self.emb_tail:
            return self.emb[pos]
        out = np.empty((len(pos), self.emb.shape[1]), np.float32)
        inside = pos < base
        out[inside] = self.emb[pos[inside]]
        out[~inside] = np.asarray(self.emb_tail, np.float32)[pos[~inside] - base]
        return out

    def remove(self, doc_id: str) -> None:
        """Remove a document by id; raises :class:`UnknownDocumentError` if absent."""
        p = self.pos.pop(doc_id, None)
        if p is None:
            raise UnknownDocumentError(f"未找到文档：{doc_id}", doc_id=doc_id)
        self.alive[p] = False
        self.lexical.remove(p)
        if self.ngram is not None:
            self.ngram.remove(p)
        if self.dense is not None:
            self.dense.remove(p)


class LazyDocs:
    """A pool's documents by position, fetched on demand: ``load(positions)`` returns a
    mapping position -> document for those still there (a missing position is a record that
    is gone). Documents replaced or appended by the pool's updates are kept as given.

    Examples:
        >>> calls = []
        >>> def load(ps):
        ...     calls.append(ps)
        ...     return {p: ResearcherDoc(str(p), "x", keywords=(f"k{p}",)) for p in ps if p != 2}
        >>> docs = LazyDocs(3, load)
        >>> docs.prefetch([0, 2]), docs[0].keywords, calls
        ([2], ('k0',), [[0, 2]])
        >>> docs[1].id, calls[-1], docs.joined(1)[0]
        ('1', [1], 'k1')
    """

    def __init__(self, n: int, load: Callable[[list[int]], Mapping[int, object]]) -> None:
        self._n = int(n)
        self._load = load
        self._docs: dict[int, object] = {}
        self._joined: dict[int, tuple[str, list]] = {}
        self._gone: set[int] = set()

    def __len__(self) -> int:
        return self._n

    def prefetch(self, positions: Sequence[int]) -> list[int]:
        """Fetch the documents at ``positions`` not held yet; returns the positions whose
        record is gone."""
        want = [int(p) for p in positions if int(p) not in self._docs and int(p) not in self._gone]
        if want:
            got = self._load(want)
            for p in want:
                doc = got.get(p)
                if doc is None:
                    self._gone.add(p)
                else:
                    self._docs[p] = doc
        return [int(p) for p in positions if int(p) in self._gone]

    def __getitem__(self, p: int):
        p = int(p)
        if p not in self._docs:
            self.prefetch([p])
        if p not in self._docs:
            raise UnknownDocumentError(f"未找到文档：{p}", position=p)
        return self._docs[p]

    def __setitem__(self, p: int, doc) -> None:
        self._docs[int(p)] = doc
        self._gone.discard(int(p))
        self._joined.pop(int(p), None)

    def append(self, doc) -> None:
        self[self._n] = doc
        self._n += 1

    def joined(self, p: int) -> tuple[str, list]:
        """``(text, field offsets)`` of the document at ``p`` (cached)."""
        p = int(p)
        if p not in self._joined:
            self._joined[p] = _join(self[p].text_fields())
        return self._joined[p]


class _JoinedColumn:
    """``pool.texts`` / ``pool.offsets`` of a pool with :class:`LazyDocs`: computed from the
    document (assignments are ignored: the document assigned beside them is what counts)."""

    def __init__(self, docs: LazyDocs, part: int) -> None:
        self._docs, self._part = docs, part

    def __getitem__(self, p: int):
        return self._docs.joined(p)[self._part]

    def __setitem__(self, p: int, value) -> None:
        pass

    def append(self, value) -> None:
        pass

    def __len__(self) -> int:
        return len(self._docs)


class _Ids:
    """Document ids of an attached pool: strings of integer object ids held as one int64
    array (no list of n strings, no dict of n entries); see :meth:`positions`.

    Examples:
        >>> ids = _Ids(np.array([7, 3, 9]))
        >>> ids[1], len(ids), ids.positions().get("9"), "4" in ids.positions()
        ('3', 3, 2, False)
        >>> ids.append("12"); ids[3], len(ids)
        ('12', 4)
    """

    def __init__(self, object_ids: np.ndarray) -> None:
        self.base = np.asarray(object_ids, np.int64)
        self.order = np.argsort(self.base, kind="stable")
        self.sorted = self.base[self.order]
        self.tail: list[str] = []
        self._positions = _IdPositions(self)

    def __len__(self) -> int:
        return len(self.base) + len(self.tail)

    def __getitem__(self, p: int) -> str:
        p = int(p)
        return str(int(self.base[p])) if p < len(self.base) else self.tail[p - len(self.base)]

    def append(self, doc_id: str) -> None:
        self.tail.append(doc_id)

    def base_position(self, doc_id: str) -> int | None:
        try:
            key = int(doc_id)
        except (TypeError, ValueError):
            return None
        if str(key) != doc_id:
            return None
        i = int(np.searchsorted(self.sorted, key))
        return int(self.order[i]) if i < len(self.sorted) and self.sorted[i] == key else None

    def positions(self) -> "_IdPositions":
        return self._positions


class _IdPositions:
    """``pool.pos`` of an attached pool: id -> position, from the id array plus changes."""

    _GONE = -1

    def __init__(self, ids: _Ids) -> None:
        self._ids = ids
        self._changed: dict[str, int] = {}

    def get(self, doc_id, default=None):
        p = self._changed.get(doc_id)
        if p is None:
            p = self._ids.base_position(doc_id)
        return default if p is None or p == self._GONE else p

    def __contains__(self, doc_id) -> bool:
        return self.get(doc_id) is not None

    def __getitem__(self, doc_id) -> int:
        p = self.get(doc_id)
        if p is None:
            raise KeyError(doc_id)
        return p

    def __setitem__(self, doc_id, p: int) -> None:
        self._changed[doc_id] = int(p)

    def pop(self, doc_id, default=None):
        p = self.get(doc_id)
        if p is None:
            return default
        self._changed[doc_id] = self._GONE
        return p


_UNIT_TOKENS = frozenset(
    part
    for u in UNITS.values()
    for part in re.split(r"[/·().]", u.symbol.lower())
    if part and part.isascii()
) | {"mm3", "cm2", "cm3", "m2", "m3", "mj", "wh", "kwh", "dtex", "cn"}
_NUMBER_RE = re.compile(r"^[\d.×x^%~-]+$")


def _is_quantity_token(tok: str) -> bool:
    """A number or a unit symbol, e.g. ``90``, ``0.08``, ``nm``, ``mpa``.

    Examples:
        >>> [t for t in ["光刻胶", "90", "nm", "krf", "3.5", "mpa"] if not _is_quantity_token(t)]
        ['光刻胶', 'krf']
    """
    return bool(_NUMBER_RE.match(tok)) or tok in _UNIT_TOKENS


def _normalize_rows(m: np.ndarray) -> np.ndarray:
    mapped = m if isinstance(m, np.memmap) and m.dtype == np.float32 and m.ndim == 2 else None
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    if mapped is not None and np.all((np.abs(norms - 1) < 1e-4) | (norms == 0)):
        return mapped  # a mapped file of unit rows stays mapped (shared between processes)
    return m / np.maximum(norms, 1e-12)


# ---------------------------------------------------------------------------------------------
# Engine
# ---------------------------------------------------------------------------------------------


class MatchingEngine:
    """Holds the pools and the signals; ranks in three directions with explanations.

    Args:
        tokenizer: a :class:`~.tokenize.Tokenizer` (default: packaged stop words, no terms).
        encoder: any object with ``encode(list[str]) -> np.ndarray`` (rows are embeddings),
            e.g. :class:`~.dense.USEEncoder`; ``None`` (default) disables the dense signal.
        ngram_factory: callable ``texts -> index`` where the index has
            ``search(text, k) -> (positions, scores)``, ``score(text, positions)``,
            ``add_or_replace(position, text)`` and ``remove(position)``;
            ``None`` disables the n-gram signal (see :func:`default_ngram_factory`).
        weights: fusion weights per signal (default: :func:`default_weights` of the
            configured signals, learned on the labelled set).
        fusion: ``"calibrated"`` (default, ADR 0360), ``"weighted"`` (min–max, ADR 0302) or
            ``"rrf"``.
        candidate_k: candidates taken from each retrieval signal.
        structured_weights: factor weights for :func:`~.structured.structured_fit`.

    Examples:
        >>> eng = MatchingEngine(ngram_factory=None)
        >>> eng.set_researchers([
        ...     ResearcherDoc("r1", "甲", keywords=("光刻胶",), achievements="分辨率 80 nm",
        ...                   domain="新一代信息技术"),
        ...     ResearcherDoc("r2", "乙", keywords=("鞋底",), achievements="DIN磨耗 60 mm³",
        ...                   domain="新材料与石油化工")])
        >>> c = ChallengeDoc("c1", "光刻胶分辨率", "需要光刻胶", domain="新一代信息技术",
        ...                  indicators=(IndicatorTarget("分辨率", "<=", 90, "nm"),))
        >>> [m.id for m in eng.match_challenge(c, k=2)]
        ['r1', 'r2']
        >>> eng.match_challenge(c, k=1)[0].explanation["indicators"]["indicators"][0]["status"]
        'meets'
    """

    def __init__(
        self,
        *,
        tokenizer: Tokenizer | None = None,
        encoder=None,
        ngram_factory: Callable | None | str = "default",
        weights: Mapping[str, float] | None = None,
        fusion: str = "calibrated",
        candidate_k: int = 100,
        rrf_k: float = 60.0,
        structured_weights: Mapping[str, float] | None = None,
        floors: Mapping[str, float] | None = None,
    ) -> None:
        if fusion not in METHODS:
            raise InvalidInputError("fusion 必须是 calibrated、weighted 或 rrf", fusion=fusion)
        if candidate_k <= 0:
            raise InvalidInputError("candidate_k 必须为正数", candidate_k=candidate_k)
        self.tokenizer = tokenizer or Tokenizer()
        self.encoder = encoder
        self._ngram_factory = default_ngram_factory() if ngram_factory == "default" else ngram_factory
        self.weights = dict(default_weights(self.signal_names) if weights is None else weights)
        self.fusion = fusion
        self.candidate_k = candidate_k
        self.rrf_k = rrf_k
        self.structured_weights = structured_weights
        self.floors = dict(FLOORS if floors is None else floors)
        self._pools: dict[str, _Pool] = {}

    # -- pools ----------------------------------------------------------------------------------

    def _query_tokens(self, text: str, pool: "_Pool | None" = None, *,
                      parts: bool = True) -> list[str]:
        """Query tokens for BM25: numbers and unit symbols dropped (the indicator signal reads
        quantities; as words, "90" or "nm" only match unrelated profiles), and the pool's own
        boilerplate (words in too many of its documents, ADR 0361)."""
        stop = pool.stop if pool is not None else frozenset()
        return [t for t in self.tokenizer.tokenize(text, parts=parts)
                if not _is_quantity_token(t) and t not in stop]

    def _ngram_query(self, text: str, pool: "_Pool | None" = None) -> str:
        """Query text for the n-gram index: the BM25 query words joined by spaces, so no
        n-gram spans a number, a unit, a stop word or punctuation; compound terms once, without
        their parts (their n-grams are the whole term's already)."""
        return " ".join(self._query_tokens(text, pool, parts=False))

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), np.float32)
        return _normalize_rows(self.encoder.encode(list(texts)))

    def set_researchers(self, docs: Sequence[ResearcherDoc], embeddings=None) -> None:
        """Index the researcher pool (replaces any previous one); ``embeddings`` (one row per
        document, e.g. stored vectors) skips encoding."""
        self._pools["researchers"] = _Pool(docs, self, embeddings)

    def set_challenges(self, docs: Sequence[ChallengeDoc], embeddings=None) -> None:
        """Index the challenge pool (replaces any previous one); ``embeddings`` (one row per
        document, e.g. stored vectors) skips encoding."""
        self._pools["challenges"] = _Pool(docs, self, embeddings)

    def set_enterprises(self, docs: Sequence[EnterpriseDoc], embeddings=None) -> None:
        """Index the enterprise pool (replaces any previous one); ``embeddings`` (one row per
        document, e.g. stored vectors) skips encoding."""
        self._pools["enterprises"] = _Pool(docs, self, embeddings)

    def attach_pool(self, name: str, *, object_ids: np.ndarray, docs: LazyDocs,
                    lexical: LexicalIndex, stop: frozenset[str], embeddings=None,
                    text_hashes: np.ndarray | None = None, unit_rows: bool = False) -> None:
        """Use a pool indexed elsewhere (see :meth:`_Pool.attached`): document ids are the
        strings of ``object_ids``; ``docs`` fetches candidates' records on demand;
        ``unit_rows``: the embeddings' rows are known to be unit (or zero) rows."""
        if name not in ("researchers", "challenges", "enterprises"):
            raise InvalidInputError(f"未知的文档池：{name}", pool=name)
        self._pools[name] = _Pool.attached(self, _Ids(object_ids), docs, lexical, stop,
                                           embeddings, text_hashes, unit_rows)

    def upsert(self, pool: str, doc) -> None:
        """Add or replace one document in a pool (``researchers``, ``challenges``,
        ``enterprises``) without rebuilding it.

        Examples:
            >>> eng = MatchingEngine(ngram_factory=None)
            >>> eng.set_researchers([ResearcherDoc("r1", "甲", keywords=("光刻胶",))])
            >>> eng.upsert("researchers", ResearcherDoc("r2", "乙", keywords=("光刻胶", "分辨率")))
            >>> eng.remove("researchers", "r1")
            >>> [m.id for m in eng.match_challenge(ChallengeDoc("c", "光刻胶", "分辨率"), k=5)]
            ['r2']
        """
        self.pool(pool).upsert(doc)

    def remove(self, pool: str, doc_id: str) -> None:
        """Remove one document from a pool."""
        self.pool(pool).remove(doc_id)

    def pool(self, name: str) -> _Pool:
        if name not in self._pools:
            raise InvalidInputError(f"尚未建立索引：{name} (pool not indexed)", pool=name)
        return self._pools[name]

    @property
    def signal_names(self) -> tuple[str, ...]:
        """Signals this engine computes (n-gram and dense only when configured)."""
        return tuple(s for s in SIGNALS
                     if (s != "ngram" or self._ngram_factory) and (s != "dense" or self.encoder))

    # -- the three directions --------------------------------------------------------------------

    def match_challenge(self, challenge: ChallengeDoc, k: int = 20, *, explain: bool = True,
                        exclude: Sequence[str] = ()) -> list[Match]:
        """Researchers for a challenge, best first (see the class example)."""
        return self.rank("challenge_to_researchers", challenge, k, explain=explain,
                         exclude=exclude)

    def match_researcher(self, researcher: ResearcherDoc, k: int = 20, *, explain: bool = True,
                         exclude: Sequence[str] = (), collapse: bool = False) -> list[Match]:
        """Challenges for a researcher, best first (``exclude``: challenges the researcher
        already claimed; ``collapse``: near-duplicate listings shown once, ADR 0362).

        The candidate challenge's indicator targets are read against the researcher's text.

        Examples:
            >>> eng = MatchingEngine(ngram_factory=None)
            >>> eng.set_challenges([
            ...     ChallengeDoc("c1", "鞋底耐磨", "橡胶大底耐磨提升", domain="新材料与石油化工",
            ...                  indicators=(IndicatorTarget("耐磨", "<=", 80, "mm³"),)),
            ...     ChallengeDoc("c2", "光刻胶", "KrF光刻胶分辨率", domain="新一代信息技术")])
            >>> r = ResearcherDoc("r1", "甲", keywords=("橡胶大底",), achievements="DIN磨耗 0.06 cm³",
            ...                   domain="新材料与石油化工")
            >>> top = eng.match_researcher(r, k=1)[0]
            >>> top.id, top.explanation["indicators"]["indicators"][0]["value"]
            ('c1', 60.0)
        """
        return self.rank("researcher_to_challenges", researcher, k, explain=explain,
                         exclude=exclude, collapse=collapse)

    def match_offer(self, offer: OfferDoc, k: int = 20, *, explain: bool = True,
                    exclude: Sequence[str] = ()) -> list[Match]:
        """Enterprises for a technology offer, best first.

        The targets of each enterprise's past challenges are read against the offer's text.

        Examples:
            >>> eng = MatchingEngine(ngram_factory=None)
            >>> past = ChallengeDoc("p1", "大底耐磨", "橡胶大底", indicators=(
            ...     IndicatorTarget("耐磨", "<=", 80, "mm³"),))
            >>> eng.set_enterprises([
            ...     EnterpriseDoc("e1", "鞋企", "运动鞋服", ("跑鞋",), "新材料与石油化工", "晋江", (past,)),
            ...     EnterpriseDoc("e2", "食品厂", "休闲食品", ("肉脯",), "现代农业与食品", "晋江")])
            >>> offer = OfferDoc("o1", "耐磨橡胶大底配方", "DIN磨耗 55 mm³", "新材料与石油化工")
            >>> [m.id for m in eng.match_offer(offer, k=2, explain=False)]
            ['e1', 'e2']
        """
        return self.rank("offer_to_enterprises", offer, k, explain=explain, exclude=exclude)

    # -- shared machinery -----------------------------------------------------------------------

    def _pool_for(self, direction: str) -> _Pool:
        return self.pool({"challenge_to_researchers": "researchers",
                          "researcher_to_challenges": "challenges",
                          "offer_to_enterprises": "enterprises"}[direction])

    @staticmethod
    def _check_direction(direction: str) -> None:
        if direction not in DIRECTIONS:
            raise InvalidInputError(f"未知的匹配方向：{direction}", direction=direction)

    def candidates(self, direction: str, query) -> np.ndarray:
        """Positions in the pool of the candidates for ``query`` (union of retrieval top-K)."""
        self._check_direction(direction)
        pool = self._pool_for(direction)
        n = len(pool)
        if n <= self.candidate_k:
            return pool.positions()
        qtext, _ = _join(query.text_fields())
        found = [pool.lexical.search(self._query_tokens(qtext, pool), self.candidate_k).ids]
        if pool.ngram is not None:
            found.append(np.asarray(pool.ngram.search(self._ngram_query(qtext, pool),
                                                      self.candidate_k)[0]))
        if pool.dense is not None:
            found.append(pool.dense.search(self._embed([qtext])[0], self.candidate_k).ids)
        out = np.unique(np.concatenate([np.asarray(f, np.int64) for f in found]))
        return out[pool.alive[out]]

    def _ready_candidates(self, direction: str, query, pool: _Pool, also: int | None = None
                          ) -> np.ndarray:
        """:meth:`candidates` (plus position ``also``) with their documents readable; when a
        record turned out to be gone (a pool fetched on demand), it is removed and the
        candidates are taken again, so it never takes another's place."""
        while True:
            pos = self.candidates(direction, query)
            if also is not None and pool.alive[also]:
                pos = np.union1d(pos, [also])
            ready = pool.ready(pos)
            if len(ready) == len(pos):
                return ready

    def _pair(self, direction: str, query, cand):
        """(need, provider, targets, evidence fields, evidence side) of one pair."""
        if direction == "challenge_to_researchers":
            return query, cand, query.indicators, "candidate"
        if direction == "researcher_to_challenges":
            return cand, query, cand.indicators, "query"
        return cand, query, cand.indicators, "query"

    def signal_scores(self, direction: str, query, positions=None,
                      signals: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Raw scores of each signal for ``query`` against pool ``positions`` (all if None).

        Examples:
            >>> eng = MatchingEngine(ngram_factory=None)
            >>> eng.set_challenges([ChallengeDoc("c1", "鞋底耐磨", "橡胶大底")])
            >>> s = eng.signal_scores("researcher_to_challenges",
            ...                       ResearcherDoc("r", "甲", keywords=("鞋底",)))
            >>> sorted(s), bool(s["lexical"][0] > 0)
            (['indicator', 'lexical', 'structured'], True)
        """
        self._check_direction(direction)
        pool = self._pool_for(direction)
        pos = pool.positions() if positions is None else np.asarray(positions, np.int64)
        if "indicator" in (signals or self.signal_names) or "structured" in (
                signals or self.signal_names):
            pool.ready(pos)  # documents fetched on demand: these candidates in one go
        wanted = [s for s in (signals or self.signal_names) if s in self.signal_names]
        qtext, _ = _join(query.text_fields())
        out: dict[str, np.ndarray] = {}
        if "lexical" in wanted:
            # calibrated: the share of the query's idf mass a candidate matches (ADR 0360)
            toks = self._query_tokens(qtext, pool)
            bm25 = pool.lexical.score(toks, pos.tolist()).astype(float)
            mass = idf_mass(pool.lexical.vocab, pool.lexical.idf, toks)
            out["lexical"] = bm25 / mass if mass > 0 else np.zeros(len(pos))
        if "ngram" in wanted:
            nq = self._ngram_query(qtext, pool)
            raw = np.asarray(pool.ngram.score(nq, pos), dtype=float)
            mass = pool.ngram.mass(nq) if hasattr(pool.ngram, "mass") else 0.0
            out["ngram"] = raw / mass if mass > 0 else raw
        if "dense" in wanted:
            out["dense"] = (pool.emb_rows(pos) @ self._embed([qtext])[0]).astype(float)
        if "indicator" in wanted or "structured" in wanted:
            ind, st = np.zeros(len(pos)), np.zeros(len(pos))
            for j, p in enumerate(pos.tolist()):
                need, provider, targets, side = self._pair(direction, query, pool.docs[p])
                if "indicator" in wanted and targets:
                    text = pool.texts[p] if side == "candidate" else qtext
                    ind[j] = indicator_signal(coverage(targets, text))
                if "structured" in wanted:
                    st[j] = structured_fit(need, provider, self.structured_weights).score
            if "indicator" in wanted:
                out["indicator"] = ind
            if "structured" in wanted:
                out["structured"] = st
        return out

    def fuse(self, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        """Fused score of aligned signal arrays with this engine's method and weights."""
        return fuse(scores, self.weights, self.fusion, rrf_k=self.rrf_k, floors=self.floors)

    def contributions(self, scores: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each signal's term of the fused score per candidate, relative to the median
        candidate for ``calibrated`` (what the explanation credits, ADR 0363)."""
        if self.fusion == "calibrated":
            out = contributions(scores, self.weights, self.floors)
            return {n: out.get(n, np.zeros(len(v))) for n, v in scores.items()}
        if self.fusion == "rrf":
            return {n: (float(self.weights.get(n, 0.0)) / (self.rrf_k + ranks(v))
                        if self.weights.get(n, 0.0) else np.zeros(len(v)))
                    for n, v in scores.items()}
        out = {}
        for n, v in scores.items():
            c = float(self.weights.get(n, 0.0)) * minmax(v)
            out[n] = c - float(np.median(c)) if len(c) else c
        return out

    def rank(self, direction: str, query, k: int = 20, *, explain: bool = True,
             exclude: Sequence[str] = (), collapse: bool = False) -> list[Match]:
        """Rank the pool of ``direction`` for ``query``; top ``k`` with explanations.

        With ``collapse``, candidates whose titles are near-duplicates of a better ranked one
        (:mod:`.dedupe`) are folded into it (``Match.similar``) instead of taking a place."""
        self._check_direction(direction)
        if k <= 0:
            raise InvalidInputError("k 必须为正数 (k must be positive)", k=k)
        pool = self._pool_for(direction)
        if len(pool) == 0:
            return []
        pos = self._ready_candidates(direction, query, pool)
        if exclude:
            bad = {pool.pos[e] for e in exclude if e in pool.pos}
            pos = np.array([p for p in pos.tolist() if p not in bad], np.int64)
            if len(pos) == 0:
                return []
        scores = self.signal_scores(direction, query, pos)
        fused = self.fuse(scores)
        order = np.lexsort((pos, -fused))  # ties: pool order
        groups: list[list[int]]
        if collapse:
            titles = [str(getattr(pool.docs[int(pos[j])], "title", "") or pool.ids[int(pos[j])])
                      for j in order.tolist()]
            groups = group_near_duplicates(order.tolist(), titles)[:k]
        else:
            groups = [[j] for j in order[:k].tolist()]
        out = []
        sig_ranks = {n: ranks(v) for n, v in scores.items()}
        contrib = self.contributions(scores)
        for r, group in enumerate(groups, start=1):
            j = group[0]
            p = int(pos[j])
            similar = tuple(pool.ids[int(pos[i])] for i in group[1:])
            raw = {n: float(v[j]) for n, v in scores.items()}
            expl = self._explain(direction, query, pool, p, j, r, float(fused[j]), scores,
                                 sig_ranks, contrib, similar) if explain else None
            out.append(Match(pool.ids[p], r, float(fused[j]), raw, expl, similar))
        return out

    def explain(self, direction: str, query, candidate_id: str) -> dict:
        """Explanation of one pair, ranked among the usual candidates plus that one.

        Examples:
            >>> eng = MatchingEngine(ngram_factory=None)
            >>> eng.set_researchers([ResearcherDoc("r1", "甲", keywords=("光刻胶",))])
            >>> d = eng.explain("challenge_to_researchers",
            ...                 ChallengeDoc("c", "光刻胶", "需要光刻胶"), "r1")
            >>> d["rank"], d["matched_terms"][0]["term"]
            (1, '光刻胶')
        """
        self._check_direction(direction)
        pool = self._pool_for(direction)
        if candidate_id not in pool.pos:
            raise UnknownDocumentError(f"未找到候选：{candidate_id}", candidate_id=candidate_id)
        p = pool.pos[candidate_id]
        pos = self._ready_candidates(direction, query, pool, also=p)
        if p not in pos:
            raise UnknownDocumentError(f"未找到候选：{candidate_id}", candidate_id=candidate_id)
        scores = self.signal_scores(direction, query, pos)
        fused = self.fuse(scores)
        j = int(np.flatnonzero(pos == p)[0])
        r = int(ranks(fused)[j])
        return self._explain(direction, query, pool, p, j, r, float(fused[j]), scores,
                             {n: ranks(v) for n, v in scores.items()},
                             self.contributions(scores))

    def _explain(self, direction, query, pool, p, j, rank, fused, scores, sig_ranks, contrib,
                 similar=()):
        cand = pool.docs[p]
        qtext, q_offsets = _join(query.text_fields())
        need, provider, targets, side = self._pair(direction, query, cand)
        signals = {}
        for n, v in scores.items():
            signals[n] = {"raw": float(v[j]), "rank": int(sig_ranks[n][j]),
                          "weight": float(self.weights.get(n, 0.0)),
                          "contribution": float(contrib[n][j])}
        evidence = pool.texts[p] if side == "candidate" else qtext
        offsets = pool.offsets[p] if side == "candidate" else q_offsets
        cov = coverage(targets, evidence) if targets else None
        return explain_pair(
            query_id=query.id, candidate_id=cand.id, direction=direction, rank=rank,
            fused_score=fused, fusion=self.fusion, signals=signals,
            matched_terms=pool.lexical.matched_terms(self._query_tokens(qtext, pool), p),
            candidate_fields=cand.text_fields(), coverage=cov, evidence_offsets=offsets,
            evidence_side=side,
            structured=structured_fit(need, provider, self.structured_weights),
            similar=similar,
        )


def default_ngram_factory():
    """The core package's character n-gram index as a factory, or ``None`` if unavailable."""
    try:
        from .ngrams import CharNgramIndex  # noqa: F401
    except ImportError:  # pragma: no cover - the module ships with the package
        return None
    return _ngram_adapter_factory


def _ngram_adapter_factory(texts: Sequence[str]):
    return _NgramAdapter(texts)


class _NgramAdapter:
    """Adapts :class:`.ngrams.CharNgramIndex` to ``search(text, k) -> (positions, scores)`` /
    ``score(text, positions)``; documents are pool positions."""

    def __init__(self, texts: Sequence[str]):
        from .ngrams import CharNgramIndex

        self.index = CharNgramIndex.build(list(texts), list(range(len(texts))))

    def search(self, text: str, k: int):
        res = self.index.search(text, k)
        return np.asarray(res.ids, np.int64), np.asarray(res.scores, float)

    def score(self, text: str, positions) -> np.ndarray:
        return np.asarray(self.index.score(text, [int(p) for p in positions]), float)

    def mass(self, text: str) -> float:
        """Upper bound of the n-gram BM25 score of ``text`` (calibration, ADR 0360)."""
        idx = self.index.index
        return idf_mass(idx.vocab, idx.idf, self.index.analyze(text))

    def add_or_replace(self, position: int, text: str) -> None:
        self.index.add_or_replace(int(position), text)

    def remove(self, position: int) -> None:
        self.index.remove(int(position))
