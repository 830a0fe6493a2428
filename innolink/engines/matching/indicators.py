"""Indicator-level coverage: how much of each indicator target a text speaks to.

A challenge states targets such as ``介电常数 ≤ 2.7`` or ``耐磨 ≤ 80 mm³``.  A researcher's
record states results in free text ("实现介电常数2.5的低k薄膜", "DIN磨耗 65 mm³").  This module

1. parses quantities with units out of free text (:func:`extract_quantities`),
2. normalises units through the shared table of :mod:`innolink.engines.units`
   (:data:`UNITS`, :func:`convert`),
3. finds indicator names through an alias table (:data:`ALIASES`, :func:`find_mentions`),
4. attaches the nearest compatible quantity to each mention and compares it with the
   target (:func:`assess`), giving per indicator one of
   ``meets`` > ``near`` > ``value_off`` > ``mentioned`` > ``absent``,
5. averages the per-indicator scores into a coverage in [0, 1] (:func:`coverage`).

Pure Python; no Django, no numpy needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from innolink.engines.challenges.target_parse import read_target, split_name
from innolink.engines.units import UNITS, Unit, canonical_unit, convert, unit_spellings

__all__ = [
    "ALIASES",
    "STATUS_SCORES",
    "UNITS",
    "Coverage",
    "IndicatorMatch",
    "IndicatorTarget",
    "Mention",
    "Quantity",
    "Unit",
    "assess",
    "canonical_indicator",
    "canonical_unit",
    "convert",
    "coverage",
    "extract_quantities",
    "find_mentions",
    "parse_target",
]

# Longest spellings first so "mm³" wins over "mm" and "mm" over "m".
_UNIT_ALTERNATION = "|".join(
    re.escape(k) for k in sorted(unit_spellings(), key=lambda s: (-len(s), s))
)

# ---------------------------------------------------------------------------------------------
# Quantities in free text
# ---------------------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_COMPARATOR_WORDS = {
    "≤": "<=", "<=": "<=", "不高于": "<=", "不超过": "<=", "不大于": "<=", "以下": "<=",
    "≥": ">=", ">=": ">=", "不低于": ">=", "不小于": ">=", "以上": ">=", "达到": ">=",
    "<": "<", "低于": "<", "小于": "<", "＜": "<",
    ">": ">", "高于": ">", "大于": ">", "超过": ">", "＞": ">",
    "=": "=", "为": "=", "约": "=",
}
_NUM = r"\d+(?:\.\d+)?"
_QUANTITY_RE = re.compile(
    r"(?P<cmp>≤|≥|<=|>=|＜|＞|<|>|不高于|不超过|不大于|不低于|不小于|低于|小于|高于|大于|超过|达到)?"
    r"\s*(?:10\^(?P<pow>-?\d+)|(?P<num>" + _NUM + r"))"
    r"(?:\s*(?:~|～|-|–|—|至|到)\s*(?P<num2>" + _NUM + r"))?"
    r"(?:\s*[×xX\*]\s*10\^?(?P<exp>-?\d+))?"
    r"(?P<wan>万)?"
    r"\s*(?P<unit>" + _UNIT_ALTERNATION + r")?"
    r"(?:\s*(?P<tail>以下|以上))?"
)


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its unit (canonical symbol or ``None``) and position."""

    value: float
    unit: str | None
    start: int
    end: int
    comparator: str | None = None
    upper: float | None = None


@lru_cache(maxsize=16384)
def _quantities(text: str) -> tuple[Quantity, ...]:
    return tuple(extract_quantities(text))


