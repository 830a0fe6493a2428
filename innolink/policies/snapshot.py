"""The scan's population, kept as a stored columnar snapshot and brought up to date per load.

A cold build of the whole registry (``fetch.registry_columns``) costs seconds at 100,000
enterprises; the scan itself costs hundredths. So the population of a policy year is stored as
an ``.npz`` file of plain arrays (``population_to_arrays``; no pickle) in
``settings.INNOLINK_POLICY_SNAPSHOT_DIR`` (default ``var/cache/policy-population``), and each
load reads it (or this process's copy in memory) and patches only what changed:

- changed rows are found by ``updated_at`` (indexed on enterprises, tags and yearly values)
  since the snapshot's ``as_of`` minus ``INNOLINK_POLICY_SNAPSHOT_OVERLAP`` seconds (default
  600), so a row written by a transaction that committed after the snapshot was read, with an
  earlier time, is still seen (write transactions are assumed shorter than the overlap);
- deleted rows are found by counting: the snapshot keeps the ids of every enterprise, tag row
  and yearly row it holds, and when a table's count is lower than those ids plus the changed
  rows, the ids are compared in full;
- the enterprises touched are re-read with the cold builder and spliced in
  (``concat_populations``), so the result equals a cold build of the same registry.

Safety nets: the file name holds a key of the database, the year, the indicator catalogue and
the vocabularies, so a different database or catalogue never uses it; a table whose newest
``updated_at`` is older than the snapshot's (a restored backup) forces a cold build, as does a
snapshot older than ``INNOLINK_POLICY_SNAPSHOT_MAX_AGE`` seconds (default one day; it catches a
writer that changed rows without touching ``updated_at``), a missing or damaged file, or more
than a fifth of the registry (and more than 1,000 enterprises) changed. Files are written to a temporary name and renamed, so a
reader sees a whole old file or a whole new one; two processes saving at once both write
complete files and the later rename wins. The snapshot is a cache (derived data): writing it is
no business change and has no audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from innolink.engines.rules import Population
from innolink.engines.rules import fields as F
from innolink.engines.rules.population import (
    concat_populations,
    population_from_arrays,
    population_to_arrays,
)
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear
from innolink.policies.fetch import RegistryColumns, registry_columns

log = logging.getLogger(__name__)

FORMAT = 1
#: more changed enterprises than this share of the registry (and than REBUILD_MIN) -> cold build
REBUILD_SHARE = 0.2
REBUILD_MIN = 1000
#: the file is rewritten when this many enterprises were re-read since it was written, or when it
#: is older than the overlap (so the window of rows re-read on every load moves on); otherwise the
#: patched population stays in this process's memory and other processes patch the older file
SAVE_AFTER = 2000
_lock = threading.Lock()
_memory: dict[str, "State"] = {}


@dataclass(frozen=True)
class State:
    """A population with what is needed to bring it up to date."""

    key: str
    read: RegistryColumns
    built_at: dt.datetime  # the cold build this state descends from
    as_of: dt.datetime  # the registry as it was at this time (reads started after it)
    marks: dict[str, list | None]  # newest (updated_at ISO, id) per table when read, for restores
    saved_as_of: dt.datetime | None = None  # as_of of the file this state was last written as
    pending: int = 0  # enterprises re-read since then


@dataclass
class Load:
    """What one load did (for the scan's progress, the bench and tests)."""

    ids: list[int]
    population: Population
    source: str  # "memory", "file" or "cold"
    reason: str = ""  # why cold: "missing", "damaged", "key", "old", "restored", "many changes"
    changed: int = 0  # enterprises re-read
    removed: int = 0  # enterprises gone
    saved: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def snapshot_dir() -> Path:
    configured = getattr(settings, "INNOLINK_POLICY_SNAPSHOT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache" / "policy-population"


def _seconds(name: str, default: float) -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, name, default)))


