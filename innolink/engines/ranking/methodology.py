"""Methodology as data: frozen dataclasses, YAML loading and validation.

A methodology file describes one list for one or more years: eligibility gates, indicators
(direction, weight, missing-data rule, transform), normalisation, weighting, aggregation,
tie rule, uncertainty analysis and the Chinese note shown on the public page. Loading
validates everything that can be checked without data; :func:`check_against_snapshot` and
the run check the rest (year, fields present, list size vs eligible population) before any
computation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ._errors import RankingError
from .derive import BUILTIN_DERIVED, OPS, DerivedSpec, resolve_dependencies
from .fields import OWNERSHIP_VALUES, get_field

__all__ = [
    "IndicatorSpec",
    "Eligibility",
    "TieRule",
    "UncertaintySpec",
    "Methodology",
    "parse_methodology",
    "load_methodology",
    "load_methodologies",
    "NORMALIZATIONS",
    "AGGREGATIONS",
    "WEIGHTINGS",
    "MISSING_RULES",
    "SERVICE_SECTIONS",
]

NORMALIZATIONS = ("minmax", "zscore", "rank", "efficacy")
AGGREGATIONS = ("weighted_sum", "geometric")
WEIGHTINGS = ("given", "equal", "entropy")
MISSING_RULES = ("exclude", "impute_sector_median", "impute_zero", "impute_worst")
TRANSFORMS = ("none", "log")
#: GB/T 4754-2017 sections of the tertiary sector run by enterprises (F–R; S and T are
#: public administration and international organisations).
SERVICE_SECTIONS = tuple("FGHIJKLMNOPQR")
SECTIONS = frozenset("ABCDEFGHIJKLMNOPQRST")


def _invalid(msgid: str, *, values: dict[str, Any] | None = None, **extra: Any) -> RankingError:
    return RankingError(RankingError.INVALID_METHODOLOGY, msgid, values=values, **extra)


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of a list.

    ``direction``: ``higher`` or ``lower`` is better. ``weight``: as written in the file
    (``None`` under equal or entropy weighting). ``missing``: what to do with a NaN —
    ``exclude`` the enterprise from the list, ``impute_sector_median`` (division → section →
    all eligible), ``impute_zero`` or ``impute_worst``; every imputation is flagged.
    ``transform``: ``log`` is the signed log ``sign(x)·ln(1+|x|)`` (safe for 0 and losses).
    ``clip``: absolute caps applied before winsorisation; ``winsorize`` overrides the
    methodology's quantile capping for this indicator.
    """

    name: str
    direction: str = "higher"
    weight: float | None = None
    missing: str = "exclude"
    transform: str = "none"
    clip: tuple[float | None, float | None] | None = None
    winsorize: tuple[float, float] | None = None


@dataclass(frozen=True)
class Eligibility:
    """Gates, applied in this order; an enterprise is counted under its first failing gate."""

    ownership: tuple[str, ...] | None = ("private",)
    registered_in_jinjiang: bool = True
    sections: tuple[str, ...] | None = None
    include_prefixes: tuple[str, ...] = ()
    exclude_prefixes: tuple[str, ...] = ()
    exclude_flags: tuple[str, ...] = ("serious_violation", "dishonest")
    minimums: Mapping[str, float] = field(default_factory=dict)
    maximums: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TieRule:
    """How equal scores are ranked.

    Scores are compared after rounding to ``decimals`` places (0–100 scale). With
    ``shared_rank`` the tied enterprises share the best rank of the group (1, 2, 2, 4) and
    are listed, and cut at the list boundary, in the order of ``keys`` then enterprise id;
    without it the keys give distinct ranks (only enterprises equal on score and every key
    share a rank). ``keys`` are (indicator, ``desc``/``asc``) pairs.
    """

    shared_rank: bool = True
    keys: tuple[tuple[str, str], ...] = (("revenue", "desc"),)
    decimals: int = 6
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class UncertaintySpec:
    """Monte Carlo design: each sample multiplies every weight by U(1-noise, 1+noise),
    renormalises, and picks a normalisation (and aggregation) uniformly from the lists."""

    samples: int = 1000
    weight_noise: float = 0.25
    normalizations: tuple[str, ...] = ("minmax", "zscore", "rank")
    aggregations: tuple[str, ...] = ()
    seed: int = 20260101
    review_band: tuple[float, float] = (0.05, 0.95)


