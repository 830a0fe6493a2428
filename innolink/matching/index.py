"""The per-process matching engine, kept in step with the database.

A module-level holder builds one :class:`MatchingEngine` lazily from the database (with the
stored embeddings) and guards it with a lock. Before every query :func:`engine_session` runs a
cheap delta sync: rows whose ``updated_at`` is at or after the last watermark (minus an overlap,
so a transaction that committed late is still seen) are upserted into the engine's pools, or
removed when a challenge is no longer open. Nothing here is state another process needs: the
database is the one source of truth, and :class:`MatchIndexState.generation` tells every process
when to throw its engine away (full rebuild, term-dictionary change).

Usage::

    with engine_session() as engine:
        matches = engine.match_challenge(doc, k=20)
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from innolink.challenges.models import CLAIMABLE_STATES, Challenge, Proposal, ResearcherProfile
from innolink.engines.matching._errors import EncoderUnavailableError, UnknownDocumentError
from innolink.engines.matching.engine import LazyDocs, MatchingEngine, _Pool
from innolink.engines.matching.tokenize import Tokenizer
from innolink.enterprises.models import Enterprise
from innolink.matching import fetch, shared_index
from innolink.matching.models import MatchIndexState, StoredEmbedding, TechTerm

logger = logging.getLogger(__name__)

#: rows written this long before the last sync are read again (late commits, clock skew)
OVERLAP = timedelta(seconds=10)
#: at most this many profiles without a stored vector are encoded during a build; with more,
#: the engine runs without the dense signal until the encode job has stored them
MAX_INLINE_ENCODE = 200
DEFAULT_ENCODER = "use"

POOLS = (("researchers", StoredEmbedding.Kind.RESEARCHER),
         ("challenges", StoredEmbedding.Kind.CHALLENGE),
         ("enterprises", StoredEmbedding.Kind.ENTERPRISE))


# --- encoder -------------------------------------------------------------------------------

_encoders: dict[str, object] = {}
_encoder_lock = threading.Lock()


def encoder_setting() -> str:
    """``settings.INNOLINK_MATCHING_ENCODER``: "none", "use" (default), "hashing" (tests) or a
    local directory of a sentence-transformers model."""
    return str(getattr(settings, "INNOLINK_MATCHING_ENCODER", DEFAULT_ENCODER) or "none")


#: "auto" keeps the n-gram index up to this many researchers + challenges when a dense model
#: is on (ADR 0360: on the real set n-grams add about 0.02 nDCG@10 to the dense fusion; their
#: index is about two thirds of the build time and 0.5–0.8 GB per process at 20,000 profiles)
NGRAM_AUTO_MAX_DOCS = 20_000


def ngrams_enabled(dense: bool, n_docs: int = 0) -> bool:
    """``settings.INNOLINK_MATCHING_NGRAMS``: "auto" (default: on without a dense model, and
    with one while researchers + challenges ≤ :data:`NGRAM_AUTO_MAX_DOCS`), "on" or "off"."""
    value = str(getattr(settings, "INNOLINK_MATCHING_NGRAMS", "auto"))
    return value == "on" or (value == "auto" and (not dense or n_docs <= NGRAM_AUTO_MAX_DOCS))


def get_encoder():
    """The configured encoder, loaded once per process; ``None`` for "none" or when the model
    cannot be loaded (logged: the other four signals still work)."""
    value = encoder_setting()
    if value == "none":
        return None
    with _encoder_lock:
        if value not in _encoders:
            from innolink.engines.matching import dense

            try:
                if value == "use":
                    _encoders[value] = dense.USEEncoder()
                elif value == "hashing":
                    _encoders[value] = dense.HashingEncoder(dim=128)
                else:
                    _encoders[value] = dense.SentenceTransformerEncoder(value)
            except EncoderUnavailableError:
                logger.exception("matching encoder %r unavailable; dense signal off", value)
                _encoders[value] = None
        return _encoders[value]


def encode_token_cache_mib() -> float:
    """``settings.INNOLINK_MATCHING_ENCODE_TOKEN_CACHE_MIB`` (default 128): the bound of each
    encode worker's per-token-id cache (13 KiB per id: about 10,000 ids; ADR 0702)."""
    return max(0.0, float(getattr(settings, "INNOLINK_MATCHING_ENCODE_TOKEN_CACHE_MIB", 128)))


