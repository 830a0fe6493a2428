"""One dense-vector file set per machine, written by the worker and mapped by every web process.

The rebuild job (a db_worker) writes, per pool, the object ids, the SHA-1 of each encoded text
and the float32 unit vectors as ``.npy`` files into ``<dir>/gen-<generation>-<token>/`` and
then points ``<dir>/CURRENT`` at it (written to a temporary name and renamed: readers see the
old set or the new one, never half of one). A web process building its engine maps the
vectors copy-on-write (``np.load(mmap_mode="c")``): every process reads the same pages of the
page cache instead of holding its own copy; an upsert of one profile makes one private page.

A set is **refused** (and the process reads the stored vectors from the database, as before)
when it is missing, unreadable, of another format, encoder or dimension, or its row counts do
not add up. It is **checked row by row**: a row is used only if its text hash equals the hash
of the record's current text, so an edit made after the set was written is never hidden (the
row is taken from the database or encoded, as a missing vector would be). See ADR 0341.

A set may also carry each pool's **lexical index** (ADR 0700): the BM25 arrays of
:meth:`LexicalIndex.save_arrays` (``<pool>.lex.*.npy``, mapped read-only), the pool's
boilerplate words, the hash of the term dictionary it was tokenised with and the time the
worker started reading the records (``watermark``). A process that finds one for its
generation and term dictionary builds no index at all: it maps the arrays, fetches only the
candidates' records per query, and applies the rows changed since the watermark on top,
exactly as its own delta sync does.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from innolink.engines.matching.lexical import LexicalIndex

logger = logging.getLogger(__name__)

#: 3: vectors are stored as unit (or zero) rows, so a process maps them without reading every
#: row to normalise it (ADR 0342); 2: rows as given
FORMAT = 3
#: rows of each pool whose length a process checks when it opens a set (evenly spaced)
CHECKED_ROWS = 256
POOL_NAMES = ("researchers", "challenges", "enterprises")


def index_dir() -> Path:
    """``settings.INNOLINK_MATCHING_INDEX_DIR`` (default ``var/matching-index``)."""
    value = getattr(settings, "INNOLINK_MATCHING_INDEX_DIR", None)
    return Path(value) if value else Path(settings.BASE_DIR) / "var" / "matching-index"


@dataclass(frozen=True)
class SharedPool:
    ids: np.ndarray  # int64 object ids
    hashes: np.ndarray  # "S40": SHA-1 hex of the encoded text
    vectors: np.ndarray  # float32 unit rows, a copy-on-write mapping
    #: the pool's BM25 index over rows 0..n-1 (mapped read-only), when the set carries one
    lexical: LexicalIndex | None = None
    stop: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SharedIndex:
    path: Path
    generation: int
    encoder: str
    dim: int
    pools: dict[str, SharedPool]
    #: set with lexical indexes: hash of the term dictionary and the records' watermark
    terms_hash: str | None = None
    watermark: datetime | None = None

    @property
    def has_lexical(self) -> bool:
        return self.watermark is not None and all(
            p.lexical is not None for p in self.pools.values())


def write_shared_index(*, generation: int, encoder: str, dim: int,
                       pools: dict[str, tuple[list[int], list[str], np.ndarray]],
                       directory: Path | None = None,
                       lexical: dict[str, tuple[LexicalIndex, frozenset[str]]] | None = None,
                       terms_hash: str | None = None,
                       watermark: datetime | None = None) -> Path:
    """Write one set (``pools``: name -> (ids, text hashes, vectors)) and make it current;
    older sets are deleted (a process that still maps one keeps its pages until it unmaps).

    ``lexical`` (name -> (index over the pool's rows in order, boilerplate words)) adds the
    BM25 arrays, with ``terms_hash`` and ``watermark`` (when the records were read)."""
    root = directory or index_dir()
    root.mkdir(parents=True, exist_ok=True)
    name = f"gen-{generation}-{uuid.uuid4().hex[:8]}"
    tmp = root / f".{name}.tmp"
    tmp.mkdir()
    counts = {}
    for pool, (ids, hashes, vecs) in pools.items():
        vecs = _unit_rows(np.ascontiguousarray(vecs, dtype=np.float32).reshape(-1, dim))
        if not (len(ids) == len(hashes) == len(vecs)):
            raise ValueError(f"pool {pool}: ids, hashes and vectors differ in length")
        np.save(tmp / f"{pool}.ids.npy", np.asarray(ids, np.int64))
        np.save(tmp / f"{pool}.hashes.npy", np.asarray(hashes, "S40"))
        np.save(tmp / f"{pool}.vectors.npy", vecs)
        counts[pool] = len(ids)
    manifest = {"format": FORMAT, "generation": int(generation), "encoder": encoder,
                "dim": int(dim), "counts": counts}
    if lexical:
        if watermark is None or terms_hash is None or set(lexical) != set(pools):
            raise ValueError("a lexical set needs every pool, a watermark and a terms hash")
        metas, stops = {}, {}
        for pool, (lex, stop) in lexical.items():
            if lex.n_main != counts[pool] or not np.array_equal(
                    lex.main_ids, np.arange(counts[pool])):
                raise ValueError(f"pool {pool}: the lexical index must cover rows 0..n-1")
            metas[pool] = lex.save_arrays(tmp, f"{pool}.lex")
            stops[pool] = sorted(stop)
        manifest.update(lexical=metas, stop=stops, terms_hash=terms_hash,
                        watermark=watermark.isoformat())
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    final = root / name
    os.replace(tmp, final)
    pointer = root / f".CURRENT.{uuid.uuid4().hex[:8]}"
    pointer.write_text(name)
    os.replace(pointer, root / "CURRENT")
    for old in root.iterdir():
        if old.is_dir() and old.name != name and old.name.startswith(("gen-", ".gen-")):
            shutil.rmtree(old, ignore_errors=True)
    return final


def open_shared_index(*, encoder: str, dim: int,
                      directory: Path | None = None) -> SharedIndex | None:
    """The current set mapped read-only (copy-on-write), or ``None`` when there is none or it
    is refused (logged with the reason)."""
    root = directory or index_dir()
    try:
        name = (root / "CURRENT").read_text().strip()
    except OSError:
        return None
    path = root / name
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            return _refuse(path, f"format {manifest.get('format')!r}")
        if manifest.get("encoder") != encoder or manifest.get("dim") != dim:
            return _refuse(path, f"encoder {manifest.get('encoder')!r}/{manifest.get('dim')}, "
                                 f"wanted {encoder!r}/{dim}")
        pools = {}
        for pool, count in manifest["counts"].items():
            ids = np.load(path / f"{pool}.ids.npy")
            hashes = np.load(path / f"{pool}.hashes.npy")
            vecs = (np.load(path / f"{pool}.vectors.npy", mmap_mode="c") if count
                    else np.zeros((0, dim), np.float32))  # an empty file cannot be mapped
            if not (len(ids) == len(hashes) == len(vecs) == count) or vecs.shape[1:] != (dim,):
                return _refuse(path, f"pool {pool} does not match its manifest")
            if not _looks_unit(vecs):
                return _refuse(path, f"pool {pool}: vectors are not unit rows")
            lex, stop = None, frozenset()
            if "lexical" in manifest:
                lex = LexicalIndex.open_arrays(path, f"{pool}.lex", manifest["lexical"][pool])
                if lex.n_main != count:
                    return _refuse(path, f"pool {pool}: lexical rows do not match")
                stop = frozenset(manifest["stop"][pool])
            pools[pool] = SharedPool(ids, hashes, vecs, lex, stop)
        watermark = (datetime.fromisoformat(manifest["watermark"])
                     if "lexical" in manifest else None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _refuse(path, f"unreadable: {exc}")
    return SharedIndex(path=path, generation=int(manifest["generation"]), encoder=encoder,
                       dim=dim, pools=pools, terms_hash=manifest.get("terms_hash"),
                       watermark=watermark)


def _unit_rows(vecs: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """``vecs`` with every row scaled to length 1 (zero rows stay zero), chunk by chunk.

    Examples:
        >>> _unit_rows(np.array([[3, 4], [0, 0]], np.float32)).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    out = np.empty_like(vecs)
    for start in range(0, len(vecs), chunk):
        block = vecs[start:start + chunk]
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        out[start:start + chunk] = block / np.maximum(norms, 1e-12)
    return out


def _looks_unit(vecs: np.ndarray) -> bool:
    """Whether a sample of evenly spaced rows has length 1 (or 0): a guard against a damaged
    or foreign file, not a proof (the writer normalises every row, :func:`_unit_rows`)."""
    if not len(vecs):
        return True
    rows = np.unique(np.linspace(0, len(vecs) - 1, min(CHECKED_ROWS, len(vecs))).astype(np.int64))
    norms = np.linalg.norm(np.asarray(vecs[rows], np.float32), axis=1)
    return bool(np.all((np.abs(norms - 1) < 1e-4) | (norms == 0)))


def _refuse(path: Path, why: str) -> None:
    logger.warning("shared matching index %s refused: %s", path, why)
    return None


def rows_for(pool: SharedPool, ids: list[int], hashes: list[str]
             ) -> tuple[np.ndarray | None, np.ndarray]:
    """Match documents (``ids`` with the hashes of their current texts) to the pool's rows.

    Returns ``(mapping, found)``: ``mapping`` is the pool's vectors themselves when they are
    exactly these documents in this order with these texts (the shared, zero-copy case),
    else ``None``; ``found[i]`` is the row of document i, or -1 when the pool has no current
    vector for it (absent, or written for another text).

    Examples:
        >>> p = SharedPool(np.array([5, 6]), np.array([b"a" * 40, b"b" * 40], "S40"),
        ...                np.eye(2, dtype=np.float32))
        >>> m, found = rows_for(p, [5, 6], ["a" * 40, "b" * 40])
        >>> m is p.vectors, found.tolist()
        (True, [0, 1])
        >>> m, found = rows_for(p, [6, 7, 5], ["b" * 40, "c" * 40, "x" * 40])
        >>> m, found.tolist()
        (None, [1, -1, -1])
    """
    want_ids = np.asarray(ids, np.int64)
    want_h = np.asarray(hashes, "S40")
    if len(want_ids) == len(pool.ids) and np.array_equal(want_ids, pool.ids) \
            and np.array_equal(want_h, pool.hashes):
        return pool.vectors, np.arange(len(want_ids))
    row_of = {int(i): r for r, i in enumerate(pool.ids.tolist())}
    found = np.full(len(want_ids), -1, np.int64)
    for i, (oid, h) in enumerate(zip(want_ids.tolist(), want_h.tolist())):
        r = row_of.get(oid)
        if r is not None and pool.hashes[r] == h:
            found[i] = r
    return None, found
