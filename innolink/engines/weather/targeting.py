"""Which enterprises a warning reaches and what each should do: response rules as data, applied
to every exposure profile at once with numpy.

A response rule says: for these warning kinds, at this colour or above, enterprises with any of
these exposures (optionally only in these towns) get these recommended actions. ``load_rules``
reads and checks the YAML file; ``target`` evaluates a warning against all profiles in one
vectorised pass; ``target_reference`` does the same one profile at a time (the slow, obviously
correct reference that tests and the bench compare with).

Examples:
    >>> rules = load_rules_text('''
    ... exposures: [{code: port_logistics, label: 港口物流}, {code: outdoor_work, label: 户外作业}]
    ... rules:
    ...   - id: port
    ...     title: 台风·港口
    ...     when: {kinds: [台风], level: 橙, exposures: [port_logistics]}
    ...     actions: [停止港区装卸作业]
    ... ''', towns=("深沪", "金井"))
    >>> profiles = Profiles.build(ids=[1, 2, 3], towns=[0, 1, 0], exposures=[1, 1, 2],
    ...                           lats=[None] * 3, lons=[None] * 3)
    >>> hit = target(profiles, WarningArea("台风", "红", towns=(0,)), rules)
    >>> hit.enterprise_ids.tolist(), hit.actions_for(0)
    ([1], ('停止港区装卸作业',))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import yaml

from .signals import KINDS, LEVEL_RANK, LEVELS, SignalError, check_signal

MAX_EXPOSURES = 62
MAX_RULES_PER_WARNING = 62
EARTH_RADIUS_KM = 6371.0088


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kinds: frozenset[str]
    min_level: int  # 1 蓝 … 4 红
    exposure_mask: int  # 0 = every enterprise in the area
    towns: tuple[int, ...] | None  # town indexes, None = every town
    actions: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    exposures: tuple[tuple[str, str], ...]  # (code, label), bit i = exposures[i]
    rules: tuple[Rule, ...]
    towns: tuple[str, ...]

    def exposure_bit(self, code: str) -> int:
        for i, (c, _label) in enumerate(self.exposures):
            if c == code:
                return 1 << i
        raise RulesError(f"未知的暴露类型：{code}")

    def mask_of(self, codes: Sequence[str]) -> int:
        mask = 0
        for code in codes:
            mask |= self.exposure_bit(code)
        return mask

    def applicable(self, kind: str, level: str) -> tuple[Rule, ...]:
        rank = LEVEL_RANK[level]
        return tuple(r for r in self.rules if kind in r.kinds and rank >= r.min_level)


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RulesError(f"{where} 应为列表")
    return value


def load_rules_text(text: str, *, towns: Sequence[str]) -> RuleSet:
    """Read response rules from YAML text; every problem names the rule and the key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"响应规则文件不是有效的 YAML：{exc}") from None
    if not isinstance(data, dict):
        raise RulesError("响应规则文件应包含 exposures 和 rules")
    towns = tuple(towns)
    exposures = []
    for i, item in enumerate(_list(data.get("exposures"), "exposures")):
        if not isinstance(item, dict) or not item.get("code") or not item.get("label"):
            raise RulesError(f"exposures[{i}] 应有 code 和 label")
        exposures.append((str(item["code"]), str(item["label"])))
    if len({c for c, _ in exposures}) != len(exposures):
        raise RulesError("exposures 中有重复的 code")
    if len(exposures) > MAX_EXPOSURES:
        raise RulesError(f"暴露类型最多 {MAX_EXPOSURES} 种")
    codes = {c: 1 << i for i, (c, _l) in enumerate(exposures)}
    rules, seen = [], set()
    for i, item in enumerate(_list(data.get("rules"), "rules")):
        where = f"rules[{i}]"
        if not isinstance(item, dict):
            raise RulesError(f"{where} 应为映射")
        rid = str(item.get("id") or "")
        if not rid or rid in seen:
            raise RulesError(f"{where} 缺少 id 或 id 重复：{rid}")
        seen.add(rid)
        when = item.get("when") or {}
        if not isinstance(when, dict):
            raise RulesError(f"{rid}: when 应为映射")
        unknown = set(when) - {"kinds", "level", "exposures", "towns"}
        if unknown:
            raise RulesError(f"{rid}: when 中有未知的键 {sorted(unknown)}")
        kinds = [str(k) for k in _list(when.get("kinds"), f"{rid}.kinds")]
        if not kinds:
            raise RulesError(f"{rid}: 至少指定一种预警信号（kinds）")
        for kind in kinds:
            if kind not in KINDS:
                raise RulesError(f"{rid}: 未知的预警信号种类 {kind}")
        level = str(when.get("level") or LEVELS[0])
        if level not in LEVEL_RANK:
            raise RulesError(f"{rid}: level 应为 蓝/黄/橙/红 之一，而不是 {level}")
        if not any(level_ok(kind, level) for kind in kinds):
            raise RulesError(f"{rid}: 所列预警信号都没有{level}色或更高级别")
        mask = 0
        for code in _list(when.get("exposures"), f"{rid}.exposures"):
            if code not in codes:
                raise RulesError(f"{rid}: 未知的暴露类型 {code}")
            mask |= codes[code]
        town_list = when.get("towns")
        town_index = None
        if town_list is not None:
            town_index = []
            for town in _list(town_list, f"{rid}.towns"):
                if town not in towns:
                    raise RulesError(f"{rid}: 未知的镇街 {town}")
                town_index.append(towns.index(town))
            town_index = tuple(town_index)
        actions = tuple(str(a).strip() for a in _list(item.get("actions"), f"{rid}.actions")
                        if str(a).strip())
        if not actions:
            raise RulesError(f"{rid}: 至少给出一条建议措施（actions）")
        rules.append(Rule(rid, str(item.get("title") or rid), frozenset(kinds),
                          LEVEL_RANK[level], mask, town_index, actions))
    return RuleSet(tuple(exposures), tuple(rules), towns)