def encoder_factory():
    """A picklable callable that builds the configured encoder in a worker process (for the
    encode job's worker processes), or ``None`` when the encoder is not a built-in one."""
    value = encoder_setting()
    from functools import partial

    from innolink.engines.matching import dense

    if value == "use":  # the bulk path: a bounded per-token-id cache (ADR 0702)
        return partial(dense.USEEncoder, threads=1, token_cache_mib=encode_token_cache_mib())
    if value == "hashing":
        return partial(dense.HashingEncoder, dim=128)
    return None


_tokenizers: dict[tuple[str, ...], Tokenizer] = {}


def get_tokenizer(terms: list[str]) -> Tokenizer:
    """One tokenizer per term set per process (building one loads jieba's dictionary)."""
    key = tuple(sorted(terms))
    if key not in _tokenizers:
        _tokenizers.clear()  # keep only the current dictionary
        _tokenizers[key] = Tokenizer(terms=key)
    return _tokenizers[key]


# --- stored vectors ------------------------------------------------------------------------

def _vector_bytes(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype="<f4").tobytes()


def stored_vectors(kind: str, model: str) -> dict[int, tuple[str, bytes]]:
    """object id -> (text hash, vector bytes) of every stored vector of a kind and model."""
    return {oid: (h, bytes(v)) for oid, h, v in StoredEmbedding.objects.filter(
        kind=kind, model=model).values_list("object_id", "text_hash", "vector").iterator(
        chunk_size=5000)}


def store_vectors(kind: str, model: str, items: list[tuple[int, str, np.ndarray]]) -> int:
    """Insert or replace vectors ``(object id, text hash, vector)``."""
    if not items:
        return 0
    objs = [StoredEmbedding(kind=kind, model=model, object_id=oid, text_hash=h,
                            dim=int(len(vec)), vector=_vector_bytes(vec),
                            updated_at=timezone.now())
            for oid, h, vec in items]
    StoredEmbedding.objects.bulk_create(
        objs, batch_size=1000, update_conflicts=True,
        unique_fields=["kind", "model", "object_id"],
        update_fields=["text_hash", "dim", "vector", "updated_at"])
    return len(objs)


def stale_documents(kind: str, model: str, docs) -> list[tuple[int, str, str]]:
    """``(object id, text, text hash)`` of the documents whose stored vector is missing or was
    computed from another text."""
    have = {oid: h for oid, h in StoredEmbedding.objects.filter(kind=kind, model=model)
            .values_list("object_id", "text_hash").iterator(chunk_size=10000)}
    out = []
    for d in docs:
        text = fetch.doc_text(d)
        h = fetch.text_hash(text)
        if have.get(int(d.id)) != h:
            out.append((int(d.id), text, h))
    return out


# --- the holder ----------------------------------------------------------------------------

@dataclass
class _Cache:
    engine: MatchingEngine
    generation: int
    encoder: str
    dense: bool
    watermark: datetime
    built_at: float
    synced_at: float = 0.0
    #: per kind: object id -> updated_at last applied (skips rows seen in the overlap)
    seen: dict[str, dict[int, datetime]] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


_lock = threading.RLock()
_cache: _Cache | None = None


def reset_index_cache() -> None:
    """Forget this process's engine (tests; the next query rebuilds from the database)."""
    global _cache
    with _lock:
        _cache = None


def current_generation() -> int:
    return MatchIndexState.objects.filter(pk=1).values_list("generation", flat=True).first() or 0