def snapshot_key(year: int) -> str:
    """Changes with the database, the year, the format, the indicator catalogue or a vocabulary."""
    db = connection.settings_dict
    parts = [FORMAT, year, connection.vendor, str(db.get("NAME")), str(db.get("HOST")), str(db.get("PORT")),
             sorted((s.name, s.kind) for s in F.INDICATORS.values()), list(F.TAGS),
             {k: list(F.ATTRIBUTES[k].choices) for k in ("town", "ownership", "size_class")}]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:20]


def snapshot_path(year: int) -> Path:
    return snapshot_dir() / f"population-{year}-{snapshot_key(year)}.npz"


_TABLES = (("enterprises", Enterprise), ("tags", EnterpriseTag), ("years", EnterpriseYear))


def _marks() -> dict[str, list | None]:
    """The newest ``updated_at`` of each table and that row's id (one indexed lookup each)."""
    out: dict[str, list | None] = {}
    for name, model in _TABLES:
        row = model.objects.order_by("-updated_at", "-id").values_list("updated_at", "id").first()
        out[name] = [row[0].isoformat(), row[1]] if row else None
    return out


def _went_back(before: dict[str, list | None], now: dict[str, list | None]) -> bool:
    """True when a table's newest row is older than the snapshot's newest and that row is still
    there, older: the registry was restored from a backup. (The newest row deleted is no sign.)"""
    for name, model in _TABLES:
        b, n = before.get(name), now.get(name)
        if b and n and dt.datetime.fromisoformat(n[0]) < dt.datetime.fromisoformat(b[0]):
            if model.objects.filter(pk=b[1]).exists():
                return True
    return False


def _cold(year: int, key: str) -> State:
    now = timezone.now()
    marks = _marks()
    return State(key=key, read=registry_columns(year), built_at=now, as_of=now, marks=marks)


# -- the file ---------------------------------------------------------------------------------


def save(state: State, path: Path | None = None) -> Path:
    """Write ``state`` to its file: a temporary file in the same directory, then a rename."""
    path = path or snapshot_path(state.read.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "key": state.key, "year": state.read.year,
            "built_at": state.built_at.isoformat(), "as_of": state.as_of.isoformat(), "marks": state.marks}
    arrays = population_to_arrays(state.read.population)
    arrays.update({
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "ids": state.read.ids,
        "tag_row_id": state.read.tag_rows[0], "tag_row_owner": state.read.tag_rows[1],
        "year_row_id": state.read.year_rows[0], "year_row_owner": state.read.year_rows[1],
    })
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read(year: int, key: str, path: Path | None = None) -> State:
    """The stored state; ``FileNotFoundError`` when there is none, ``ValueError`` (or another
    exception of numpy's reader) when it is damaged or not this key's."""
    path = path or snapshot_path(year)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    if meta.get("format") != FORMAT or meta.get("key") != key or meta.get("year") != year:
        raise ValueError("snapshot of another format, key or year")
    population = population_from_arrays(arrays)
    ids = arrays["ids"].astype(np.int64)
    if ids.shape != (population.size,) or (ids.size and np.any(np.diff(ids) <= 0)):
        raise ValueError("snapshot ids do not match its population")
    pairs = {}
    for name in ("tag_row", "year_row"):
        row_id, owner = arrays[f"{name}_id"].astype(np.int64), arrays[f"{name}_owner"].astype(np.int64)
        if row_id.shape != owner.shape or (row_id.size and np.any(np.diff(row_id) <= 0)):
            raise ValueError(f"snapshot {name} ids are damaged")
        pairs[name] = (row_id, owner)
    as_of = dt.datetime.fromisoformat(meta["as_of"])
    return State(key=key, read=RegistryColumns(year=year, ids=ids, population=population,
                                               tag_rows=pairs["tag_row"], year_rows=pairs["year_row"]),
                 built_at=dt.datetime.fromisoformat(meta["built_at"]), as_of=as_of, marks=meta["marks"],
                 saved_as_of=as_of)


# -- bringing a state up to date --------------------------------------------------------------


def _ids(rows) -> np.ndarray:
    return np.fromiter(rows, dtype=np.int64)