def extract_quantities(text: str) -> list[Quantity]:
    """All quantities in ``text`` in reading order, units normalised to canonical symbols.

    Examples:
        >>> [(q.value, q.unit) for q in extract_quantities("DIN磨耗 65 mm3，硬度60")]
        [(65.0, 'mm³'), (60.0, None)]
        >>> q = extract_quantities("分辨率达到0.085μm")[0]
        >>> (q.value, q.unit, q.comparator)
        (0.085, 'μm', '>=')
        >>> [(q.value, q.upper, q.unit) for q in extract_quantities("厚度 60-80 nm")]
        [(60.0, 80.0, 'nm')]
        >>> extract_quantities("活菌数 1×10^9 CFU/g")[0].value
        1000000000.0
        >>> (lambda q: (q.value, q.unit))(extract_quantities("活菌数10^7 CFU/g")[0])
        (10000000.0, 'CFU/g')
    """
    norm = text.translate(_SUPERSCRIPTS)
    out: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(norm):
        unit_text = m.group("unit")
        end = m.end()
        if unit_text:
            # An ASCII unit glued to more ASCII letters ("5 mins", "3 Mpa-ish") is not a unit.
            nxt = norm[m.end("unit"): m.end("unit") + 1]
            if unit_text.isascii() and unit_text[-1].isalpha() and nxt.isascii() and nxt.isalpha():
                unit_text = None
                end = m.end("num2") if m.group("num2") else max(m.end("num"), m.end("pow"))
        num_start = m.start("num") if m.group("num") is not None else m.start("pow") - 3
        # A number glued to ASCII letters before it is part of a name (PET2, K2), not a value.
        prev = norm[num_start - 1: num_start] if num_start > 0 else ""
        if prev.isascii() and (prev.isalpha() or prev == "-") and not m.group("cmp"):
            continue
        value = float(m.group("num")) if m.group("num") is not None else 10.0 ** int(m.group("pow"))
        upper = float(m.group("num2")) if m.group("num2") else None
        scale = 1.0
        if m.group("exp"):
            scale *= 10.0 ** int(m.group("exp"))
        if m.group("wan"):
            scale *= 1e4
        value *= scale
        if upper is not None:
            upper *= scale
        cmp_word = m.group("cmp") or m.group("tail")
        unit = canonical_unit(unit_text)
        out.append(
            Quantity(
                value=value,
                unit=unit.symbol if unit else None,
                start=num_start if not m.group("cmp") else m.start("cmp"),
                end=end,
                comparator=_COMPARATOR_WORDS.get(cmp_word) if cmp_word else None,
                upper=upper,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Indicator names and aliases
# ---------------------------------------------------------------------------------------------

#: canonical indicator name -> aliases (Chinese, English, abbreviations).  Matching is
#: case-insensitive for ASCII.  Keep each alias specific: a bare "k" would match everywhere.
ALIASES: dict[str, tuple[str, ...]] = {
    "介电常数": ("介电常数", "相对介电常数", "dielectric constant", "k值", "K值", "Dk", "介电系数"),
    "介电损耗": ("介电损耗", "损耗因子", "损耗角正切", "Df", "dielectric loss"),
    "耐磨": ("耐磨", "耐磨性", "耐磨耗", "磨耗", "磨耗量", "DIN磨耗", "阿克隆磨耗", "abrasion"),
    "分辨率": ("分辨率", "解析度", "分辨力", "最小线宽", "线宽", "resolution"),
    "灵敏度": ("灵敏度", "感光度", "曝光剂量", "感度", "sensitivity"),
    "染色用水": ("染色用水", "单位产品取水量", "取水量", "吨布用水", "用水量", "耗水量", "水耗",
                 "water consumption"),
    "拉伸强度": ("拉伸强度", "抗拉强度", "tensile strength", "断裂强度"),
    "断裂伸长率": ("断裂伸长率", "伸长率", "elongation at break"),
    "回弹率": ("回弹率", "回弹性", "回弹", "rebound"),
    "密度": ("密度", "density"),
    "能量密度": ("能量密度", "比能量", "energy density"),
    "循环寿命": ("循环寿命", "循环次数", "cycle life"),
    "击穿电压": ("击穿电压", "耐压", "阻断电压", "breakdown voltage"),
    "导通电阻": ("导通电阻", "比导通电阻", "on-resistance"),
    "吸水率": ("吸水率", "water absorption"),
    "吸水倍率": ("吸水倍率", "吸液倍率", "吸收倍率", "absorbency"),
    "抗折强度": ("抗折强度", "断裂模数", "破坏强度", "flexural strength"),
    "热导率": ("热导率", "导热系数", "thermal conductivity"),
    "单位能耗": ("单位能耗", "综合能耗", "吨产品能耗", "电耗", "能耗", "energy consumption"),
    "货架期": ("货架期", "保质期", "货架寿命", "shelf life"),
    "活菌数": ("活菌数", "活菌", "viable count"),
    "特性粘度": ("特性粘度", "特性黏度", "IV值", "intrinsic viscosity"),
    "金属杂质": ("金属杂质", "金属离子含量", "金属离子", "metal impurities"),
    "降解率": ("降解率", "生物降解率", "degradation rate"),
    "定位精度": ("定位精度", "重复定位精度", "positioning accuracy"),
    "良率": ("良率", "成品率", "合格率", "yield"),
    "色牢度": ("色牢度", "耐洗色牢度", "耐摩擦色牢度", "colour fastness", "color fastness"),
    "芯吸高度": ("芯吸高度", "芯吸", "wicking"),
    "透湿量": ("透湿量", "透湿性", "透湿率", "moisture vapor transmission"),
    "抑菌率": ("抑菌率", "抗菌率", "antibacterial rate"),
    "白度": ("白度", "whiteness"),
    "撕裂强度": ("撕裂强度", "tear strength"),
    "粘度": ("粘度", "黏度", "viscosity"),
    "硬度": ("硬度", "邵氏硬度", "hardness"),
    "效率": ("转换效率", "效率", "efficiency"),
    "纯度": ("纯度", "purity"),
    "准确率": ("准确率", "识别准确率", "正确率", "accuracy"),
    "回渗量": ("回渗量", "回渗", "rewet"),
    "沾水等级": ("沾水等级", "拒水等级", "沾水"),
    "耐静水压": ("耐静水压", "静水压"),
    "分子量": ("分子量", "平均分子量", "molecular weight"),
    "压缩永久变形": ("压缩永久变形", "压缩变形"),
    "固色率": ("固色率", "fixation"),
}
_ALIAS_TO_CANON: dict[str, str] = {}
for _canon, _names in ALIASES.items():
    for _n in _names:
        _ALIAS_TO_CANON.setdefault(_n.lower(), _canon)


def canonical_indicator(name: str) -> str:
    """The canonical name of an indicator (itself if it is not in the alias table).

    Examples:
        >>> canonical_indicator("dielectric constant")
        '介电常数'
        >>> canonical_indicator("DIN磨耗")
        '耐磨'
        >>> canonical_indicator("吸音系数")
        '吸音系数'
    """
    key = name.strip().lower()
    if key in _ALIAS_TO_CANON:
        return _ALIAS_TO_CANON[key]
    # "染色单位产品取水量" -> contains a known alias: take the longest one inside the name.
    best = max((a for a in _ALIAS_TO_CANON if a in key), key=len, default=None)
    return _ALIAS_TO_CANON[best] if best and len(best) >= 2 else name.strip()


def _aliases_for(name: str) -> tuple[str, ...]:
    canon = canonical_indicator(name)
    names = ALIASES.get(canon, ())
    extra = (name.strip(),) if name.strip() and name.strip() not in names else ()
    return tuple(names) + extra


@dataclass(frozen=True)
class Mention:
    """One occurrence of an indicator alias in a text."""

    alias: str
    start: int
    end: int


def find_mentions(name: str, text: str) -> list[Mention]:
    """Occurrences of an indicator (any alias) in ``text``; overlapping shorter aliases dropped.

    Examples:
        >>> [(m.alias, m.start) for m in find_mentions("耐磨", "鞋底DIN磨耗65 mm³，耐磨性好")]
        [('DIN磨耗', 2), ('耐磨性', 14)]
        >>> find_mentions("介电常数", "low-k薄膜的Dielectric Constant为2.4")[0].alias
        'dielectric constant'
    """
    low = text.lower()
    found: list[Mention] = []
    for alias in sorted(_aliases_for(name), key=len, reverse=True):
        a = alias.lower()
        if not a:
            continue
        start = low.find(a)
        while start != -1:
            end = start + len(a)
            ascii_alias = a.isascii()
            boundary_ok = not ascii_alias or (
                (start == 0 or not low[start - 1].isalnum() or not low[start - 1].isascii())
                and (end == len(low) or not low[end].isalnum() or not low[end].isascii())
            )
            overlaps = any(not (end <= m.start or start >= m.end) for m in found)
            if boundary_ok and not overlaps:
                found.append(Mention(alias, start, end))
            start = low.find(a, start + 1)
    return sorted(found, key=lambda m: m.start)


# ---------------------------------------------------------------------------------------------
# Targets and assessment
# ---------------------------------------------------------------------------------------------

_CMP_NORMAL = {"≤": "<=", "<=": "<=", "≥": ">=", ">=": ">=", "<": "<", ">": ">", "=": "=",
               "==": "=", "range": "range", "＜": "<", "＞": ">", "text": "text"}
_CMP_SHOW = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "=": "=", "range": "∈"}


@dataclass(frozen=True)
class IndicatorTarget:
    """One indicator target of a challenge, e.g. ``介电常数 ≤ 2.7``.

    ``comparator`` is one of ``<=, >=, <, >, =, range`` (``≤``/``≥`` are accepted and
    normalised); for ``range`` the target is ``value <= x <= upper``. A qualitative target
    (``优于进口同类产品``) has comparator ``text``, no value, and its words in ``text``.
    ``text`` keeps a numeric target as written too. ``readable`` is False when the target had
    a number the parser could not read: it is kept as text and flagged for the organizer.
    """

    name: str
    comparator: str
    value: float | None = None
    unit: str | None = None
    upper: float | None = None
    test_method: str | None = None
    text: str | None = None
    readable: bool = True

    def __post_init__(self):
        cmp = _CMP_NORMAL.get((self.comparator or "").strip())
        if cmp is None:
            raise ValueError(f"未知的比较符 {self.comparator!r} (unknown comparator)")
        object.__setattr__(self, "comparator", cmp)
        if cmp == "text":
            if not (self.text or self.name):
                raise ValueError("文字指标需要内容 (a text target needs words)")
            object.__setattr__(self, "value", None)
            object.__setattr__(self, "upper", None)
            return
        if self.value is None or self.value != self.value or abs(self.value) == float("inf"):
            raise ValueError("数值指标需要有限的目标值 (a numeric target needs a finite value)")
        if cmp == "range" and (self.upper is None or self.upper < self.value):
            raise ValueError("区间指标需要 upper ≥ value (a range needs upper >= value)")
        unit = canonical_unit(self.unit)
        if self.unit and unit is not None:
            object.__setattr__(self, "unit", unit.symbol)

    @property
    def is_text(self) -> bool:
        """A qualitative (or unreadable) target, judged by the words only."""
        return self.comparator == "text"

    def label(self) -> str:
        """Human-readable form, e.g. ``介电常数 ≤ 2.7``.

        Examples:
            >>> IndicatorTarget("耐磨", "≤", 80, "mm3").label()
            '耐磨 ≤ 80 mm³'
            >>> IndicatorTarget("厚度", "range", 60, "nm", upper=80).label()
            '厚度 60–80 nm'
            >>> IndicatorTarget("耐磨性能", "text", text="优于进口同类产品").label()
            '耐磨性能：优于进口同类产品'
        """
        if self.comparator == "text":
            words = (self.text or "").strip()
            if not self.name or words == self.name:
                return words or self.name
            return f"{self.name}：{words}" if words else self.name
        unit = f" {self.unit}" if self.unit else ""
        if self.comparator == "range":
            return f"{self.name} {_fmt(self.value)}–{_fmt(self.upper)}{unit}"
        return f"{self.name} {_CMP_SHOW[self.comparator]} {_fmt(self.value)}{unit}"


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    if abs(x) >= 1e6 or (x != 0 and abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:g}"


def parse_target(text: str, test_method: str | None = None, *,
                 name: str | None = None) -> IndicatorTarget:
    """Read a target as real listings write it (see
    :mod:`innolink.engines.challenges.target_parse`).

    ``text`` is the whole "name + target" string, or only the target when ``name`` is given.
    A target without a number is qualitative (comparator ``text``); a target whose number
    cannot be read unambiguously is kept as text with ``readable=False`` — never a wrong number.

    Examples:
        >>> parse_target("耐磨 ≤ 80 mm³").label()
        '耐磨 ≤ 80 mm³'
        >>> t = parse_target("≥20,000次", name="弯折次数"); (t.comparator, t.value, t.unit)
        ('>=', 20000.0, '次')
        >>> t = parse_target("≥20万次", name="弯折次数"); t.value
        200000.0
        >>> t = parse_target("使用温度30℃至120℃"); (t.name, t.comparator, t.value, t.upper)
        ('使用温度', 'range', 30.0, 120.0)
        >>> t = parse_target("耐磨性能优于进口同类产品"); (t.name, t.comparator, t.text)
        ('耐磨性能', 'text', '优于进口同类产品')
        >>> t = parse_target("4500×2500mm", name="工作台面积"); (t.comparator, t.readable)
        ('text', False)
    """
    raw = (text or "").strip()
    if name is None:
        name, target = split_name(raw)
        if name == target:  # nothing to split: a qualitative phrase, or a bare number
            reading = read_target(raw)
            name = "" if reading.kind == "numeric" else raw
        else:
            reading = read_target(target, name)
    else:
        name, target = name.strip(), raw
        reading = read_target(target, name)
    if reading.kind == "numeric":
        return IndicatorTarget(name=name, comparator=reading.comparator, value=reading.value,
                               unit=reading.unit, upper=reading.upper, test_method=test_method,
                               text=reading.text)
    return IndicatorTarget(name=name, comparator="text", test_method=test_method,
                           text=reading.text or name, readable=reading.readable)


#: score of each status; coverage is the mean over a challenge's targets.
STATUS_SCORES: dict[str, float] = {
    "meets": 1.0,
    "near": 0.7,
    "addressed": 0.5,
    "value_off": 0.4,
    "mentioned": 0.25,
    "absent": 0.0,
}
#: ``addressed`` is the status of a qualitative target whose subject the text speaks to: the
#: most a text target can show (there is no number to compare), so it is not a miss.
_STATUS_ORDER = ["absent", "mentioned", "value_off", "addressed", "near", "meets"]
NEAR_TOLERANCE = 0.15


class Reason(str):
    """An indicator's reason: the Chinese sentence (a ``str``, as before) carrying its frame
    (``msgid``, a %-format with named fields) and ``params`` (a nested ``Reason`` for a
    conversion or a note), so the Django side words it in the reader's language. Names,
    aliases and values are data and stay as written.

    Examples:
        >>> r = Reason(R_NO_VALUE, alias="介电常数")
        >>> r, r.as_data()
        ('提及“介电常数”，但未给出可比的数值', {'msgid': '提及“%(alias)s”，但未给出可比的数值', 'params': {'alias': '介电常数'}})
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> "Reason":
        self = super().__new__(cls, msgid % {k: str(v) for k, v in params.items()} if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self):
        return (_reason, (self.msgid, self.params))

    def as_data(self) -> dict:
        return {"msgid": self.msgid,
                "params": {k: v.as_data() if isinstance(v, Reason) else v for k, v in self.params.items()}}


def _reason(msgid: str, params: dict) -> Reason:
    return Reason(msgid, **params)


R_ABSENT = "未提及“%(name)s”"
R_MEETS = "报告%(alias)s %(shown)s%(conv)s，满足目标 %(target)s"
R_NEAR = "报告%(alias)s %(shown)s%(conv)s，接近目标 %(target)s（差距 %(gap)s）"
R_OFF = "报告%(alias)s %(shown)s%(conv)s，未达目标 %(target)s（差距 %(gap)s）"
R_CONVERTED = "（折合 %(value)s %(unit)s）"
R_NO_UNIT = "%(reason)s；原文未注明单位，按目标单位理解"
R_NO_VALUE = "提及“%(alias)s”，但未给出可比的数值"
R_TEXT_ABSENT = "未论及文字指标“%(target)s”"
R_TEXT_ADDRESSED = "论及“%(alias)s”（文字指标：%(target)s，无数值可比）"
#: every frame of an indicator's reason (the Django side lists them for its catalogue)
REASON_FRAMES = (R_ABSENT, R_MEETS, R_NEAR, R_OFF, R_CONVERTED, R_NO_UNIT, R_NO_VALUE, R_TEXT_ABSENT,
                 R_TEXT_ADDRESSED)


@dataclass(frozen=True)
class IndicatorMatch:
    """What a text says about one target."""

    target: IndicatorTarget
    status: str
    score: float
    mentioned: bool
    value: float | None = None          # evidence value, converted to the target's unit
    reported_value: float | None = None  # as written
    reported_unit: str | None = None
    meets: bool = False
    near: bool = False
    gap: float | None = None            # relative shortfall, 0 when it meets
    mention_span: tuple[int, int] | None = None
    value_span: tuple[int, int] | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return {
            "indicator": self.target.name,
            "target": self.target.label(),
            "qualitative": self.target.is_text,
            "test_method": self.target.test_method,
            "status": self.status,
            "score": round(self.score, 4),
            "mentioned": self.mentioned,
            "value": self.value,
            "reported_value": self.reported_value,
            "reported_unit": self.reported_unit,
            "meets": self.meets,
            "near": self.near,
            "gap": None if self.gap is None else round(self.gap, 4),
            "mention_span": list(self.mention_span) if self.mention_span else None,
            "value_span": list(self.value_span) if self.value_span else None,
            "reason": self.reason,
            "reason_data": self.reason.as_data() if isinstance(self.reason, Reason) else None,
        }


def _judge(target: IndicatorTarget, v: float) -> tuple[bool, float]:
    """(meets, relative gap) of a value against a target, in the target's unit."""
    cmp, t = target.comparator, target.value

    def rel(a: float, b: float) -> float:
        return abs(a - b) / max(abs(b), 1e-12)

    if cmp == "<=":
        return (v <= t, 0.0 if v <= t else rel(v, t))
    if cmp == "<":
        return (v < t, 0.0 if v < t else rel(v, t))
    if cmp == ">=":
        return (v >= t, 0.0 if v >= t else rel(v, t))
    if cmp == ">":
        return (v > t, 0.0 if v > t else rel(v, t))
    if cmp == "=":
        g = rel(v, t)
        return (g <= 0.02, g)
    lo, hi = t, target.upper
    if lo <= v <= hi:
        return (True, 0.0)
    return (False, rel(v, lo) if v < lo else rel(v, hi))


_CLAUSE_BREAK = re.compile(r"[。；;！？!?\n]")
_AFTER_WINDOW = 18
_BEFORE_WINDOW = 10


def _candidates_for(mention: Mention, quantities: list[Quantity], text: str):
    """Quantities that plausibly belong to a mention: after it in the same clause (preferred),
    or shortly before it."""
    after, before = [], []
    for q in quantities:
        if q.start >= mention.end and q.start - mention.end <= _AFTER_WINDOW:
            if not _CLAUSE_BREAK.search(text, mention.end, q.start):
                after.append((q.start - mention.end, q))
        elif q.end <= mention.start and mention.start - q.end <= _BEFORE_WINDOW:
            if not _CLAUSE_BREAK.search(text, q.end, mention.start):
                before.append((mention.start - q.end + _AFTER_WINDOW, q))
    return [q for _, q in sorted(after + before, key=lambda p: p[0])]


def assess(target: IndicatorTarget, text: str) -> IndicatorMatch:
    """Assess one target against free text: mentioned? value found? meets? near?

    Examples:
        >>> t = IndicatorTarget("介电常数", "<=", 2.7)
        >>> assess(t, "实现介电常数2.5的低k薄膜").status
        'meets'
        >>> assess(t, "k值约2.9，工艺稳定").status
        'near'
        >>> assess(t, "研究介电常数与孔隙率的关系").status
        'mentioned'
        >>> assess(IndicatorTarget("分辨率", "<=", 90, "nm"), "分辨率0.085 μm").value
        85.0
        >>> assess(t, "高分子合成").reason
        '未提及“介电常数”'
    """
    if target.is_text:
        return _assess_text(target, text)
    mentions = find_mentions(target.name, text)
    if not mentions:
        return IndicatorMatch(target, "absent", 0.0, False, reason=Reason(R_ABSENT, name=target.name))
    quantities = _quantities(text)
    target_unit = canonical_unit(target.unit)
    best: IndicatorMatch | None = None
    for mention in mentions:
        for q in _candidates_for(mention, quantities, text):
            q_unit = canonical_unit(q.unit)
            if target_unit is not None and q_unit is not None:
                if q_unit.dimension != target_unit.dimension:
                    continue
                v = convert(q.value, q_unit.symbol, target_unit.symbol)
            elif target_unit is None and q_unit is not None and q_unit.dimension != "fraction":
                continue  # a dimensionless target (介电常数) is not met by "500 nm"
            else:
                v = q.value
            if target_unit is not None and q_unit is not None and target_unit.dimension == "fraction":
                v = convert(q.value, q_unit.symbol, target_unit.symbol)
            meets, gap = _judge(target, v)
            near = (not meets) and gap <= NEAR_TOLERANCE
            status = "meets" if meets else ("near" if near else "value_off")
            shown = f"{_fmt(q.value)}{(' ' + q.unit) if q.unit else ''}"
            conv: str = ""
            if q.unit and target.unit and q.unit != target.unit:
                conv = Reason(R_CONVERTED, value=_fmt(v), unit=target.unit)
            said = dict(alias=mention.alias, shown=shown, conv=conv, target=target.label())
            if meets:
                reason = Reason(R_MEETS, **said)
            else:
                reason = Reason(R_NEAR if near else R_OFF, **said, gap=f"{gap:.0%}")
            if q.unit is None and target.unit:
                reason = Reason(R_NO_UNIT, reason=reason)
            cand = IndicatorMatch(
                target, status, STATUS_SCORES[status], True,
                value=v, reported_value=q.value, reported_unit=q.unit,
                meets=meets, near=near, gap=gap,
                mention_span=(mention.start, mention.end), value_span=(q.start, q.end),
                reason=reason,
            )
            if best is None or _rank(cand) > _rank(best):
                best = cand
    if best is not None:
        return best
    m = mentions[0]
    return IndicatorMatch(
        target, "mentioned", STATUS_SCORES["mentioned"], True,
        mention_span=(m.start, m.end),
        reason=Reason(R_NO_VALUE, alias=m.alias),
    )


def _assess_text(target: IndicatorTarget, text: str) -> IndicatorMatch:
    """A qualitative target is judged by its words: the text speaks to its subject (the
    indicator's name or an alias) or it does not. There is no number to meet or to miss."""
    subject = target.name or (target.text or "")
    mentions = find_mentions(subject, text) if subject else []
    if not mentions:
        return IndicatorMatch(target, "absent", 0.0, False,
                              reason=Reason(R_TEXT_ABSENT, target=target.label()))
    m = mentions[0]
    return IndicatorMatch(target, "addressed", STATUS_SCORES["addressed"], True,
                          mention_span=(m.start, m.end),
                          reason=Reason(R_TEXT_ADDRESSED, alias=m.alias, target=target.label()))


def _rank(m: IndicatorMatch) -> tuple[int, float]:
    return (_STATUS_ORDER.index(m.status), -(m.gap or 0.0))


@dataclass(frozen=True)
class Coverage:
    """Per-indicator matches and their mean score."""

    score: float
    matches: tuple[IndicatorMatch, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        counts = {s: 0 for s in _STATUS_ORDER}
        for m in self.matches:
            counts[m.status] += 1
        return {
            "coverage": round(self.score, 4),
            "counts": counts,
            "summary": summarize(self),
            "indicators": [m.as_dict() for m in self.matches],
        }


def summarize(cov: Coverage) -> str:
    """One Chinese sentence summarising a coverage.

    Examples:
        >>> summarize(coverage([IndicatorTarget("介电常数", "<=", 2.7)], "介电常数2.5"))
        '1 项指标中：满足 1 项，接近 0 项，有数值未达 0 项，仅提及 0 项，未涉及 0 项'
    """
    if not cov.matches:
        return "该需求未设定量化指标"
    c = {s: 0 for s in _STATUS_ORDER}
    for m in cov.matches:
        c[m.status] += 1
    text = (f"{len(cov.matches)} 项指标中：满足 {c['meets']} 项，接近 {c['near']} 项，"
            f"有数值未达 {c['value_off']} 项，仅提及 {c['mentioned']} 项，未涉及 {c['absent']} 项")
    if c["addressed"]:
        text += f"，论及文字指标 {c['addressed']} 项"
    return text


def coverage(targets, text: str, weights=None) -> Coverage:
    """Coverage of ``targets`` by ``text``: the (weighted) mean of per-indicator scores.

    With no targets the coverage is 0.0 (nothing to speak to).

    Examples:
        >>> ts = [IndicatorTarget("介电常数", "<=", 2.7), IndicatorTarget("介电损耗", "<=", 0.005)]
        >>> round(coverage(ts, "介电常数2.5，介电损耗0.008").score, 3)
        0.7
        >>> coverage([], "任何文本").score
        0.0
    """
    targets = list(targets)
    if not targets:
        return Coverage(0.0, ())
    matches = tuple(assess(t, text) for t in targets)
    w = list(weights) if weights is not None else [1.0] * len(matches)
    total = sum(w)
    score = sum(wi * m.score for wi, m in zip(w, matches)) / total if total > 0 else 0.0
    return Coverage(float(min(1.0, max(0.0, score))), matches)