def _matrix(kind: str, docs, encoder, shared=None) -> tuple[np.ndarray | None, list]:
    """Stored vectors for ``docs`` in order, and the (position, id, text, hash) still missing.

    With the machine's shared index (``shared``: that pool of it) the rows come from the
    mapped file: when it holds exactly these documents with these texts the mapping itself is
    returned (no copy, shared with every other process); otherwise its current rows are copied
    and only the rest is read from the database."""
    texts = [fetch.doc_text(d) for d in docs]
    hashes = [fetch.text_hash(t) for t in texts]
    ids = [int(d.id) for d in docs]
    mat = None
    todo = range(len(docs))
    if shared is not None:
        mapping, found = shared_index.rows_for(shared, ids, hashes)
        if mapping is not None:
            return mapping, []
        mat = np.zeros((len(docs), encoder.dim), np.float32)
        hit = found >= 0
        if hit.any():
            mat[hit] = shared.vectors[found[hit]]
        todo = np.flatnonzero(~hit).tolist()
    if mat is None:
        mat = np.zeros((len(docs), encoder.dim), np.float32)
    if shared is not None and len(todo) < len(docs) // 2:
        have = {oid: (h, bytes(v)) for oid, h, v in StoredEmbedding.objects.filter(
            kind=kind, model=encoder.name, object_id__in=[ids[i] for i in todo])
            .values_list("object_id", "text_hash", "vector")}
    else:
        have = stored_vectors(kind, encoder.name)
    missing = []
    for i in todo:
        hit = have.get(ids[i])
        if hit and hit[0] == hashes[i] and len(hit[1]) == 4 * encoder.dim:
            mat[i] = np.frombuffer(hit[1], dtype="<f4")
        else:
            missing.append((i, ids[i], texts[i], hashes[i]))
    return mat, missing


def write_machine_index(generation: int | None = None, directory=None):
    """Write the shared index of the current records (their current stored vectors only) for
    every process of this machine to map; returns its path, or ``None`` without an encoder.
    Run by the rebuild job after encoding (ADR 0341)."""
    encoder = get_encoder()
    if encoder is None:
        return None
    started = timezone.now()
    generation = current_generation() if generation is None else generation
    terms = list(TechTerm.objects.values_list("term", flat=True))
    pools, all_docs, complete = {}, {}, True
    for name, kind in POOLS:
        docs = [d for _, d in LOADERS[name]()]
        mat, missing = _matrix(kind, docs, encoder)
        gone = {i for i, _, _, _ in missing}
        complete = complete and not gone
        keep = [i for i in range(len(docs)) if i not in gone]
        pools[name] = ([int(docs[i].id) for i in keep],
                       [fetch.text_hash(fetch.doc_text(docs[i])) for i in keep], mat[keep])
        all_docs[name] = docs
    lexical = None
    n_docs = len(all_docs["researchers"]) + len(all_docs["challenges"])
    if complete and not ngrams_enabled(True, n_docs):
        # the whole index (ADR 0700): each pool's BM25 arrays over its rows in this order
        engine = MatchingEngine(tokenizer=get_tokenizer(terms), encoder=None,
                                ngram_factory=None)
        lexical = {}
        for name, _ in POOLS:
            engine._pools[name] = pool = _Pool(all_docs[name], engine)
            lexical[name] = (pool.lexical, pool.stop)
            del engine._pools[name]
    return shared_index.write_shared_index(
        generation=generation, encoder=encoder.name, dim=encoder.dim, pools=pools,
        directory=directory, lexical=lexical, terms_hash=terms_hash(terms),
        watermark=started)


LOADERS = {"researchers": fetch.researcher_docs, "challenges": fetch.challenge_docs,
           "enterprises": fetch.enterprise_docs}


def terms_hash(terms) -> str:
    """The term dictionary's fingerprint (a set tokenised with other terms is not used)."""
    return fetch.text_hash("\n".join(sorted(terms)))


def _doc_loader(name: str, object_ids: np.ndarray):
    """``positions -> {position: doc}`` for an attached pool: one query for the candidates
    (a record that no longer qualifies, e.g. a challenge no longer open, is absent)."""
    querysets = {"researchers": fetch.researchers_queryset,
                 "challenges": fetch.open_challenges,
                 "enterprises": Enterprise.objects.all}

    def load(positions: list[int]) -> dict[int, object]:
        want = {int(object_ids[p]): p for p in positions if p < len(object_ids)}
        rows = LOADERS[name](querysets[name]().filter(pk__in=list(want)))
        return {want[row.pk]: doc for row, doc in rows}

    return load


