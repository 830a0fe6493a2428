"""Structured fit between a need (challenge, or enterprise) and a provider (researcher, offer).

Each factor is a small named function taking plain values and returning a :class:`Fit`
(score in [0, 1] and a Chinese reason).  :func:`structured_fit` combines them with weights.
A factor with nothing to judge (the challenge states no region, say) returns a neutral score
of 0.5 so that missing data neither rewards nor punishes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

__all__ = [
    "ADJACENT_DOMAINS",
    "DEFAULT_WEIGHTS",
    "DISCIPLINE_DOMAINS",
    "DOMAINS",
    "REQUIREMENT_WEIGHTS",
    "Fit",
    "StructuredFit",
    "availability_fit",
    "discipline_fit",
    "domain_fit",
    "institution_fit",
    "province_of",
    "region_fit",
    "stated_requirements",
    "structured_fit",
    "track_record_fit",
    "trl_fit",
]

#: the six challenge domains of the 揭榜领题 board
DOMAINS = (
    "新一代信息技术",
    "高端装备制造",
    "新能源与节能环保",
    "新材料与石油化工",
    "生物医药与大健康",
    "现代农业与食品",
)

#: domain pairs whose problems often share methods (unordered)
ADJACENT_DOMAINS = frozenset(
    frozenset(p)
    for p in [
        ("新一代信息技术", "新材料与石油化工"),   # photoresists, wet chemicals, low-k films
        ("新材料与石油化工", "新能源与节能环保"),  # battery materials, recycling
        ("高端装备制造", "新一代信息技术"),       # machine vision, control
        ("生物医药与大健康", "现代农业与食品"),    # probiotics, functional food
        ("高端装备制造", "新能源与节能环保"),     # energy-saving equipment
    ]
)

#: first-level discipline -> the domains it usually serves
DISCIPLINE_DOMAINS: dict[str, tuple[str, ...]] = {
    "材料科学与工程": ("新材料与石油化工", "新一代信息技术", "新能源与节能环保"),
    "化学": ("新材料与石油化工", "生物医药与大健康"),
    "化学工程与技术": ("新材料与石油化工", "新能源与节能环保"),
    "纺织科学与工程": ("新材料与石油化工", "新能源与节能环保"),
    "轻工技术与工程": ("新材料与石油化工", "现代农业与食品"),
    "电子科学与技术": ("新一代信息技术",),
    "微电子学与固体电子学": ("新一代信息技术",),
    "计算机科学与技术": ("新一代信息技术", "高端装备制造"),
    "控制科学与工程": ("高端装备制造", "新一代信息技术"),
    "机械工程": ("高端装备制造",),
    "仪器科学与技术": ("高端装备制造", "新一代信息技术"),
    "动力工程及工程热物理": ("新能源与节能环保", "高端装备制造"),
    "电气工程": ("新能源与节能环保", "高端装备制造"),
    "环境科学与工程": ("新能源与节能环保",),
    "生物学": ("生物医药与大健康", "现代农业与食品"),
    "生物医学工程": ("生物医药与大健康",),
    "药学": ("生物医药与大健康",),
    "基础医学": ("生物医药与大健康",),
    "食品科学与工程": ("现代农业与食品",),
    "作物学": ("现代农业与食品",),
}

_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_CITY_PROVINCE = {
    "晋江": "福建", "泉州": "福建", "厦门": "福建", "福州": "福建", "莆田": "福建", "漳州": "福建",
    "深圳": "广东", "广州": "广东", "东莞": "广东", "杭州": "浙江", "宁波": "浙江", "南京": "江苏",
    "苏州": "江苏", "无锡": "江苏", "武汉": "湖北", "长沙": "湖南", "成都": "四川", "西安": "陕西",
    "合肥": "安徽", "济南": "山东", "青岛": "山东", "大连": "辽宁", "沈阳": "辽宁", "哈尔滨": "黑龙江",
}


@dataclass(frozen=True)
class Fit:
    """One structured factor: a score in [0, 1] and why.

    ``detail`` carries the values behind the reason (what was asked, what the provider has), so
    the Django side can word it in any language; it is not part of equality or the repr."""

    score: float
    reason: str
    detail: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class StructuredFit:
    """The combined structured score and its parts."""

    score: float
    parts: Mapping[str, Fit] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    #: the factors the need states as a requirement (solver region, disciplines, institution
    #: types, TRL): they weigh :data:`REQUIREMENT_WEIGHTS`
    stated: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out = {
            "score": round(self.score, 4),
            "parts": {
                k: {"score": round(v.score, 4), "weight": self.weights.get(k, 0.0),
                    "reason": v.reason}
                for k, v in self.parts.items()
            },
        }
        for k in self.stated:
            if k in out["parts"]:
                out["parts"][k]["stated"] = True
                out["parts"][k]["detail"] = dict(self.parts[k].detail)
        return out


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,) if x else ()
    return tuple(v for v in x if v)


def domain_fit(required: str | None, offered, secondary=()) -> Fit:
    """Same domain 1.0, a secondary domain of either side shared 0.8, adjacent 0.5, other 0.1,
    unknown 0.5.

    ``offered`` is one domain or several (the provider's primary first, then secondary ones);
    ``secondary`` are the need's secondary domains.

    Examples:
        >>> domain_fit("新一代信息技术", "新一代信息技术")
        Fit(score=1.0, reason='领域一致：新一代信息技术')
        >>> domain_fit("新一代信息技术", "新材料与石油化工").score
        0.5
        >>> domain_fit("现代农业与食品", "高端装备制造").score
        0.1
        >>> domain_fit("新一代信息技术", ("高端装备制造", "新材料与石油化工"),
        ...            secondary=("新材料与石油化工",)).score
        0.8
    """
    offered_t = _as_tuple(offered)
    if not required or not offered_t:
        return Fit(0.5, "领域信息不全，按中性处理")
    if required in offered_t:
        return Fit(1.0, f"领域一致：{required}")
    shared = [d for d in _as_tuple(secondary) if d in offered_t]
    if shared:
        return Fit(0.8, f"次要领域一致：{shared[0]}")
    for o in offered_t:
        if frozenset((required, o)) in ADJACENT_DOMAINS:
            return Fit(0.5, f"相邻领域：需求属{required}，对方属{o}")
    return Fit(0.1, f"领域不同：需求属{required}，对方属{'、'.join(offered_t)}")


def discipline_fit(wanted, discipline: str | None, domain: str | None = None,
                   serves=None) -> Fit:
    """Discipline match: listed 1.0; serves the need's domain 0.6; other 0.2; unknown 0.5.

    ``serves`` (the domains the discipline usually serves) overrides the built-in table; a
    discipline whose domains are unknown is neutral, never below an empty one.

    Examples:
        >>> discipline_fit(["材料科学与工程"], "材料科学与工程").score
        1.0
        >>> discipline_fit([], "化学工程与技术", domain="新材料与石油化工").score
        0.6
        >>> discipline_fit(["药学"], "机械工程", domain="生物医药与大健康").reason
        '学科“机械工程”不在所需学科（药学）之列'
    """
    wanted_t = _as_tuple(wanted)
    if not discipline:
        return Fit(0.5, "未填写学科，按中性处理")
    if discipline in wanted_t:
        return Fit(1.0, f"学科对口：{discipline}", {"wanted": wanted_t, "got": discipline})
    serves = DISCIPLINE_DOMAINS.get(discipline, ()) if serves is None else _as_tuple(serves)
    if domain and domain in serves:
        return Fit(0.6, f"学科“{discipline}”常服务于{domain}")
    if not wanted_t and not domain:
        return Fit(0.5, "需求未限定学科，按中性处理")
    if wanted_t:
        return Fit(0.2, f"学科“{discipline}”不在所需学科（{'、'.join(wanted_t)}）之列")
    if not serves:
        return Fit(0.5, f"学科“{discipline}”未能对应到领域，按中性处理")
    return Fit(0.2, f"学科“{discipline}”与{domain}关联较弱")


def trl_fit(required_min: int | None, trl: int | None, required_max: int | None = None) -> Fit:
    """Technology readiness (1–9): within the required range 1.0, each level short of the
    minimum costs 0.25, each level beyond the maximum 0.1 (a mature result still helps, but the
    listing asked for earlier-stage work).

    Examples:
        >>> trl_fit(6, 7).score
        1.0
        >>> trl_fit(6, 4)
        Fit(score=0.5, reason='技术成熟度 TRL4，低于要求的 TRL6（差 2 级）')
        >>> trl_fit(None, 5).score
        0.5
        >>> trl_fit(4, 5, 6).reason, trl_fit(4, 8, 6).score
        ('技术成熟度 TRL5，在要求的 TRL4–6 之内', 0.8)
    """
    if trl is None:
        return Fit(0.5, "未填写技术成熟度，按中性处理")
    if not 1 <= int(trl) <= 9:
        raise ValueError(f"技术成熟度须在 1–9 之间，得到 {trl} (TRL must be 1..9)")
    trl = int(trl)
    if required_min is None and required_max is None:
        return Fit(0.4 + 0.2 * (trl - 1) / 8, f"需求未限定成熟度，对方为 TRL{trl}")
    lo = int(required_min) if required_min is not None else 1
    hi = int(required_max) if required_max is not None else 9
    wanted = f"TRL{lo}" if required_max is None else (
        f"TRL{lo}–{hi}" if required_min is not None else f"TRL{hi} 以下")
    detail = {"wanted_min": required_min, "wanted_max": required_max, "got": trl}
    if trl < lo:
        short = lo - trl
        return Fit(max(0.0, 1.0 - 0.25 * short),
                   f"技术成熟度 TRL{trl}，低于要求的 {wanted}（差 {short} 级）", detail)
    if trl > hi:
        over = trl - hi
        return Fit(max(0.5, 1.0 - 0.1 * over),
                   f"技术成熟度 TRL{trl}，高于要求的 {wanted}（超出 {over} 级）", detail)
    if required_max is None:
        return Fit(1.0, f"技术成熟度 TRL{trl}，达到要求的 {wanted}", detail)
    return Fit(1.0, f"技术成熟度 TRL{trl}，在要求的 {wanted} 之内", detail)


def availability_fit(available: bool | None) -> Fit:
    """Can take on new work: yes 1.0, no 0.0, unknown 0.5.

    Examples:
        >>> availability_fit(False)
        Fit(score=0.0, reason='当前不可承接新项目')
    """
    if available is None:
        return Fit(0.5, "未说明是否可承接，按中性处理")
    return Fit(1.0, "当前可承接新项目") if available else Fit(0.0, "当前不可承接新项目")


_INSTITUTION_BASE = {
    "企业博士后工作站": 0.8,
    "博士后科研工作站": 0.8,
    "新型研发机构": 0.75,
    "科研院所": 0.7,
    "高校": 0.65,
    "企业": 0.7,
}


def institution_fit(preferred, institution_type: str | None) -> Fit:
    """Institution type: preferred 1.0; otherwise a mild prior by type (0.3–0.8).

    Examples:
        >>> institution_fit(["科研院所"], "科研院所").score
        1.0
        >>> institution_fit([], "企业博士后工作站").score
        0.8
        >>> institution_fit(["高校"], "企业").score
        0.3
    """
    pref = _as_tuple(preferred)
    if not institution_type:
        return Fit(0.5, "未填写单位类型，按中性处理")
    if institution_type in pref:
        return Fit(1.0, f"单位类型符合要求：{institution_type}",
                   {"wanted": pref, "got": institution_type})
    if pref:
        return Fit(0.3, f"需求倾向{'、'.join(pref)}，对方为{institution_type}")
    base = _INSTITUTION_BASE.get(institution_type, 0.5)
    return Fit(base, f"单位类型：{institution_type}")


def track_record_fit(accepted_proposals: int | None, delivered_contracts: int | None) -> Fit:
    """Past outcomes: ``1 - exp(-(accepted + 2·delivered) / 4)``; a delivered contract counts
    twice an accepted proposal.

    Examples:
        >>> track_record_fit(0, 0).score
        0.0
        >>> round(track_record_fit(2, 1).score, 3)
        0.632
        >>> track_record_fit(None, None).score
        0.3
    """
    if accepted_proposals is None and delivered_contracts is None:
        return Fit(0.3, "无过往揭榜记录")
    a, d = int(accepted_proposals or 0), int(delivered_contracts or 0)
    if a < 0 or d < 0:
        raise ValueError("过往记录数不能为负 (counts must be >= 0)")
    score = 1.0 - math.exp(-(a + 2 * d) / 4.0)
    if a == 0 and d == 0:
        return Fit(0.0, "尚无方案入选或合同交付记录")
    return Fit(score, f"过往方案入选 {a} 项、合同交付 {d} 项")


def province_of(region: str | None) -> str | None:
    """The province named or implied by a region string.

    Examples:
        >>> province_of("福建省泉州市晋江市")
        '福建'
        >>> province_of("厦门")
        '福建'
        >>> province_of(None) is None
        True
    """
    if not region:
        return None
    for p in _PROVINCES:
        if region.startswith(p) or f"{p}省" in region or f"{p}市" in region:
            return p
    for city, p in _CITY_PROVINCE.items():
        if city in region:
            return p
    return None


def region_fit(preferred: str | None, region: str | None) -> Fit:
    """Region preference: same city 1.0, same province 0.7, elsewhere 0.3; none stated 0.5.

    Examples:
        >>> region_fit("晋江", "福建省泉州市晋江市").score
        1.0
        >>> region_fit("晋江", "厦门").score
        0.7
        >>> region_fit("福建", "上海").score
        0.3
        >>> region_fit(None, "上海").score
        0.5
    """
    if not preferred:
        return Fit(0.5, "需求未限定地区")
    if not region:
        return Fit(0.4, f"需求倾向{preferred}，对方未填写地区")
    if preferred in region or region in preferred:
        return Fit(1.0, f"地区符合：{region}", {"wanted": preferred, "got": region})
    p1, p2 = province_of(preferred), province_of(region)
    if p1 and p1 == p2:
        return Fit(0.7, f"同省（{p1}）：需求倾向{preferred}，对方在{region}",
                   {"wanted": preferred, "got": region})
    return Fit(0.3, f"异地：需求倾向{preferred}，对方在{region}")


#: default weights of the factors in :func:`structured_fit` (they sum to 1)
DEFAULT_WEIGHTS: dict[str, float] = {
    "domain": 0.30,
    "discipline": 0.15,
    "trl": 0.15,
    "availability": 0.20,
    "institution": 0.05,
    "track_record": 0.10,
    "region": 0.05,
}


#: weight of a factor the need states as a requirement (``need.requirements``): a listing that
#: asks for a 高校 in 福建 with 材料 and TRL 4–6 lets those conditions count, instead of the 0.05
#: a mere prior gets. A requirement every candidate meets alike still separates nobody: the
#: calibrated fusion centres the structured fit on the candidates' median and divides by at
#: least its floor (ADR 0360), so only a real difference between candidates lifts anyone.
REQUIREMENT_WEIGHTS: dict[str, float] = {
    "discipline": 0.25,
    "trl": 0.20,
    "institution": 0.20,
    "region": 0.20,
}


def stated_requirements(need) -> tuple[str, ...]:
    """The factors the need states as requirements: its ``requirements`` attribute (a
    :class:`~.engine.ChallengeDoc` says which of solver region, disciplines, institution types
    and TRL it states); a need without one (an enterprise's past challenges, a bare namespace)
    states none, so its fit keeps the default weights.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> stated_requirements(NS(requirements=("region", "trl", "unknown")))
        ('region', 'trl')
        >>> stated_requirements(NS(region="晋江"))
        ()
    """
    return tuple(k for k in (getattr(need, "requirements", None) or ())
                 if k in REQUIREMENT_WEIGHTS)


def _best_discipline(wanted, provider) -> str | None:
    """The provider's discipline to judge: the first of its disciplines the need asks for,
    else its main one."""
    main = getattr(provider, "discipline", None)
    for d in _as_tuple(getattr(provider, "disciplines", None)):
        if d in _as_tuple(wanted):
            return d
    return main


def structured_fit(need, provider, weights: Mapping[str, float] | None = None) -> StructuredFit:
    """Combine the factors for a need (challenge-like) and a provider (researcher-like).

    Both are read by attribute with ``getattr`` and sensible defaults, so any object with the
    fields works.  Need fields: ``domain``, ``disciplines``, ``trl_min`` (and ``trl_max``),
    ``institution_types``, ``region`` and ``requirements`` (which of them are stated: with the
    default weights a stated factor weighs :data:`REQUIREMENT_WEIGHTS`; explicit ``weights``
    are used as given).  Provider fields: ``domain`` (and optional
    ``domains``), ``discipline``, ``trl``, ``available``, ``institution_type``,
    ``accepted_proposals``, ``delivered_contracts``, ``region``.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> need = NS(domain="新材料与石油化工", trl_min=5, region="晋江")
        >>> r = NS(domain="新材料与石油化工", discipline="材料科学与工程", trl=6, available=True,
        ...        institution_type="高校", accepted_proposals=1, delivered_contracts=0,
        ...        region="厦门")
        >>> fit = structured_fit(need, r)
        >>> round(fit.score, 3), fit.parts["domain"].score
        (0.83, 1.0)
    """
    stated = stated_requirements(need)
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if weights is None:
        for k in stated:
            w[k] = max(w.get(k, 0.0), REQUIREMENT_WEIGHTS[k])
    domain = getattr(need, "domain", None)
    wanted_disciplines = getattr(need, "disciplines", ())
    offered = tuple(dict.fromkeys(_as_tuple(getattr(provider, "domain", None))
                                  + _as_tuple(getattr(provider, "domains", None))))
    parts = {
        "domain": domain_fit(domain, offered, getattr(need, "secondary_domains", ())),
        "discipline": discipline_fit(wanted_disciplines,
                                     _best_discipline(wanted_disciplines, provider), domain,
                                     getattr(provider, "discipline_domains", None) or None),
        "trl": trl_fit(getattr(need, "trl_min", None), getattr(provider, "trl", None),
                       getattr(need, "trl_max", None)),
        "availability": availability_fit(getattr(provider, "available", None)),
        "institution": institution_fit(getattr(need, "institution_types", ()),
                                       getattr(provider, "institution_type", None)),
        "track_record": track_record_fit(getattr(provider, "accepted_proposals", None),
                                         getattr(provider, "delivered_contracts", None)),
        "region": region_fit(getattr(need, "region", None), getattr(provider, "region", None)),
    }
    parts = {k: v for k, v in parts.items() if w.get(k, 0.0) > 0}
    total = sum(w[k] for k in parts)
    score = sum(w[k] * parts[k].score for k in parts) / total if total > 0 else 0.0
    return StructuredFit(float(score), parts, {k: w[k] for k in parts},
                         tuple(k for k in stated if k in parts))
