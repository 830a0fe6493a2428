"""Input snapshot and result types of the ranking engine (frozen, numpy-backed, JSON-able)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ._errors import RankingError
from .fields import get_field

__all__ = [
    "Snapshot",
    "RankedEntry",
    "ListResult",
    "RunResult",
    "EntryChange",
    "ListComparison",
]


def _bad(msgid: str, **extra: Any) -> RankingError:
    return RankingError(RankingError.INVALID_SNAPSHOT, msgid, **extra)


def _coerce(name: str, values: Any, n: int, *, yearly_only: bool) -> np.ndarray:
    spec = get_field(name)
    if spec is None:
        raise RankingError(
            RankingError.UNKNOWN_FIELD,
            "数据快照含未登记字段“%(field)s”",
            field=name,
        )
    if yearly_only and spec.kind != "yearly":
        raise _bad("上年数据只能包含年度指标，“%(field)s”不是", field=name)
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise _bad(
            "字段“%(field)s”长度应为 %(expected)s",
            field=name,
            expected=n,
            got=list(arr.shape),
        )
    if spec.kind == "yearly":
        try:
            if arr.dtype == object:  # e.g. Decimal values with None for missing, from the ORM
                arr = np.array([np.nan if v is None else float(v) for v in arr.tolist()],
                               dtype=np.float64)
            out = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise _bad(
                "字段“%(field)s”应为数值（缺失用 NaN）",
                field=name,
            ) from exc
        if np.isinf(out).any():
            raise _bad("字段“%(field)s”含无穷值", field=name)
    elif spec.kind == "flag":
        if arr.dtype != np.bool_:
            raise _bad("标志字段“%(field)s”应为布尔数组", field=name)
        out = arr.copy()
    else:
        out = np.array(["" if v is None else str(v) for v in arr.tolist()], dtype=object)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Snapshot:
    """The columnar data a run reads: one row per enterprise, aligned across all arrays.

    ``current`` holds attributes (``town``, ``industry_code``, ``ownership``), flags
    (``serious_violation``, ``dishonest``) and this year's indicators; ``previous`` holds last
    year's yearly indicators for the same enterprises in the same order (NaN where there was
    no record). Use :meth:`build`, which checks and coerces everything.

    Examples:
        >>> s = Snapshot.build(2025, [7, 9], {"revenue": [1e8, float("nan")]})
        >>> s.n, s.current["revenue"].dtype.name, len(s.fingerprint())
        (2, 'float64', 64)
    """

    year: int
    enterprise_ids: np.ndarray
    current: Mapping[str, np.ndarray]
    previous: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def build(
        cls,
        year: int,
        enterprise_ids: Any,
        current: Mapping[str, Any],
        previous: Mapping[str, Any] | None = None,
    ) -> Snapshot:
        ids = np.asarray(enterprise_ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise _bad("企业编号应为一维整数数组")
        ids = ids.astype(np.int64)
        if np.unique(ids).size != ids.size:
            raise _bad("企业编号重复")
        ids.flags.writeable = False
        n = ids.size
        cur = {k: _coerce(k, v, n, yearly_only=False) for k, v in current.items()}
        prev = {k: _coerce(k, v, n, yearly_only=True) for k, v in (previous or {}).items()}
        return cls(int(year), ids, MappingProxyType(cur), MappingProxyType(prev))

    @property
    def n(self) -> int:
        return int(self.enterprise_ids.size)

    def fingerprint(self) -> str:
        """SHA-256 of the year, ids and every column (rows in id order, names sorted, NaN
        canonical): the same data in another row order has the same fingerprint."""
        h = hashlib.sha256()
        rows = np.argsort(self.enterprise_ids, kind="stable")
        h.update(f"year={self.year};n={self.n};".encode())
        h.update(self.enterprise_ids[rows].astype("<i8").tobytes())
        for part, cols in (("current", self.current), ("previous", self.previous)):
            for name in sorted(cols):
                arr = cols[name][rows]
                h.update(f";{part}.{name}:{arr.dtype.kind}:".encode())
                if arr.dtype.kind == "f":
                    canon = np.where(np.isnan(arr), np.nan, arr + 0.0)  # one NaN, no -0.0
                    h.update(canon.astype("<f8").tobytes())
                elif arr.dtype.kind == "b":
                    h.update(arr.astype(np.uint8).tobytes())
                else:
                    h.update("\x1f".join(arr.tolist()).encode("utf-8"))
        return h.hexdigest()


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


@dataclass(frozen=True)
class RankedEntry:
    """One enterprise in (or near) a list.

    ``rank`` follows the methodology's tie rule; ``position`` is the 1-based display order.
    ``median_rank``/``rank_p05``/``rank_p95`` and ``in_list_frequency`` come from the Monte
    Carlo run; ``uncertain`` is true when the in-list frequency lies inside the review band.
    ``indicators`` are the indicator values before normalisation (after imputation, NaN never
    appears); ``imputed`` names the indicators whose value was imputed.
    """

    enterprise_id: int
    position: int
    rank: int
    score: float
    in_list: bool
    tied: bool
    median_rank: float
    rank_p05: float
    rank_p95: float
    in_list_frequency: float
    uncertain: bool
    indicators: Mapping[str, float]
    normalized: Mapping[str, float]
    imputed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprise_id": self.enterprise_id,
            "position": self.position,
            "rank": self.rank,
            "score": self.score,
            "in_list": self.in_list,
            "tied": self.tied,
            "median_rank": self.median_rank,
            "rank_p05": self.rank_p05,
            "rank_p95": self.rank_p95,
            "in_list_frequency": self.in_list_frequency,
            "uncertain": self.uncertain,
            "indicators": {k: _num(v) for k, v in self.indicators.items()},
            "normalized": {k: _num(v) for k, v in self.normalized.items()},
            "imputed": list(self.imputed),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RankedEntry:
        return cls(
            enterprise_id=int(d["enterprise_id"]),
            position=int(d["position"]),
            rank=int(d["rank"]),
            score=float(d["score"]),
            in_list=bool(d["in_list"]),
            tied=bool(d["tied"]),
            median_rank=float(d["median_rank"]),
            rank_p05=float(d["rank_p05"]),
            rank_p95=float(d["rank_p95"]),
            in_list_frequency=float(d["in_list_frequency"]),
            uncertain=bool(d["uncertain"]),
            indicators={k: float("nan") if v is None else float(v) for k, v in d["indicators"].items()},
            normalized={k: float("nan") if v is None else float(v) for k, v in d["normalized"].items()},
            imputed=tuple(d.get("imputed", ())),
        )


@dataclass(frozen=True)
class ListResult:
    """One computed list.

    ``entries`` are the list members in display order. ``review`` are enterprises outside the
    list whose membership is uncertain (flagged for review). ``threshold_score`` is the score
    of the last member; ``entry_threshold`` is the smallest value of the methodology's
    threshold field (e.g. revenue, the ACFIC-style 入围门槛) among members.
    ``excluded`` counts ineligible enterprises by reason (an enterprise is counted under its
    first failing gate). ``indicator_info`` gives, per indicator, its Chinese label, unit,
    direction, declared weight and missing-data rule, for the public page. ``weights`` are the weights actually used (normalised to sum 1),
    ``importance`` the share of score variance each indicator explains (effective importance).
    """

    list_id: str
    title_zh: str
    year: int
    methodology_version: str
    methodology_hash: str
    data_fingerprint: str
    fingerprint: str
    size: int
    eligible: int
    entries: tuple[RankedEntry, ...]
    review: tuple[RankedEntry, ...]
    threshold_score: float
    threshold_field: str
    entry_threshold: float
    excluded: Mapping[str, int]
    weights: Mapping[str, float]
    importance: Mapping[str, float]
    imputed_counts: Mapping[str, int]
    samples: int
    seed: int
    tie_rule_zh: str
    indicator_info: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id,
            "title_zh": self.title_zh,
            "year": self.year,
            "methodology_version": self.methodology_version,
            "methodology_hash": self.methodology_hash,
            "data_fingerprint": self.data_fingerprint,
            "fingerprint": self.fingerprint,
            "size": self.size,
            "eligible": self.eligible,
            "entries": [e.to_dict() for e in self.entries],
            "review": [e.to_dict() for e in self.review],
            "threshold_score": self.threshold_score,
            "threshold_field": self.threshold_field,
            "entry_threshold": _num(self.entry_threshold),
            "excluded": dict(self.excluded),
            "weights": dict(self.weights),
            "importance": dict(self.importance),
            "imputed_counts": dict(self.imputed_counts),
            "samples": self.samples,
            "seed": self.seed,
            "tie_rule_zh": self.tie_rule_zh,
            "indicator_info": {k: dict(v) for k, v in self.indicator_info.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ListResult:
        et = d.get("entry_threshold")
        return cls(
            list_id=d["list_id"],
            title_zh=d["title_zh"],
            year=int(d["year"]),
            methodology_version=d["methodology_version"],
            methodology_hash=d["methodology_hash"],
            data_fingerprint=d["data_fingerprint"],
            fingerprint=d["fingerprint"],
            size=int(d["size"]),
            eligible=int(d["eligible"]),
            entries=tuple(RankedEntry.from_dict(e) for e in d["entries"]),
            review=tuple(RankedEntry.from_dict(e) for e in d.get("review", ())),
            threshold_score=float(d["threshold_score"]),
            threshold_field=d["threshold_field"],
            entry_threshold=float("nan") if et is None else float(et),
            excluded=dict(d.get("excluded", {})),
            weights=dict(d.get("weights", {})),
            importance=dict(d.get("importance", {})),
            imputed_counts=dict(d.get("imputed_counts", {})),
            samples=int(d.get("samples", 0)),
            seed=int(d.get("seed", 0)),
            tie_rule_zh=d.get("tie_rule_zh", ""),
            indicator_info={k: dict(v) for k, v in d.get("indicator_info", {}).items()},
        )


@dataclass(frozen=True)
class RunResult:
    """All lists of one run plus the fingerprint of (methodologies, data, engine version)."""

    year: int
    data_fingerprint: str
    fingerprint: str
    engine_version: str
    lists: Mapping[str, ListResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "data_fingerprint": self.data_fingerprint,
            "fingerprint": self.fingerprint,
            "engine_version": self.engine_version,
            "lists": {k: v.to_dict() for k, v in self.lists.items()},
        }


@dataclass(frozen=True)
class EntryChange:
    """Rank move of one enterprise between two editions of a list.

    ``change`` is previous rank minus current rank (positive = moved up); ``None`` for a new
    entrant (``current_rank`` set, ``previous_rank`` None) or a drop-out (the reverse).
    """

    enterprise_id: int
    current_rank: int | None
    previous_rank: int | None
    change: int | None


@dataclass(frozen=True)
class ListComparison:
    """Year-over-year comparison of one list (as published each year)."""

    list_id: str
    year: int
    previous_year: int
    stayed: tuple[EntryChange, ...]
    new_entrants: tuple[EntryChange, ...]
    drop_outs: tuple[EntryChange, ...]
    turnover: int
    threshold_field: str
    entry_threshold: float
    previous_entry_threshold: float
    entry_threshold_change: float
    entry_threshold_change_pct: float | None
    threshold_score: float
    previous_threshold_score: float
    same_methodology: bool