def level_ok(kind: str, level: str) -> bool:
    """Whether ``kind`` has a colour at ``level`` or above.

    Examples:
        >>> level_ok("霾", "红"), level_ok("霾", "黄")
        (False, True)
    """
    return any(_has(kind, lv) for lv in LEVELS[LEVEL_RANK[level] - 1:])


def _has(kind: str, level: str) -> bool:
    try:
        check_signal(kind, level)
        return True
    except SignalError:
        return False


# ---------------------------------------------------------------------------------- profiles

@dataclass(frozen=True)
class Profiles:
    """Exposure profiles as columns: enterprise id, town index (-1 unknown), exposure bits,
    location (NaN when unknown)."""

    ids: np.ndarray  # int64
    towns: np.ndarray  # int16
    exposures: np.ndarray  # int64
    lats: np.ndarray  # float64
    lons: np.ndarray  # float64

    @classmethod
    def build(cls, *, ids, towns, exposures, lats, lons) -> "Profiles":
        def floats(values):
            return np.array([np.nan if v is None else float(v) for v in values], np.float64)

        return cls(np.asarray(ids, np.int64), np.asarray(towns, np.int16),
                   np.asarray(exposures, np.int64), floats(lats), floats(lons))

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class WarningArea:
    kind: str
    level: str
    towns: tuple[int, ...] = ()
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()  # rings of (lat, lon)
    circles: tuple[tuple[float, float, float], ...] = ()  # (lat, lon, km)
    whole_city: bool = False


@dataclass(frozen=True)
class Targets:
    """Profiles a warning reaches (positions into the profiles), with the rules each matched
    as a bit set over ``rules``."""

    positions: np.ndarray
    enterprise_ids: np.ndarray
    rule_bits: np.ndarray
    rules: tuple[Rule, ...]

    def __len__(self) -> int:
        return len(self.positions)

    def actions_of(self, bits: int) -> tuple[str, ...]:
        out: list[str] = []
        for r, rule in enumerate(self.rules):
            if bits >> r & 1:
                out.extend(a for a in rule.actions if a not in out)
        return tuple(out)

    def rule_ids_of(self, bits: int) -> tuple[str, ...]:
        return tuple(rule.id for r, rule in enumerate(self.rules) if bits >> r & 1)

    def actions_for(self, i: int) -> tuple[str, ...]:
        return self.actions_of(int(self.rule_bits[i]))

    def groups(self) -> list[tuple[int, np.ndarray]]:
        """``(rule bits, positions into this result)`` for each distinct combination."""
        if not len(self.rule_bits):
            return []
        values, inverse = np.unique(self.rule_bits, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(values) + 1))
        return [(int(v), order[bounds[k]:bounds[k + 1]]) for k, v in enumerate(values)]