def _attach_shared(shared, generation: int, terms: list[str], encoder) -> _Cache | None:
    """The engine over the machine's shared index (no tokenising, no encoding, no record
    read but the delta), or ``None`` when the set is not for this generation, term
    dictionary or configuration (ADR 0700)."""
    if not bool(getattr(settings, "INNOLINK_MATCHING_SHARED_LEXICAL", True)):
        return None
    if (shared is None or not shared.has_lexical or shared.generation != generation
            or shared.terms_hash != terms_hash(terms)):
        return None
    n_docs = len(shared.pools["researchers"].ids) + len(shared.pools["challenges"].ids)
    if ngrams_enabled(True, n_docs):
        return None
    t0 = time.perf_counter()
    engine = MatchingEngine(tokenizer=get_tokenizer(terms), encoder=encoder,
                            ngram_factory=None)
    for name, _ in POOLS:
        sp = shared.pools[name]
        engine.attach_pool(name, object_ids=sp.ids, docs=LazyDocs(len(sp.ids), _doc_loader(
            name, sp.ids)), lexical=sp.lexical, stop=sp.stop, embeddings=sp.vectors,
            text_hashes=sp.hashes, unit_rows=True)  # the writer stored unit rows (format 3)
    cache = _Cache(engine=engine, generation=generation, encoder=encoder_setting(),
                   dense=True, watermark=shared.watermark - OVERLAP, built_at=0.0,
                   seen={name: {} for name, _ in POOLS} | {"proposals": {}},
                   stats={name: len(sp.ids) for name, sp in shared.pools.items()})
    cache.stats["shared"] = 1
    sync(cache)  # the records changed since the worker read them
    cache.built_at = time.perf_counter() - t0
    return cache


def shared_enabled() -> bool:
    """``settings.INNOLINK_MATCHING_SHARED_INDEX`` (default on)."""
    return bool(getattr(settings, "INNOLINK_MATCHING_SHARED_INDEX", True))


def build_engine(generation: int | None = None) -> _Cache:
    """A fresh engine from the database (used by the holder and by the bench)."""
    started = timezone.now()
    t0 = time.perf_counter()
    generation = current_generation() if generation is None else generation
    terms = list(TechTerm.objects.values_list("term", flat=True))
    encoder = get_encoder()
    if encoder is not None and shared_enabled():
        cache = _attach_shared(
            shared_index.open_shared_index(encoder=encoder.name, dim=encoder.dim),
            generation, terms, encoder)
        if cache is not None:
            return cache
    rows = {"researchers": fetch.researcher_docs(), "challenges": fetch.challenge_docs(),
            "enterprises": fetch.enterprise_docs()}
    docs = {name: [d for _, d in r] for name, r in rows.items()}
    embeddings: dict[str, np.ndarray | None] = {name: None for name in docs}
    if encoder is not None:
        shared = (shared_index.open_shared_index(encoder=encoder.name, dim=encoder.dim)
                  if shared_enabled() else None)
        plans = {name: _matrix(kind, docs[name], encoder,
                               shared.pools.get(name) if shared else None)
                 for name, kind in POOLS}
        n_missing = sum(len(m) for _, m in plans.values())
        if n_missing > MAX_INLINE_ENCODE:
            logger.warning("%d profiles have no stored vector; dense signal off until the "
                           "matching rebuild job has run", n_missing)
            encoder = None
        else:
            for name, kind in POOLS:
                mat, missing = plans[name]
                if missing:
                    vecs = encoder.encode([t for _, _, t, _ in missing])
                    for (i, _, _, _), v in zip(missing, vecs):
                        mat[i] = v
                    store_vectors(kind, encoder.name,
                                  [(oid, h, v) for (_, oid, _, h), v in zip(missing, vecs)])
                embeddings[name] = mat
    n_docs = len(docs["researchers"]) + len(docs["challenges"])
    # the shipped fusion: calibrated signals, weights fitted on the real set (ADR 0360)
    engine = MatchingEngine(tokenizer=get_tokenizer(terms), encoder=encoder,
                            **({} if ngrams_enabled(encoder is not None, n_docs)
                               else {"ngram_factory": None}))
    engine.set_researchers(docs["researchers"], embeddings=embeddings["researchers"])
    engine.set_challenges(docs["challenges"], embeddings=embeddings["challenges"])
    engine.set_enterprises(docs["enterprises"], embeddings=embeddings["enterprises"])
    seen = {name: {r.pk: r.updated_at for r, _ in rows[name]} for name in rows}
    seen["proposals"] = {}
    cache = _Cache(engine=engine, generation=generation, encoder=encoder_setting(),
                   dense=encoder is not None, watermark=started - OVERLAP,
                   built_at=time.perf_counter() - t0, synced_at=time.monotonic(), seen=seen,
                   stats={name: len(d) for name, d in docs.items()})
    return cache