@dataclass(frozen=True)
class Methodology:
    """A validated methodology (see ``innolink/rankings/methodologies/*.yaml``)."""

    id: str
    title_zh: str
    title_en: str
    version: str
    years: tuple[int, ...]
    list_size: int
    note_zh: str
    note_en: str
    eligibility: Eligibility
    indicators: tuple[IndicatorSpec, ...]
    derived: Mapping[str, DerivedSpec]
    normalization: str
    winsorize: tuple[float, float] | None
    weighting: str
    weights_sum: float | None
    aggregation: str
    tie_rule: TieRule
    uncertainty: UncertaintySpec
    threshold_field: str
    impute_min_group: int
    content_hash: str = ""

    @property
    def indicator_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.indicators)

    def to_dict(self) -> dict[str, Any]:
        """The canonical form (defaults filled in); its JSON is what ``content_hash`` hashes."""
        e = self.eligibility
        t = self.tie_rule
        u = self.uncertainty
        return {
            "id": self.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "version": self.version,
            "years": list(self.years),
            "list_size": self.list_size,
            "note_zh": self.note_zh,
            "note_en": self.note_en,
            "threshold_field": self.threshold_field,
            "eligibility": {
                "ownership": None if e.ownership is None else list(e.ownership),
                "registered_in_jinjiang": e.registered_in_jinjiang,
                "industry": {
                    "sections": None if e.sections is None else list(e.sections),
                    "include_prefixes": list(e.include_prefixes),
                    "exclude_prefixes": list(e.exclude_prefixes),
                },
                "exclude_flags": list(e.exclude_flags),
                "minimums": dict(e.minimums),
                "maximums": dict(e.maximums),
            },
            "derived": {
                k: {"op": d.op, "args": list(d.args), "scale": d.scale, "label_zh": d.label_zh,
                    "unit": d.unit}
                for k, d in sorted(self.derived.items())
            },
            "indicators": [
                {
                    "name": i.name,
                    "direction": i.direction,
                    "weight": i.weight,
                    "missing": i.missing,
                    "transform": i.transform,
                    "clip": None if i.clip is None else list(i.clip),
                    "winsorize": None if i.winsorize is None else list(i.winsorize),
                }
                for i in self.indicators
            ],
            "normalization": {
                "method": self.normalization,
                "winsorize": None if self.winsorize is None else list(self.winsorize),
            },
            "weights": {"scheme": self.weighting, "sum": self.weights_sum},
            "aggregation": self.aggregation,
            "missing": {"min_group": self.impute_min_group},
            "tie_rule": {
                "shared_rank": t.shared_rank,
                "keys": [{"field": k, "order": o} for k, o in t.keys],
                "decimals": t.decimals,
                "note_zh": t.note_zh,
                "note_en": t.note_en,
            },
            "uncertainty": {
                "samples": u.samples,
                "weight_noise": u.weight_noise,
                "normalizations": list(u.normalizations),
                "aggregations": list(u.aggregations),
                "seed": u.seed,
                "review_band": list(u.review_band),
            },
        }


# --------------------------------------------------------------------------- parsing helpers