def points_in_polygon(lats: np.ndarray, lons: np.ndarray,
                      ring: Sequence[tuple[float, float]]) -> np.ndarray:
    """Even-odd rule for every point at once (one pass per polygon edge); NaN is outside.

    Examples:
        >>> square = ((0, 0), (0, 2), (2, 2), (2, 0), (0, 0))
        >>> points_in_polygon(np.array([1.0, 3.0, np.nan]), np.array([1.0, 1.0, 1.0]), square).tolist()
        [True, False, False]
    """
    inside = np.zeros(len(lats), bool)
    ys, xs = lats, lons
    n = len(ring)
    for k in range(n - 1):
        y1, x1 = ring[k]
        y2, x2 = ring[k + 1]
        if y1 == y2:
            continue
        crosses = (y1 > ys) != (y2 > ys)
        with np.errstate(invalid="ignore"):
            x_at = (x2 - x1) * (ys - y1) / (y2 - y1) + x1
            inside ^= crosses & (xs < x_at)
    return inside


def points_in_circle(lats: np.ndarray, lons: np.ndarray, lat: float, lon: float,
                     km: float) -> np.ndarray:
    p1, p2 = np.radians(lats), math.radians(lat)
    dp, dl = p2 - p1, np.radians(lon - lons)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    with np.errstate(invalid="ignore"):
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)) <= km


def in_area(profiles: Profiles, area: WarningArea) -> np.ndarray:
    if area.whole_city:
        return np.ones(len(profiles), bool)
    hit = np.isin(profiles.towns, np.asarray(area.towns, np.int16)) if area.towns else \
        np.zeros(len(profiles), bool)
    for ring in area.polygons:
        hit |= points_in_polygon(profiles.lats, profiles.lons, ring)
    for lat, lon, km in area.circles:
        hit |= points_in_circle(profiles.lats, profiles.lons, lat, lon, km)
    return hit


def target(profiles: Profiles, area: WarningArea, rules: RuleSet) -> Targets:
    """Every profile the warning reaches through at least one rule, in one vectorised pass."""
    check_signal(area.kind, area.level)
    applicable = rules.applicable(area.kind, area.level)
    if len(applicable) > MAX_RULES_PER_WARNING:
        raise RulesError(f"同一预警适用的规则最多 {MAX_RULES_PER_WARNING} 条")
    inside = in_area(profiles, area)
    bits = np.zeros(len(profiles), np.int64)
    for r, rule in enumerate(applicable):
        hit = inside
        if rule.exposure_mask:
            hit = hit & ((profiles.exposures & rule.exposure_mask) != 0)
        if rule.towns is not None:
            hit = hit & np.isin(profiles.towns, np.asarray(rule.towns, np.int16))
        bits |= hit.astype(np.int64) << r
    positions = np.flatnonzero(bits)
    return Targets(positions, profiles.ids[positions], bits[positions], applicable)


# ---------------------------------------------------------------------------------- reference

def _point_in_ring(lat: float, lon: float, ring) -> bool:
    inside = False
    for (y1, x1), (y2, x2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def target_reference(records: Sequence[dict], area: WarningArea, rules: RuleSet
                     ) -> dict[int, tuple[str, ...]]:
    """One profile at a time: ``{enterprise id: matched rule ids}``. Each record has ``id``,
    ``town`` (index or None), ``exposures`` (codes), ``lat``, ``lon``."""
    check_signal(area.kind, area.level)
    out = {}
    for rec in records:
        located = rec.get("lat") is not None and rec.get("lon") is not None
        inside = area.whole_city or (rec.get("town") is not None and rec["town"] in area.towns)
        if not inside and located:
            inside = any(_point_in_ring(rec["lat"], rec["lon"], ring) for ring in area.polygons) \
                or any(_distance_km(rec["lat"], rec["lon"], la, lo) <= km
                       for la, lo, km in area.circles)
        if not inside:
            continue
        matched = []
        for rule in rules.rules:
            if area.kind not in rule.kinds or LEVEL_RANK[area.level] < rule.min_level:
                continue
            if rule.exposure_mask and not (rules.mask_of(rec["exposures"]) & rule.exposure_mask):
                continue
            if rule.towns is not None and rec.get("town") not in rule.towns:
                continue
            matched.append(rule.id)
        if matched:
            out[rec["id"]] = tuple(matched)
    return out