def _fresh(seen: dict[int, datetime], rows) -> list[int]:
    return [pk for pk, at in rows if seen.get(pk) != at]


def sync(cache: _Cache) -> dict[str, int]:
    """Apply the rows changed since the watermark; returns counts of what was applied."""
    now = timezone.now()
    since = cache.watermark
    engine, seen = cache.engine, cache.seen
    applied = {"researchers": 0, "challenges": 0, "removed": 0, "enterprises": 0}

    r_rows = list(ResearcherProfile.objects.filter(updated_at__gte=since)
                  .values_list("id", "updated_at"))
    p_rows = list(Proposal.objects.filter(updated_at__gte=since)
                  .values_list("id", "updated_at", "researcher_id"))
    researcher_ids = set(_fresh(seen["researchers"], r_rows))
    for pk, at, rid in p_rows:
        if seen["proposals"].get(pk) != at:
            researcher_ids.add(rid)
            seen["proposals"][pk] = at
    if researcher_ids:
        for row, doc in fetch.researcher_docs(
                fetch.researchers_queryset().filter(pk__in=researcher_ids)):
            engine.upsert("researchers", doc)
            seen["researchers"][row.pk] = row.updated_at
            applied["researchers"] += 1

    c_rows = list(Challenge.objects.filter(updated_at__gte=since)
                  .values_list("id", "updated_at", "state", "enterprise_id"))
    changed = [(pk, at, state, ent) for pk, at, state, ent in c_rows
               if seen["challenges"].get(pk) != at]
    enterprise_ids = {ent for _, _, _, ent in changed if ent}
    open_ids = [pk for pk, _, state, _ in changed if state in CLAIMABLE_STATES]
    for pk, at, state, _ in changed:
        if state not in CLAIMABLE_STATES:
            with contextlib.suppress(UnknownDocumentError):
                engine.remove("challenges", str(pk))
                applied["removed"] += 1
            seen["challenges"][pk] = at
    if open_ids:
        for row, doc in fetch.challenge_docs(Challenge.objects.filter(pk__in=open_ids)):
            engine.upsert("challenges", doc)
            seen["challenges"][row.pk] = row.updated_at
            applied["challenges"] += 1

    e_rows = list(Enterprise.objects.filter(updated_at__gte=since).values_list("id", "updated_at"))
    enterprise_ids.update(_fresh(seen["enterprises"], e_rows))
    if enterprise_ids:
        for row, doc in fetch.enterprise_docs(Enterprise.objects.filter(pk__in=enterprise_ids)):
            engine.upsert("enterprises", doc)
            seen["enterprises"][row.pk] = row.updated_at
            applied["enterprises"] += 1

    cache.watermark = max(since, now - OVERLAP)
    cache.synced_at = time.monotonic()
    return applied


def _sync_interval() -> float:
    return float(getattr(settings, "INNOLINK_MATCHING_SYNC_INTERVAL", 0.5))


@contextlib.contextmanager
def engine_session() -> Iterator[MatchingEngine]:
    """The engine, current with the database, held under the process lock while in use."""
    global _cache
    with _lock:
        generation = current_generation()
        if (_cache is None or _cache.generation != generation
                or _cache.encoder != encoder_setting()):
            _cache = build_engine(generation)
        elif time.monotonic() - _cache.synced_at >= _sync_interval():
            sync(_cache)
        yield _cache.engine


def cache_info() -> dict | None:
    """What this process holds (for the rebuild page and the bench)."""
    with _lock:
        if _cache is None:
            return None
        return {"generation": _cache.generation, "encoder": _cache.encoder,
                "dense": _cache.dense, "build_s": round(_cache.built_at, 3), **_cache.stats}