def _row_pairs(queryset, fields=("id", "enterprise_id")) -> tuple[np.ndarray, ...]:
    rows = list(queryset.values_list(*fields))
    if not rows:
        return tuple(np.empty(0, np.int64) for _ in fields)
    table = np.array(rows, dtype=np.int64)
    return tuple(table[:, k] for k in range(len(fields)))


def _in(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in the sorted array ``sorted_ids``."""
    if not sorted_ids.size:
        return np.zeros(values.shape, bool)
    at = np.minimum(np.searchsorted(sorted_ids, values), sorted_ids.size - 1)
    return sorted_ids[at] == values


def _touched_rows(stored: tuple[np.ndarray, np.ndarray], changed: tuple[np.ndarray, np.ndarray, np.ndarray],
                  count: int, everything) -> set[int]:
    """Enterprises whose rows of one table changed: the owners of changed rows (``changed`` is
    row ids, owners and whether the row belongs in the snapshot, e.g. is of the two years), the
    former owner of a row that moved or left, and, when rows are missing by count, the owners of
    deleted rows (and of rows that appeared without a recent ``updated_at``)."""
    stored_id, stored_owner = stored
    changed_id, changed_owner, belongs = changed
    known = _in(changed_id, stored_id)
    touched = set(changed_owner[belongs | known].tolist())
    if known.any():
        at = np.searchsorted(stored_id, changed_id[known])
        touched.update(stored_owner[at].tolist())
    expected = stored_id.size + int((belongs & ~known).sum()) - int((~belongs & known).sum())
    if count != expected:  # rows were deleted (or written without a recent updated_at)
        now_id, now_owner = everything()
        gone = ~_in(stored_id, np.sort(now_id))
        touched.update(stored_owner[gone].tolist())
        new = ~_in(now_id, stored_id)
        touched.update(now_owner[new].tolist())
    return touched


def refresh(state: State, now: dt.datetime | None = None) -> tuple[State, int, int]:
    """``state`` brought up to date: (new state, enterprises re-read, enterprises removed).
    Raises ``_Rebuild`` when a cold build is the answer."""
    now = now or timezone.now()
    year = state.read.year
    since = state.as_of - _seconds("INNOLINK_POLICY_SNAPSHOT_OVERLAP", 600)
    marks = _marks()
    if _went_back(state.marks, marks):
        raise _Rebuild("restored")
    years = (year, year - 1)
    # order_by(): the model's default ordering (name) would make SQLite walk the name index
    changed_enterprises = _ids(Enterprise.objects.order_by().filter(updated_at__gte=since)
                               .values_list("id", flat=True))
    touched = set(changed_enterprises.tolist())
    ids = state.read.ids
    count = Enterprise.objects.count()
    fresh = ~_in(changed_enterprises, ids)
    removed: set[int] = set()
    if count != ids.size + int(fresh.sum()):
        now_ids = np.sort(_ids(Enterprise.objects.values_list("id", flat=True)))
        removed = set(ids[~_in(ids, now_ids)].tolist())
        touched.update(now_ids[~_in(now_ids, ids)].tolist())
    tags = EnterpriseTag.objects.order_by()
    tag_id, tag_owner = _row_pairs(tags.filter(updated_at__gte=since))
    touched |= _touched_rows(state.read.tag_rows, (tag_id, tag_owner, np.ones(tag_id.shape, bool)),
                             tags.count(), lambda: _row_pairs(tags))
    yearly = EnterpriseYear.objects.filter(year__in=years).order_by()
    # the years are filtered here, not in SQL: with a year condition SQLite picks the (year,
    # enterprise) index and reads every row of the two years instead of the recent ones
    year_id, year_owner, year_of = _row_pairs(EnterpriseYear.objects.order_by().filter(updated_at__gte=since),
                                              ("id", "enterprise_id", "year"))
    touched |= _touched_rows(state.read.year_rows, (year_id, year_owner, np.isin(year_of, years)),
                             yearly.count(), lambda: _row_pairs(yearly))
    touched -= removed
    if not touched and not removed:
        return replace(state, as_of=now, marks=marks), 0, 0
    if len(touched) + len(removed) > max(REBUILD_SHARE * ids.size, REBUILD_MIN):
        raise _Rebuild("many changes")
    delta = registry_columns(year, sorted(touched))
    dropped = np.array(sorted(touched | removed), dtype=np.int64)
    keep = np.flatnonzero(~_in(ids, dropped))
    new_ids = np.concatenate([ids[keep], delta.ids])
    order = np.argsort(new_ids, kind="stable")
    population = concat_populations([state.read.population.take(keep), delta.population]).take(order)

    def rows(stored: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]):
        kept = ~_in(stored[1], dropped)
        row_id = np.concatenate([stored[0][kept], new[0]])
        owner = np.concatenate([stored[1][kept], new[1]])
        by_id = np.argsort(row_id, kind="stable")
        return row_id[by_id], owner[by_id]

    read_ = RegistryColumns(year=year, ids=new_ids[order], population=population,
                            tag_rows=rows(state.read.tag_rows, delta.tag_rows),
                            year_rows=rows(state.read.year_rows, delta.year_rows))
    return (replace(state, read=read_, as_of=now, marks=marks, pending=state.pending + len(touched) + len(removed)),
            len(touched), len(removed))


class _Rebuild(Exception):
    pass


def _cleanup(directory: Path) -> None:
    """Remove temporary files left by a process that died while writing (after an hour)."""
    limit = time.time() - 3600
    for tmp in directory.glob("population-*.tmp"):
        try:
            if tmp.stat().st_mtime < limit:
                tmp.unlink()
        except OSError:
            pass


def load_population(year: int) -> Load:
    """The population of ``year`` equal to a cold build of the registry now, from this
    process's copy or the stored file plus the changes since; cold when there is neither."""
    t0 = time.perf_counter()
    with _lock:
        key = snapshot_key(year)
        path = snapshot_dir() / f"population-{year}-{key}.npz"
        now = timezone.now()
        state, source, reason = _memory.get(key), "memory", ""
        if state is None:
            source = "file"
            try:
                state = read(year, key, path)
            except FileNotFoundError:
                reason = "missing"
            except Exception as exc:  # a damaged file is a cold build, never a failed scan
                log.warning("policy population snapshot %s unreadable (%s); building it again", path, exc)
                reason = "damaged"
        t_read = time.perf_counter()
        if state is not None and now - state.built_at > _seconds("INNOLINK_POLICY_SNAPSHOT_MAX_AGE", 86400):
            state, reason = None, "old"
        changed = removed = 0
        if state is not None:
            try:
                state, changed, removed = refresh(state, now)
            except _Rebuild as why:
                state, reason = None, str(why)
        if state is None:
            state, source = _cold(year, key), "cold"
        t_patch = time.perf_counter()
        saved = False
        overlap = _seconds("INNOLINK_POLICY_SNAPSHOT_OVERLAP", 600)
        if source == "cold" or (changed or removed) and (
                state.pending >= SAVE_AFTER or state.saved_as_of is None or now - state.saved_as_of > overlap):
            try:
                save(state, path)
                state = replace(state, saved_as_of=state.as_of, pending=0)
                saved = True
                _cleanup(path.parent)
            except (OSError, ValueError) as exc:  # no snapshot this time; the scan goes on
                log.warning("policy population snapshot %s not written (%s)", path, exc)
        _memory.clear()
        _memory[key] = state
        t_end = time.perf_counter()
    return Load(ids=state.read.ids.tolist(), population=state.read.population, source=source, reason=reason,
                changed=changed, removed=removed, saved=saved,
                timings={"read_s": t_read - t0, "patch_s": t_patch - t_read, "save_s": t_end - t_patch})


def forget() -> None:
    """Drop this process's copy (tests; the bench's cold-from-file measurement)."""
    with _lock:
        _memory.clear()