def _check_keys(d: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise _invalid("%(where)s 含未知配置项 %(keys)s", where=where, keys=unknown)


def _mapping(v: Any, where: str) -> Mapping[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise _invalid("%(where)s 应为映射", where=where)
    return v


def _str_list(v: Any, where: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str) or not isinstance(v, (list, tuple)) or not all(
        isinstance(x, str) for x in v
    ):
        raise _invalid("%(where)s 应为字符串列表", where=where)
    return tuple(v)


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _invalid("%(where)s 应为数值", where=where, value=v)
    return float(v)


def _pair(v: Any, where: str, *, lo: float, hi: float) -> tuple[float, float] | None:
    if v is None:
        return None
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise _invalid("%(where)s 应为两个数", where=where)
    a, b = _number(v[0], where), _number(v[1], where)
    if not lo <= a < b <= hi:
        raise _invalid("%(where)s 应满足 %(lo)s ≤ 下限 < 上限 ≤ %(hi)s", values={"lo": lo, "hi": hi},
                       where=where, value=[a, b])
    return (a, b)


def _choice(v: Any, options: tuple[str, ...], where: str) -> str:
    if v not in options:
        raise _invalid("%(where)s 应为 %(options)s 之一", values={"options": list(options)},
                       where=where, value=v)
    return v


def _unknown_indicator(name: str, where: str) -> RankingError:
    return RankingError(RankingError.UNKNOWN_INDICATOR, "%(where)s 引用了未知指标“%(indicator)s”",
                        indicator=name, where=where)


# --------------------------------------------------------------------------- parse


def parse_methodology(raw: Mapping[str, Any]) -> Methodology:
    """Validate a methodology mapping (as read from YAML) and freeze it.

    Raises :class:`RankingError` with code ``ranking.invalid_methodology``,
    ``ranking.unknown_indicator`` or ``ranking.weights_sum_mismatch``.

    Examples:
        >>> m = parse_methodology({
        ...     "id": "demo", "title_zh": "示例榜", "version": "1", "years": [2025],
        ...     "list_size": 3,
        ...     "indicators": [{"name": "revenue", "weight": 60}, {"name": "tax_paid", "weight": 40}],
        ...     "weights": {"scheme": "given", "sum": 100},
        ... })
        >>> m.indicator_names, m.normalization, len(m.content_hash)
        (('revenue', 'tax_paid'), 'minmax', 64)
        >>> parse_methodology({**m.to_dict(), "weights": {"scheme": "given", "sum": 1}})
        Traceback (most recent call last):
        ...
        innolink.engines.ranking._errors.RankingError: [ranking.weights_sum_mismatch] ...
    """
    if not isinstance(raw, Mapping):
        raise _invalid("方法文件应为映射")
    _check_keys(
        raw,
        {
            "id", "title_zh", "title_en", "version", "years", "list_size", "note_zh",
            "note_en", "threshold_field", "eligibility", "derived", "indicators", "normalization",
            "weights", "aggregation", "missing", "tie_rule", "uncertainty",
        },
        "methodology",
    )
    for key in ("id", "title_zh", "version", "years", "list_size", "indicators"):
        if raw.get(key) in (None, "", [], {}):
            raise _invalid("缺少必填项 %(key)s", key=key)
    mid = raw["id"]
    if not isinstance(mid, str) or not mid.replace("_", "").isalnum():
        raise _invalid("id 应为字母数字下划线", value=mid)
    version = str(raw["version"])
    years_raw = raw["years"]
    if isinstance(years_raw, int):
        years_raw = [years_raw]
    if not isinstance(years_raw, list) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in years_raw
    ):
        raise _invalid("years 应为整数列表")
    years = tuple(sorted(set(years_raw)))
    size = raw["list_size"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise _invalid("list_size 应为正整数", value=size)

    # derived indicators declared by the file
    derived: dict[str, DerivedSpec] = {}
    for name, d in _mapping(raw.get("derived"), "derived").items():
        d = _mapping(d, f"derived.{name}")
        _check_keys(d, {"op", "args", "scale", "label_zh", "unit"}, f"derived.{name}")
        if name in BUILTIN_DERIVED or get_field(name) is not None:
            raise _invalid("派生指标“%(indicator)s”与已有名称重名", indicator=name)
        op = _choice(d.get("op"), tuple(sorted(OPS)), f"derived.{name}.op")
        args = _str_list(d.get("args"), f"derived.{name}.args")
        need = {"ratio": 2, "difference": 2, "growth": 1}.get(op)
        if (need is not None and len(args) != need) or (op == "sum" and len(args) < 2):
            raise _invalid("derived.%(indicator)s 的参数个数不对", indicator=name)
        derived[name] = DerivedSpec(
            name, op, args, _number(d.get("scale", 1.0), f"derived.{name}.scale"),
            str(d.get("label_zh", "")), str(d.get("unit", "")),
        )

    def resolve(name: str, where: str) -> None:
        try:
            deps = resolve_dependencies(name, derived)
        except ValueError as exc:
            raise _invalid("派生指标循环引用：%(cycle)s", cycle=str(exc)) from exc
        if deps is None:
            raise _unknown_indicator(name, where)

    for name in derived:
        resolve(name, f"derived.{name}")

    # indicators
    weights_cfg = _mapping(raw.get("weights"), "weights")
    _check_keys(weights_cfg, {"scheme", "sum"}, "weights")
    weighting = _choice(weights_cfg.get("scheme", "given"), WEIGHTINGS, "weights.scheme")
    ind_raw = raw["indicators"]
    if not isinstance(ind_raw, list):
        raise _invalid("indicators 应为列表")
    indicators: list[IndicatorSpec] = []
    for i, item in enumerate(ind_raw):
        where = f"indicators[{i}]"
        item = _mapping(item, where)
        _check_keys(
            item, {"name", "direction", "weight", "missing", "transform", "clip", "winsorize",
                   "label_zh"}, where,
        )
        name = item.get("name")
        if not isinstance(name, str):
            raise _invalid("%(where)s 缺少 name", where=where)
        resolve(name, where)
        weight = item.get("weight")
        if weighting == "given":
            if weight is None:
                raise _invalid("指标“%(indicator)s”缺少权重", indicator=name)
            weight = _number(weight, f"{where}.weight")
            if weight <= 0:
                raise _invalid("指标“%(indicator)s”权重应为正数", indicator=name)
        elif weight is not None:
            raise _invalid("weights.scheme=%(scheme)s 时指标不应写权重",
                           values={"scheme": weighting}, indicator=name)
        clip = item.get("clip")
        if clip is not None:
            if not isinstance(clip, (list, tuple)) or len(clip) != 2:
                raise _invalid("%(where)s.clip 应为 [下限, 上限]", where=where)
            clip = tuple(None if c is None else _number(c, f"{where}.clip") for c in clip)
            if None not in clip and clip[0] >= clip[1]:
                raise _invalid("%(where)s.clip 下限应小于上限", where=where)
        indicators.append(
            IndicatorSpec(
                name=name,
                direction=_choice(item.get("direction", "higher"), ("higher", "lower"),
                                  f"{where}.direction"),
                weight=weight,
                missing=_choice(item.get("missing", "exclude"), MISSING_RULES, f"{where}.missing"),
                transform=_choice(item.get("transform", "none"), TRANSFORMS, f"{where}.transform"),
                clip=clip,
                winsorize=_pair(item.get("winsorize"), f"{where}.winsorize", lo=0.0, hi=1.0),
            )
        )
    names = [i.name for i in indicators]
    if len(set(names)) != len(names):
        raise _invalid("指标重复", indicators=names)

    weights_sum = weights_cfg.get("sum")
    if weighting == "given":
        if weights_sum is None:
            raise _invalid("使用给定权重时须声明 weights.sum")
        weights_sum = _number(weights_sum, "weights.sum")
        total = sum(i.weight for i in indicators)  # type: ignore[misc]
        if abs(total - weights_sum) > 1e-9 * max(1.0, abs(weights_sum)):
            raise RankingError(
                RankingError.WEIGHTS_SUM_MISMATCH, "权重之和为 %(actual)g，与声明的 %(declared)g 不符",
                declared=weights_sum, actual=total,
            )
    elif weights_sum is not None:
        weights_sum = _number(weights_sum, "weights.sum")

    # normalisation, aggregation
    norm_cfg = raw.get("normalization", {})
    if isinstance(norm_cfg, str):
        norm_cfg = {"method": norm_cfg}
    norm_cfg = _mapping(norm_cfg, "normalization")
    _check_keys(norm_cfg, {"method", "winsorize"}, "normalization")
    normalization = _choice(norm_cfg.get("method", "minmax"), NORMALIZATIONS, "normalization.method")
    winsorize = _pair(norm_cfg.get("winsorize"), "normalization.winsorize", lo=0.0, hi=1.0)
    aggregation = _choice(raw.get("aggregation", "weighted_sum"), AGGREGATIONS, "aggregation")

    # eligibility
    el = _mapping(raw.get("eligibility"), "eligibility")
    _check_keys(
        el, {"ownership", "registered_in_jinjiang", "industry", "exclude_flags", "minimums",
             "maximums"}, "eligibility",
    )
    ownership = el.get("ownership", ["private"])
    ownership = None if ownership is None else _str_list(ownership, "eligibility.ownership")
    if ownership is not None and not set(ownership) <= OWNERSHIP_VALUES:
        raise _invalid("未知所有制类型 %(values)s",
                       values={"values": sorted(set(ownership) - OWNERSHIP_VALUES)})
    ind = _mapping(el.get("industry"), "eligibility.industry")
    _check_keys(ind, {"sections", "include_prefixes", "exclude_prefixes"}, "eligibility.industry")
    sections = ind.get("sections")
    if sections == "services":
        sections = list(SERVICE_SECTIONS)
    sections = None if sections is None else _str_list(sections, "eligibility.industry.sections")
    if sections is not None and not set(sections) <= SECTIONS:
        raise _invalid("未知行业门类 %(sections)s", sections=list(sections))
    flags = _str_list(el.get("exclude_flags", ["serious_violation", "dishonest"]),
                      "eligibility.exclude_flags")
    for f in flags:
        spec = get_field(f)
        if spec is None or spec.kind != "flag":
            raise RankingError(RankingError.UNKNOWN_FIELD, "未知标志字段“%(field)s”", field=f)
    bounds: dict[str, dict[str, float]] = {}
    for kind in ("minimums", "maximums"):
        b = _mapping(el.get(kind), f"eligibility.{kind}")
        for name, v in b.items():
            resolve(name, f"eligibility.{kind}")
            b = {**b, name: _number(v, f"eligibility.{kind}.{name}")}
        bounds[kind] = dict(b)
    eligibility = Eligibility(
        ownership=ownership,
        registered_in_jinjiang=bool(el.get("registered_in_jinjiang", True)),
        sections=sections,
        include_prefixes=_str_list(ind.get("include_prefixes"), "eligibility.industry.include_prefixes"),
        exclude_prefixes=_str_list(ind.get("exclude_prefixes"), "eligibility.industry.exclude_prefixes"),
        exclude_flags=flags,
        minimums=MappingProxyType(bounds["minimums"]),
        maximums=MappingProxyType(bounds["maximums"]),
    )

    # tie rule
    tr = _mapping(raw.get("tie_rule"), "tie_rule")
    _check_keys(tr, {"shared_rank", "keys", "decimals", "note_zh", "note_en"}, "tie_rule")
    keys_raw = tr.get("keys", [{"field": "revenue", "order": "desc"}])
    if not isinstance(keys_raw, list):
        raise _invalid("tie_rule.keys 应为列表")
    keys: list[tuple[str, str]] = []
    for k in keys_raw:
        k = _mapping(k, "tie_rule.keys[]")
        _check_keys(k, {"field", "order"}, "tie_rule.keys[]")
        kname = k.get("field")
        if not isinstance(kname, str):
            raise _invalid("tie_rule.keys[] 缺少 field")
        resolve(kname, "tie_rule.keys")
        keys.append((kname, _choice(k.get("order", "desc"), ("desc", "asc"), "tie_rule.keys[].order")))
    decimals = tr.get("decimals", 6)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise _invalid("tie_rule.decimals 应为 0–12 的整数")
    tie_rule = TieRule(bool(tr.get("shared_rank", True)), tuple(keys), decimals,
                       str(tr.get("note_zh", "")), str(tr.get("note_en", "")))

    # uncertainty
    un = _mapping(raw.get("uncertainty"), "uncertainty")
    _check_keys(
        un, {"samples", "weight_noise", "normalizations", "aggregations", "seed", "review_band"},
        "uncertainty",
    )
    samples = un.get("samples", 1000)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise _invalid("uncertainty.samples 应为非负整数")
    noise = _number(un.get("weight_noise", 0.25), "uncertainty.weight_noise")
    if not 0.0 <= noise < 1.0:
        raise _invalid("uncertainty.weight_noise 应在 [0, 1)")
    norms = _str_list(un.get("normalizations", ["minmax", "zscore", "rank"]),
                      "uncertainty.normalizations") or (normalization,)
    for nm in norms:
        _choice(nm, NORMALIZATIONS, "uncertainty.normalizations[]")
    aggs = _str_list(un.get("aggregations", [aggregation]), "uncertainty.aggregations") or (aggregation,)
    for ag in aggs:
        _choice(ag, AGGREGATIONS, "uncertainty.aggregations[]")
    seed = un.get("seed", 20260101)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _invalid("uncertainty.seed 应为非负整数")
    band = _pair(un.get("review_band", [0.05, 0.95]), "uncertainty.review_band", lo=0.0, hi=1.0)
    uncertainty = UncertaintySpec(samples, noise, tuple(norms), tuple(aggs), seed, band)  # type: ignore[arg-type]

    threshold_field = raw.get("threshold_field", "revenue")
    if not isinstance(threshold_field, str):
        raise _invalid("threshold_field 应为字符串")
    resolve(threshold_field, "threshold_field")
    miss = _mapping(raw.get("missing"), "missing")
    _check_keys(miss, {"min_group"}, "missing")
    min_group = miss.get("min_group", 5)
    if isinstance(min_group, bool) or not isinstance(min_group, int) or min_group < 1:
        raise _invalid("missing.min_group 应为正整数")

    m = Methodology(
        id=mid,
        title_zh=str(raw["title_zh"]),
        title_en=str(raw.get("title_en", "")),
        version=version,
        years=years,
        list_size=size,
        note_zh=str(raw.get("note_zh", "")),
        note_en=str(raw.get("note_en", "")),
        eligibility=eligibility,
        indicators=tuple(indicators),
        derived=MappingProxyType(derived),
        normalization=normalization,
        winsorize=winsorize,
        weighting=weighting,
        weights_sum=weights_sum,
        aggregation=aggregation,
        tie_rule=tie_rule,
        uncertainty=uncertainty,
        threshold_field=threshold_field,
        impute_min_group=min_group,
    )
    canon = json.dumps(m.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _replace_hash(m, hashlib.sha256(canon.encode("utf-8")).hexdigest())


def _replace_hash(m: Methodology, h: str) -> Methodology:
    from dataclasses import replace

    return replace(m, content_hash=h)


def load_methodology(path: str | Path) -> Methodology:
    """Read and validate one YAML methodology file.

    Examples:
        >>> from pathlib import Path
        >>> d = Path(__file__).parents[2] / "rankings" / "methodologies"
        >>> load_methodology(d / "comprehensive_100.yaml").list_size
        100
    """
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _invalid("YAML 解析失败：%(file)s（%(problem)s）", values={"file": p.name, "problem": str(exc)},
                       path=str(p)) from exc
    try:
        return parse_methodology(raw)
    except RankingError as exc:
        exc.extra.setdefault("path", p.name)
        raise


def load_methodologies(directory: str | Path) -> dict[str, Methodology]:
    """Every ``*.yaml`` in ``directory``, keyed by methodology id (sorted by file name).

    Examples:
        >>> from pathlib import Path
        >>> ms = load_methodologies(Path(__file__).parents[2] / "rankings" / "methodologies")
        >>> ms["tax_contribution"].title_zh, len(ms)
        ('晋江市纳税贡献突出民营企业', 7)
    """
    out: dict[str, Methodology] = {}
    for p in sorted(Path(directory).glob("*.yaml")):
        m = load_methodology(p)
        if m.id in out:
            raise _invalid("方法 id 重复：%(id)s", id=m.id)
        out[m.id] = m
    return out
