"""A ranking run: gates → indicators → missing data → normalisation → weights → scores →
tie rule → Monte Carlo rank bands → list, with a fingerprint of methodology + data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ._errors import RankingError
from .aggregate import aggregate
from .derive import BUILTIN_DERIVED, evaluate_indicator, indicator_label, resolve_dependencies
from .fields import get_field, is_jinjiang_town
from .methodology import Methodology
from .normalize import minmax, normalize, orient, signed_log, winsorize
from .rank import rank_scores, tie_order
from .types import ListResult, RankedEntry, RunResult, Snapshot
from .uncertainty import rank_bands
from .weights import entropy_weights, equal_weights, given_weights

__all__ = ["ENGINE_VERSION", "Prepared", "prepare_list", "run_list", "run_rankings", "validate_run"]

ENGINE_VERSION = "innolink-ranking/1.0"


@dataclass(frozen=True)
class Prepared:
    """The eligible population of one list, with indicator values after imputation."""

    methodology: Methodology
    rows: np.ndarray  # snapshot row indices of the eligible enterprises
    values: np.ndarray  # len(rows) × k indicator values (NaN replaced per the missing rules)
    imputed: np.ndarray  # len(rows) × k bool
    excluded: dict[str, int]
    extra: dict[str, np.ndarray]  # tie keys and threshold field, over the eligible rows


def _required_fields(m: Methodology) -> dict[str, set[str]]:
    """Snapshot columns the methodology reads (current year)."""
    el = m.eligibility
    attrs: set[str] = set(el.exclude_flags)
    if el.ownership is not None:
        attrs.add("ownership")
    if el.registered_in_jinjiang:
        attrs.add("town")
    if el.sections is not None or el.include_prefixes or el.exclude_prefixes or any(
        i.missing == "impute_sector_median" for i in m.indicators
    ):
        attrs.add("industry_code")
    yearly: set[str] = set()
    names = [*m.indicator_names, *el.minimums, *el.maximums, *(k for k, _ in m.tie_rule.keys),
             m.threshold_field]
    for name in names:
        yearly |= resolve_dependencies(name, m.derived) or set()
    return {"attributes": attrs, "yearly": yearly}


def _check(m: Methodology, snap: Snapshot) -> None:
    if snap.year not in m.years:
        raise RankingError(
            RankingError.YEAR_NOT_COVERED,
            "方法“%(title)s”（%(version)s）不适用于 %(year)s 年数据",
            values={"title": m.title_zh, "version": m.version},
            list_id=m.id, year=snap.year, years=list(m.years),
        )
    need = _required_fields(m)
    missing = sorted((need["attributes"] | need["yearly"]) - set(snap.current))
    if missing:
        raise RankingError(
            RankingError.MISSING_FIELD,
            "数据快照缺少字段 %(fields)s（%(title)s）", values={"title": m.title_zh},
            list_id=m.id, fields=missing,
        )


def _gates(m: Methodology, snap: Snapshot, cache: dict) -> tuple[np.ndarray, dict[str, int]]:
    el = m.eligibility
    ok = np.ones(snap.n, dtype=bool)
    excluded: dict[str, int] = {}

    def gate(reason: str, passes: np.ndarray) -> None:
        nonlocal ok
        fail = ok & ~passes
        if fail.any():
            excluded[reason] = excluded.get(reason, 0) + int(fail.sum())
        ok = ok & passes

    cur = snap.current
    if el.ownership is not None:
        gate("ownership", np.isin(cur["ownership"], list(el.ownership)))
    if el.registered_in_jinjiang:
        gate("not_registered_in_jinjiang",
             np.fromiter((is_jinjiang_town(t) for t in cur["town"]), bool, snap.n))
    if el.sections is not None or el.include_prefixes or el.exclude_prefixes:
        codes = cur["industry_code"]
        passes = np.ones(snap.n, dtype=bool)
        if el.sections is not None:
            passes &= np.isin(np.array([c[:1].upper() for c in codes], dtype=object),
                              list(el.sections))
        if el.include_prefixes:
            passes &= np.array([c.upper().startswith(el.include_prefixes) for c in codes], bool)
        if el.exclude_prefixes:
            passes &= ~np.array([c.upper().startswith(el.exclude_prefixes) for c in codes], bool)
        gate("industry", passes)
    for flag in el.exclude_flags:
        gate(f"flag:{flag}", ~cur[flag])
    for name, bound in el.minimums.items():
        v = evaluate_indicator(name, cur, snap.previous, m.derived, cache)
        gate(f"missing:{name}", ~np.isnan(v))
        gate(f"below_minimum:{name}", np.nan_to_num(v, nan=-np.inf) >= bound)
    for name, bound in el.maximums.items():
        v = evaluate_indicator(name, cur, snap.previous, m.derived, cache)
        gate(f"missing:{name}", ~np.isnan(v))
        gate(f"above_maximum:{name}", np.nan_to_num(v, nan=np.inf) <= bound)
    return ok, excluded


def _impute(
    m: Methodology, col: np.ndarray, rule: str, direction: str, codes: np.ndarray | None, name: str
) -> np.ndarray:
    miss = np.isnan(col)
    if not miss.any():
        return col
    known = col[~miss]
    if known.size == 0:
        raise RankingError(
            RankingError.MISSING_FIELD,
            "指标“%(indicator)s”在全部合格企业中缺失，无法插补（%(title)s）",
            values={"title": m.title_zh}, list_id=m.id, indicator=name,
        )
    out = col.copy()
    if rule == "impute_zero":
        out[miss] = 0.0
    elif rule == "impute_worst":
        out[miss] = known.min() if direction == "higher" else known.max()
    else:  # impute_sector_median: GB/T 4754 division (e.g. C19), then section (C), then all
        assert codes is not None
        overall = float(np.median(known))
        division = np.array([c[:3].upper() for c in codes], dtype=object)
        section = np.array([c[:1].upper() for c in codes], dtype=object)
        fill = np.full(col.size, overall)
        filled = np.zeros(col.size, dtype=bool)
        for groups in (division, section):
            for g in np.unique(groups[miss]):
                members = groups == g
                vals = col[members & ~miss]
                if vals.size >= m.impute_min_group:
                    target = members & miss & ~filled
                    fill[target] = np.median(vals)
                    filled |= target
        out[miss] = fill[miss]
    return out


def prepare_list(m: Methodology, snap: Snapshot) -> Prepared:
    """Check the methodology against the snapshot, apply the gates and missing-data rules.

    Raises :class:`RankingError` (``year_not_covered``, ``missing_field``,
    ``list_size_exceeds_population``) before any score is computed.

    Examples:
        >>> from innolink.engines.ranking.synthetic import synthetic_snapshot
        >>> from innolink.engines.ranking.methodology import load_methodology
        >>> from pathlib import Path
        >>> d = Path(__file__).parents[2] / "rankings" / "methodologies"
        >>> p = prepare_list(load_methodology(d / "green_50.yaml"), synthetic_snapshot(600, seed=1))
        >>> p.values.shape[1], int(p.rows.size) == p.values.shape[0], "industry" in p.excluded
        (4, True, True)
    """
    _check(m, snap)
    cache: dict = {}
    ok, excluded = _gates(m, snap, cache)
    cols = [evaluate_indicator(i.name, snap.current, snap.previous, m.derived, cache)
            for i in m.indicators]
    for spec, col in zip(m.indicators, cols):
        if spec.missing == "exclude":
            fail = ok & np.isnan(col)
            if fail.any():
                excluded[f"missing:{spec.name}"] = excluded.get(f"missing:{spec.name}", 0) + int(
                    fail.sum())
            ok &= ~np.isnan(col)
    rows = np.flatnonzero(ok)
    # canonical row order (by id): results are bitwise independent of the snapshot's row order
    rows = rows[np.argsort(snap.enterprise_ids[rows], kind="stable")]
    if rows.size < m.list_size:
        raise RankingError(
            RankingError.LIST_SIZE_EXCEEDS_POPULATION,
            "“%(title)s”需 %(list_size)s 家，但合格企业只有 %(eligible)s 家",
            values={"title": m.title_zh}, list_id=m.id, list_size=m.list_size, eligible=int(rows.size), excluded=excluded,
        )
    codes = snap.current["industry_code"][rows] if "industry_code" in snap.current else None
    values = np.empty((rows.size, len(cols)))
    imputed = np.zeros((rows.size, len(cols)), dtype=bool)
    for j, (spec, col) in enumerate(zip(m.indicators, cols)):
        sub = col[rows]
        imputed[:, j] = np.isnan(sub)
        values[:, j] = _impute(m, sub, spec.missing, spec.direction, codes, spec.name)
    extra = {
        name: evaluate_indicator(name, snap.current, snap.previous, m.derived, cache)[rows]
        for name in {*(k for k, _ in m.tie_rule.keys), m.threshold_field}
    }
    return Prepared(m, rows, values, imputed, excluded, extra)


def treat(m: Methodology, values: np.ndarray) -> np.ndarray:
    """Transform, clip, winsorise and orient the indicator matrix (higher is better).

    Examples:
        >>> from innolink.engines.ranking.methodology import parse_methodology
        >>> m = parse_methodology({"id": "t", "title_zh": "示例", "version": "1", "years": [2025],
        ...     "list_size": 1, "indicators": [{"name": "revenue", "weight": 1, "transform": "log"},
        ...     {"name": "energy_consumption", "weight": 1, "direction": "lower"}],
        ...     "weights": {"sum": 2}})
        >>> treat(m, np.array([[0.0, 3.0], [np.e - 1, 5.0]])).round(6).tolist()
        [[0.0, -3.0], [1.0, -5.0]]
    """
    x = values.copy()
    for j, spec in enumerate(m.indicators):
        col = x[:, j]
        if spec.transform == "log":
            col = signed_log(col)
        if spec.clip is not None:
            lo, hi = spec.clip
            col = np.clip(col, -np.inf if lo is None else lo, np.inf if hi is None else hi)
        band = spec.winsorize or m.winsorize
        if band is not None and col.size:
            col = winsorize(col, *band)
        x[:, j] = col
    return orient(x, [i.direction for i in m.indicators])


def nominal_weights(m: Methodology, oriented: np.ndarray) -> np.ndarray:
    """The weights of the nominal ranking (given → scaled to 1, equal, or entropy of the
    oriented min-max matrix).

    Examples:
        >>> from innolink.engines.ranking.methodology import parse_methodology
        >>> m = parse_methodology({"id": "t", "title_zh": "示例", "version": "1", "years": [2025],
        ...     "list_size": 1, "indicators": [{"name": "revenue"}, {"name": "exports"}],
        ...     "weights": {"scheme": "entropy"}})
        >>> nominal_weights(m, np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 9.0]])).round(4).tolist()
        [0.2961, 0.7039]
    """
    if m.weighting == "given":
        return given_weights([i.weight for i in m.indicators])  # type: ignore[misc]
    if m.weighting == "equal":
        return equal_weights(len(m.indicators))
    return entropy_weights(minmax(oriented) / 100.0)


def _importance(normalized: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Squared Pearson correlation of each indicator with the score, scaled to sum 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        xc = normalized - normalized.mean(axis=0)
        sc = scores - scores.mean()
        denom = np.sqrt((xc**2).sum(axis=0) * (sc**2).sum())
        r2 = np.where(denom > 0, (xc.T @ sc / np.where(denom > 0, denom, 1.0)) ** 2, 0.0)
    total = r2.sum()
    return r2 / total if total > 0 else r2


def _info(m: Methodology, spec) -> dict:
    d = m.derived.get(spec.name) or BUILTIN_DERIVED.get(spec.name)
    f = get_field(spec.name)
    unit = d.unit if d is not None else (f.unit if f is not None else "")
    return {"label_zh": indicator_label(spec.name, m.derived), "unit": unit,
            "direction": spec.direction, "weight": spec.weight, "missing": spec.missing}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def run_list(
    methodology: Methodology,
    snapshot: Snapshot,
    *,
    samples: int | None = None,
    seed: int | None = None,
    include_all: bool = False,
    threads: int = 2,
    _prepared: Prepared | None = None,
    _data_fingerprint: str | None = None,
) -> ListResult:
    """Compute one list.

    ``samples``/``seed`` override the methodology's uncertainty settings (both enter the
    fingerprint). With ``include_all`` every eligible enterprise outside the list is returned
    in ``review`` (else only the uncertain ones).

    Examples:
        >>> import numpy as np
        >>> from innolink.engines.ranking import parse_methodology, Snapshot
        >>> m = parse_methodology({"id": "demo", "title_zh": "示例", "version": "1",
        ...     "years": [2025], "list_size": 2, "eligibility": {"registered_in_jinjiang": False},
        ...     "indicators": [{"name": "revenue", "weight": 1}], "weights": {"sum": 1}})
        >>> s = Snapshot.build(2025, [1, 2, 3], {"revenue": [5.0, 9.0, 7.0],
        ...     "ownership": ["private"] * 3, "serious_violation": np.zeros(3, bool),
        ...     "dishonest": np.zeros(3, bool)})
        >>> r = run_list(m, s, samples=20)
        >>> [(e.enterprise_id, e.rank, e.score) for e in r.entries]
        [(2, 1, 100.0), (3, 2, 50.0)]
    """
    m = methodology
    p = _prepared or prepare_list(m, snapshot)
    u = m.uncertainty
    n_samples = u.samples if samples is None else int(samples)
    run_seed = u.seed if seed is None else int(seed)
    data_fp = _data_fingerprint or snapshot.fingerprint()
    fp = _fingerprint(ENGINE_VERSION, m.content_hash, data_fp, f"samples={n_samples}",
                      f"seed={run_seed}")

    oriented = treat(m, p.values)
    w = nominal_weights(m, oriented)
    methods = {m.normalization, *u.normalizations}
    normalized = {name: normalize(oriented, name) for name in sorted(methods)}
    nominal = normalized[m.normalization]
    scores = aggregate(nominal, w, m.aggregation)
    ids = snapshot.enterprise_ids[p.rows]
    keys = [(p.extra[k], o) for k, o in m.tie_rule.keys]
    ranking = rank_scores(scores, ids, keys, shared_rank=m.tie_rule.shared_rank,
                          decimals=m.tie_rule.decimals)
    bands = rank_bands(
        normalized, w, list_size=m.list_size, samples=n_samples, noise=u.weight_noise,
        normalizations=u.normalizations, aggregations=u.aggregations, seed=run_seed,
        order_for_ties=tie_order(ids, keys), decimals=m.tie_rule.decimals, threads=threads,
    )
    lo, hi = u.review_band
    freq = bands.in_list_frequency
    uncertain = (freq >= lo) & (freq <= hi) if n_samples else np.zeros(ids.size, dtype=bool)

    names = m.indicator_names

    def entry(row: int, position: int) -> RankedEntry:
        in_list = position <= m.list_size
        if n_samples:
            med, p05, p95, f = (float(bands.median[row]), float(bands.p05[row]),
                                float(bands.p95[row]), float(freq[row]))
        else:
            med = p05 = p95 = float(ranking.rank[row])
            f = 1.0 if in_list else 0.0
        return RankedEntry(
            enterprise_id=int(ids[row]),
            position=position,
            rank=int(ranking.rank[row]),
            score=float(ranking.rounded[row]),
            in_list=in_list,
            tied=bool(ranking.tied[row]),
            median_rank=med,
            rank_p05=p05,
            rank_p95=p95,
            in_list_frequency=f,
            uncertain=bool(uncertain[row]),
            indicators={nm: float(p.values[row, j]) for j, nm in enumerate(names)},
            normalized={nm: float(nominal[row, j]) for j, nm in enumerate(names)},
            imputed=tuple(nm for j, nm in enumerate(names) if p.imputed[row, j]),
        )

    order = ranking.order
    members = order[: m.list_size]
    entries = tuple(entry(int(r), i + 1) for i, r in enumerate(members))
    rest = order[m.list_size:]
    if not include_all:
        rest = rest[uncertain[rest]]
    position_of = np.empty(order.size, dtype=np.int64)
    position_of[order] = np.arange(1, order.size + 1)
    review = tuple(entry(int(r), int(position_of[r])) for r in rest)
    thr = p.extra[m.threshold_field][members]
    thr = thr[~np.isnan(thr)]
    tie_zh = m.tie_rule.note_zh or (
        "综合得分（保留{}位小数）相同者{}，按{}排序；仍相同者按企业编号升序。".format(
            m.tie_rule.decimals,
            "并列同一名次" if m.tie_rule.shared_rank else "依次比较",
            "、".join(f"{indicator_label(k, m.derived)}{'降序' if o == 'desc' else '升序'}"
                     for k, o in m.tie_rule.keys) or "企业编号",
        )
    )
    return ListResult(
        list_id=m.id,
        title_zh=m.title_zh,
        year=snapshot.year,
        methodology_version=m.version,
        methodology_hash=m.content_hash,
        data_fingerprint=data_fp,
        fingerprint=fp,
        size=m.list_size,
        eligible=int(p.rows.size),
        entries=entries,
        review=review,
        threshold_score=float(ranking.rounded[members[-1]]),
        threshold_field=m.threshold_field,
        entry_threshold=float(thr.min()) if thr.size else float("nan"),
        excluded=dict(sorted(p.excluded.items())),
        weights={nm: float(w[j]) for j, nm in enumerate(names)},
        importance={nm: float(v) for nm, v in zip(names, _importance(nominal, scores))},
        imputed_counts={nm: int(p.imputed[:, j].sum()) for j, nm in enumerate(names)},
        samples=n_samples,
        seed=run_seed,
        tie_rule_zh=tie_zh,
        indicator_info={i.name: _info(m, i) for i in m.indicators},
    )


def validate_run(methodologies: Iterable[Methodology], snapshot: Snapshot) -> dict[str, Prepared]:
    """Check every methodology against the snapshot; raise on the first problem, else return
    the prepared populations (so a multi-list run refuses before computing any list).

    Examples:
        >>> from innolink.engines.ranking.synthetic import synthetic_snapshot
        >>> from innolink.engines.ranking.methodology import load_methodologies
        >>> from pathlib import Path
        >>> ms = load_methodologies(Path(__file__).parents[2] / "rankings" / "methodologies")
        >>> sorted(validate_run(ms.values(), synthetic_snapshot(1500, seed=7)))[:2]
        ['advanced_manufacturing_100', 'comprehensive_100']
        >>> validate_run(ms.values(), synthetic_snapshot(300, seed=7))
        Traceback (most recent call last):
        ...
        innolink.engines.ranking._errors.RankingError: [ranking.list_size_exceeds_population] ...
    """
    out: dict[str, Prepared] = {}
    for m in methodologies:
        if m.id in out:
            raise RankingError(
                RankingError.INVALID_METHODOLOGY,
                "方法 id 重复：%(id)s", id=m.id,
            )
        out[m.id] = prepare_list(m, snapshot)
    return out


def run_rankings(
    methodologies: Iterable[Methodology] | Mapping[str, Methodology],
    snapshot: Snapshot,
    *,
    samples: int | None = None,
    seed: int | None = None,
    include_all: bool = False,
    threads: int = 2,
) -> RunResult:
    """Run several lists on one snapshot; all are validated before any is computed.

    The run fingerprint hashes the engine version, every methodology's content hash, the data
    fingerprint and the overrides: the same inputs always give the same lists and fingerprint.

    Examples:
        >>> from innolink.engines.ranking.synthetic import synthetic_snapshot
        >>> from innolink.engines.ranking.methodology import load_methodologies
        >>> from pathlib import Path
        >>> ms = load_methodologies(Path(__file__).parents[2] / "rankings" / "methodologies")
        >>> snap = synthetic_snapshot(1500, seed=7)
        >>> a = run_rankings(ms, snap, samples=20)
        >>> b = run_rankings(ms, snap, samples=20)
        >>> a.fingerprint == b.fingerprint, len(a.lists["green_50"].entries)
        (True, 50)
    """
    ms = list(methodologies.values()) if isinstance(methodologies, Mapping) else list(methodologies)
    prepared = validate_run(ms, snapshot)
    data_fp = snapshot.fingerprint()
    lists = {
        m.id: run_list(m, snapshot, samples=samples, seed=seed, include_all=include_all,
                       threads=threads, _prepared=prepared[m.id], _data_fingerprint=data_fp)
        for m in ms
    }
    fp = _fingerprint(
        ENGINE_VERSION, data_fp, f"samples={samples}", f"seed={seed}",
        *sorted(f"{m.id}:{m.content_hash}" for m in ms),
    )
    return RunResult(snapshot.year, data_fp, fp, ENGINE_VERSION, lists)
