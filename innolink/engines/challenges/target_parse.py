"""Reading indicator targets as real listings write them (指标参数).

Real 揭榜 lists state a target in many forms: ``≥20,000次``, ``≥20万次``, ``30℃至120℃``,
``不低于95%``, ``3‰以内``, ``±0.02mm``, ``25±2℃``, ``1.2×10⁴ h``, ``不少于三年``, or in words
only (``优于进口同类产品``, ``达到国际先进水平``, ``满足GB/T 2423要求``). :func:`read_target`
turns one such string into a :class:`Reading`:

* ``kind = "numeric"``: a comparator (``<=, >=, <, >, =, range``), a value (and an upper bound
  for a range) with the 万/亿/千 multipliers applied and thousands separators removed, and the
  unit as written (canonical symbol when the engine knows it);
* ``kind = "text"``: a qualitative target kept as text (no number, or only the number of a
  standard or a code such as GB/T 2423 or IP67);
* ``kind = "unreadable"``: a number is there but the string does not say unambiguously what it
  is (``4500×2500mm``, ``10-6``, a date, ``优于0.5`` without a direction, two values): kept as
  text and flagged for the organizer. The parser never guesses a number.

Pure Python, no Django. See the table-driven test ``tests/test_target_parse.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from innolink.engines.units import convert

__all__ = ["Reading", "read_target", "split_name", "normalize"]

# -- normalisation ---------------------------------------------------------------------------

_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPER_RUN = re.compile(r"(?<=10)([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-", "－": "-", "―": "-",
                         "～": "~", "〜": "~", "∼": "~", "≦": "≤", "≧": "≥", "＝": "=",
                         "Φ": "", "φ": "", "Ø": "", "ø": "", "µ": "μ", "㎡": "m²",
                         "㎜": "mm", "㎝": "cm", "㎏": "kg", "℃": "℃"})


def normalize(text: str) -> str:
    """Full-width forms folded, superscript exponents of 10 written as ``^n``, dashes unified.

    Examples:
        >>> normalize("≥２０，０００次")
        '≥20,000次'
        >>> normalize("1.2×10⁴ h")
        '1.2×10^4 h'
        >>> normalize("－40～＋85℃")
        '-40~+85℃'
    """
    text = _SUPER_RUN.sub(lambda m: "^" + m.group(1).translate(_SUPER), text)
    # NFKC folds full-width digits, letters and punctuation, but would turn ℃ into °C and
    # mm³ into mm3; both are fine for unit lookup, except that we keep ℃ as the engine's symbol.
    text = unicodedata.normalize("NFKC", text.replace("℃", "\uE000"))
    text = text.replace("\uE000", "℃").replace("°C", "℃").replace("º", "°")
    return text.translate(_DASHES).strip()


# -- vocabulary ------------------------------------------------------------------------------

#: comparator words and symbols before a number -> comparator (longest first when matching)
PREFIX: dict[str, str] = {
    "≥": ">=", ">=": ">=", "=>": ">=", "大于或等于": ">=", "大于等于": ">=", "不小于": ">=",
    "不低于": ">=", "不少于": ">=", "不短于": ">=", "不差于": ">=", "至少": ">=", "最少": ">=",
    "达到": ">=", "达": ">=", "高达": ">=", "可达": ">=", "提高到": ">=",
    "提升至": ">=", "提高至": ">=", "提升到": ">=", "≤": "<=", "<=": "<=", "=<": "<=",
    "小于或等于": "<=", "小于等于": "<=", "不大于": "<=", "不高于": "<=", "不超过": "<=",
    "不多于": "<=", "不长于": "<=", "最多": "<=", "控制在": "<=",
    "降低到": "<=", "降低至": "<=", "降至": "<=", "低至": "<=", "减少到": "<=", "缩短至": "<=",
    "缩短到": "<=", ">": ">", "大于": ">", "高于": ">", "超过": ">", "多于": ">", "长于": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<", "短于": "<", "=": "=", "为": "=", "约为": "=",
    "约": "=", "等于": "=", "在": "=", "处于": "=",
}
#: a prefix that states "better than" with no direction ("优于0.5", "好于") — the direction is
#: taken from the unit or the name when they decide it (smaller error, larger rate), otherwise
#: the target is unreadable
BETTER = ("优于", "好于", "强于", "胜于")
#: comparator words after the quantity
SUFFIX: dict[str, str] = {
    "及以上": ">=", "以上": ">=", "或以上": ">=", "及以下": "<=", "以下": "<=", "或以下": "<=",
    "以内": "<=", "之内": "<=", "内": "<=", "范围内": "range", "之间": "range", "左右": "=",
    "上下": "=", "为宜": "=", "即可": "", "以上水平": ">=",
}
RANGE_SEP = ("~", "至", "到", "-", "—", "～", "与")
_MULT = {"百万": 1e6, "千万": 1e7, "亿": 1e8, "万": 1e4, "千": 1e3}
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
#: standards and codes: a number inside them is not a target value
_STANDARD = re.compile(
    r"(?:GB|GB/T|GB/Z|ISO|IEC|ASTM|JIS|EN|DIN|UL|HG/T|QB/T|FZ/T|YY/T|YY|JB/T|SJ/T|NY/T|HJ|"
    r"SN/T|JC/T|T/[A-Z]+|DB\d*/T|IPC|SAE|AEC|MIL|GJB|ANSI|IEEE|AATCC|BS|TAPPI)"
    r"[\s-]*[A-Z]?[\d.\-/: ]+\d", re.I)
#: letters glued to a number make a code (IP67, PM2.5, H.265, D50, Q235); so do 5G, 3D, 4K
_CODE = re.compile(r"(?:(?<![A-Za-z0-9])[A-Za-z][A-Za-z.\-]*\d[A-Za-z0-9.\-]*"
                   r"|(?<![\d.])[2-8][GDK](?![A-Za-z]))")
#: filler words before a target ("要求≥95%", "需达到…")
LEAD_WORDS = ("要求", "需要", "必须", "应当", "能够", "需", "须", "应", "可", "能", "均", "都", "其",
              "提高", "提升", "增加", "降低", "减少", "缩短")
#: words of a qualitative target ("优于进口同类产品", "满足…要求", "国际先进水平")
QUALITATIVE_HINTS = ("优于", "好于", "达到", "满足", "符合", "相当", "接近", "领先", "先进", "国际",
                     "国内", "进口", "同类", "水平", "要求", "无", "不", "可", "能", "实现", "通过")

# units a target may carry; anything else short and without digits is kept as written
_KNOWN_UNITS = sorted({
    "℃", "°", "K", "%", "‰", "ppm", "ppb", "ppt", "dB", "dB(A)", "dBm", "dBi", "分贝", "Hz",
    "kHz", "MHz", "GHz", "THz", "nm", "μm", "um", "mm", "cm", "m", "km", "mm²", "mm2", "m²",
    "m2", "cm²", "cm2", "mm³", "mm3", "cm³", "cm3", "m³", "m3", "L", "mL", "ml", "μL", "Pa",
    "kPa", "MPa", "GPa", "N", "kN", "MN", "N·m", "N.m", "kN·m", "N/mm", "kN/m", "N/cm",
    "cN/dtex", "dtex", "g", "mg", "μg", "kg", "t", "W", "kW", "MW", "GW", "mW", "V", "kV",
    "mV", "A", "mA", "kA", "Ah", "mAh", "Wh", "kWh", "MWh", "Wh/kg", "kWh/t", "J", "kJ", "MJ",
    "s", "ms", "μs", "ns", "min", "h", "d", "年", "个月", "月", "周", "天", "日", "小时", "分钟",
    "秒", "次", "次/分", "次/分钟", "次/min", "r/min", "rpm", "转/分", "HRC", "HV", "HB", "HBW",
    "Shore A", "级", "倍", "目", "个", "件", "台", "套", "项", "只", "片", "层", "种", "款", "批",
    "篇", "人", "家", "条", "吨", "公斤", "千克", "克", "毫克", "元", "Ω", "mΩ", "kΩ", "MΩ",
    "Ω·cm", "S/cm", "S/m", "lm", "lm/W", "lx", "lux", "cd/m²", "cd/m2", "nit", "mg/L", "g/L",
    "mg/kg", "mg/m³", "mg/m3", "μg/m³", "g/m²", "g/m2", "g/cm³", "g/cm3", "kg/m³", "kg/m3",
    "t/h", "t/a", "t/d", "吨/年", "吨/天", "kg/h", "m³/h", "m3/h", "L/min", "L/h", "m/s",
    "m/min", "mm/s", "km/h", "W/(m·K)", "W/m·K", "W/mK", "mPa·s", "Pa·s", "cP", "CFU/g",
    "CFU/mL", "cfu/g", "kDa", "Da", "μm/m", "℃/min", "K/min", "dpi", "fps", "bit", "Gbps",
    "Mbps", "TB", "GB", "MB", "TOPS", "FLOPS", "像素", "万像素", "帧/秒", "t/t", "吨水/吨布",
    "kgce/t", "mJ/cm²", "mJ/cm2", "Wh/L", "mAh/g", "A/cm²", "μA", "nA", "pF", "nF", "μF", "F",
    "mH", "H", "T", "mT", "Gs", "lp/mm", "μrad", "mrad", "rad", "°/h", "arcsec", "″", "′",
    "%FS", "%RH", "Pa·m3/s", "Pa·m^3/s", "Pa.m3/s", "kW/(m3/min)", "mg/100g", "g/100g",
    "mg/100mL", "kW/kg", "W/kg", "m2/g", "冲次", "万级", "km", "个百分点", "百分点",
}, key=len, reverse=True)
_UNIT_RE = re.compile("|".join(re.escape(u) for u in _KNOWN_UNITS))

_NUM = r"[-+]?\d+(?:\.\d+)?"
_NUMBER = re.compile(
    r"(?P<num>" + _NUM + r")"
    r"(?:\s*(?:[×xX*]\s*10\s*\^\s*(?P<exp>[-+]?\d+))|(?:[eE](?P<e>[-+]?\d+)(?![A-Za-z])))?"
)
_POW10 = re.compile(r"10\s*\^\s*(?P<exp>[-+]?\d+)")
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d,])")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_LEAD_JUNK = " ：:，,。；;、是为"
_TRAIL_JUNK = " 。；;，,、."


@dataclass(frozen=True)
class Reading:
    """What :func:`read_target` made of a target string."""

    kind: str                  # "numeric", "text" or "unreadable"
    comparator: str | None = None
    value: float | None = None
    upper: float | None = None
    unit: str | None = None
    text: str = ""             # the target as written (stripped)
    note: str = ""             # why a string is unreadable, or a condition in brackets

    @property
    def readable(self) -> bool:
        return self.kind != "unreadable"


def _cn_number(s: str) -> float | None:
    """``三`` 3, ``十五`` 15, ``二十`` 20, ``一百二十`` 120, ``两千`` 2000; None if not a number.

    Examples:
        >>> [_cn_number(s) for s in ("三", "十五", "二十", "一百二十", "两千", "十")]
        [3.0, 15.0, 20.0, 120.0, 2000.0, 10.0]
    """
    total, current = 0, 0
    if not s:
        return None
    for ch in s:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
        else:
            return None
    return float(total + current)


#: a denominator written in words after "/": 12s/双, 700件/班
_CJK_COUNTER = re.compile(r"[\u4e00-\u9fff]{1,2}(?![\u4e00-\u9fff])")


@dataclass
class _Quantity:
    value: float
    unit: str | None
    end: int


def _read_quantity(s: str, pos: int) -> _Quantity | None:
    """A number (arabic, scientific or Chinese) with its multiplier and unit at ``s[pos:]``."""
    m = _POW10.match(s, pos)
    value: float | None = None
    if m:
        value, end = 10.0 ** int(m.group("exp")), m.end()
    else:
        m = _NUMBER.match(s, pos)
        if m:
            value = float(m.group("num"))
            exp = m.group("exp") or m.group("e")
            if exp is not None:
                value *= 10.0 ** int(exp)
            end = m.end()
        else:
            m = _CN_NUM.match(s, pos)
            if not m:
                return None
            value = _cn_number(m.group())
            if value is None:
                return None
            end = m.end()
            # a Chinese numeral counts only when a unit or multiplier follows (一次性, 三维 …)
            if not _cn_quantity_follows(s[end:]):
                return None
    # multipliers: 20万次, 1.5亿元, 5千小时
    for word, factor in sorted(_MULT.items(), key=lambda kv: -len(kv[0])):
        if s.startswith(word, end) and not s.startswith(word + "级", end):
            value *= factor
            end += len(word)
            break
    # the unit
    while end < len(s) and s[end] == " ":
        end += 1
    unit = None
    um = _UNIT_RE.match(s, end)
    if um:
        unit_text = um.group()
        nxt = s[um.end(): um.end() + 1]
        # an ASCII unit glued to more ASCII letters is not that unit (5 mins, 3 Mpa-ish)
        if not (unit_text.isascii() and unit_text[-1].isalpha() and nxt.isascii()
                and nxt.isalpha()):
            unit, end = unit_text, um.end()
            # 元 after a multiplier: 5000万元 -> 元; compound units written out: 次/分钟
            if s.startswith("/", end):
                um2 = _UNIT_RE.match(s, end + 1) or _CJK_COUNTER.match(s, end + 1)
                if um2:
                    unit, end = f"{unit}/{um2.group()}", um2.end()
            unit = _pretty_unit(unit)
    return _Quantity(value, unit, end)


_PREFIX_WORDS = sorted(PREFIX, key=len, reverse=True)
_SUFFIX_WORDS = sorted(SUFFIX, key=len, reverse=True)


_SUPERSCRIPT_AFTER = re.compile(r"(?<![A-Za-z])(mm|cm|km|μm|dm|m)([23])(?!\d)")


def _pretty_unit(unit: str) -> str:
    """NFKC wrote mm³ as mm3; show it as written: ``g/cm3`` -> ``g/cm³``."""
    return _SUPERSCRIPT_AFTER.sub(lambda m: m.group(1) + ("²" if m.group(2) == "2" else "³"),
                                  unit)


def _strip_prefix(s: str) -> tuple[str | None, str]:
    for _ in range(3):
        for word in _PREFIX_WORDS:
            if s.startswith(word):
                return PREFIX[word], s[len(word):].lstrip(" :：")
        for word in LEAD_WORDS:
            if s.startswith(word):
                s = s[len(word):].lstrip(" :：")
                break
        else:
            break
    return None, s


def _strip_suffix(s: str) -> tuple[str | None, str]:
    for word in _SUFFIX_WORDS:
        if s.endswith(word):
            return SUFFIX[word], s[: -len(word)].rstrip()
    return None, s


_SMALLER_BETTER = ("误差", "偏差", "精度", "粗糙度", "损耗", "噪声", "噪音", "漏率", "泄漏", "杂质",
                   "残留", "能耗", "功耗", "电耗", "水耗", "时间", "时延", "延迟", "耗时", "含水",
                   "含量", "排放", "浓度", "失效率", "不良率", "缺陷率", "故障率", "波动", "衰减",
                   "温升", "漂移", "色差", "磨耗", "内阻", "电阻", "重量", "成本", "周期")
_LARGER_BETTER = ("效率", "寿命", "强度", "率", "容量", "密度", "次数", "产能", "速度", "功率",
                  "硬度", "精确度", "准确度", "准确率", "良率", "得率", "纯度", "带宽", "分辨能力")


def _better_direction(name: str, unit: str | None) -> str | None:
    """The comparator "优于 x" means for this indicator, when the name or unit decides it."""
    if unit in ("%", "‰") and any(w in name for w in ("精度", "准确", "识别", "良率", "合格")):
        return ">="
    if any(w in name for w in _SMALLER_BETTER):
        return "<="
    if any(w in name for w in _LARGER_BETTER):
        return ">="
    return None


def _unreadable(text: str, note: str) -> Reading:
    return Reading("unreadable", text=text, note=note)


def read_target(text: str, name: str = "") -> Reading:
    """Read one target string (without its indicator name; ``name`` helps with "优于").

    Examples:
        >>> r = read_target("≥20,000次"); (r.comparator, r.value, r.unit)
        ('>=', 20000.0, '次')
        >>> r = read_target("≥20万次"); (r.comparator, r.value, r.unit)
        ('>=', 200000.0, '次')
        >>> r = read_target("30℃至120℃"); (r.comparator, r.value, r.upper, r.unit)
        ('range', 30.0, 120.0, '℃')
        >>> read_target("优于进口同类产品").kind
        'text'
        >>> read_target("4500×2500mm").kind
        'unreadable'
    """
    raw = (text or "").strip()
    if not raw:
        return Reading("text", text="")
    s = normalize(raw)
    s = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), s)
    # a condition in brackets: "≤2.65（10 GHz）" -> note; brackets inside a unit stay (W/(m·K))
    note = ""
    while True:
        m = re.search(r"\s*[（(]([^（）()]*)[）)]\s*$", s)
        if not m or re.search(r"([/·]|dB)\s*$", s[: m.start()]):
            break
        note = (m.group(1) + ("；" + note if note else "")).strip()
        s = s[: m.start()].rstrip()
    s = s.strip(_TRAIL_JUNK + " ")
    s = s.lstrip(_LEAD_JUNK)
    # percent written out: 百分之九十五
    s = re.sub(r"百分之([零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?)",
               lambda m: (m.group(1) if m.group(1)[0].isdigit()
                          else f"{_cn_number(m.group(1)):g}") + "%", s)
    # a standard number or a code (GB/T 2423, IP67, PM2.5) is text, not a value
    probe = _STANDARD.sub(" ", s)
    probe = _CODE.sub(" ", probe)
    if not re.search(r"\d|10\^", probe) and not _has_cn_quantity(probe):
        if re.match(r"\s*(≥|≤|>|<|=|±)", s):
            return _unreadable(raw, "有比较符但没有数值")
        return Reading("text", text=raw, note=note)
    if _STANDARD.search(s):
        return Reading("text", text=raw, note=note)
    suffix_cmp, s = _strip_suffix(s)
    s = s.rstrip(_TRAIL_JUNK)
    better = None
    for word in LEAD_WORDS:
        if s.startswith(word) and any(s[len(word):].startswith(b) for b in BETTER):
            s = s[len(word):]
    for word in BETTER:
        if s.startswith(word):
            better, s = word, s[len(word):].lstrip()
            break
    cmp, s = (None, s) if better else _strip_prefix(s)
    tolerance = False
    if s.startswith("±"):
        tolerance, s = True, s[1:].lstrip()
        if cmp is None:
            cmp = "<="
        elif cmp not in ("<=", "<"):
            return _unreadable(raw, "“±”与比较方式矛盾")
    q1 = _read_quantity(s, 0)
    if q1 is None:
        return _unreadable(raw, "找不到可读的数值")
    rest = s[q1.end:].lstrip()
    value, upper, unit = q1.value, None, q1.unit
    kind_cmp = cmp
    if rest.startswith("±") and not tolerance:
        q2 = _read_quantity(rest[1:].lstrip(), 0)
        if q2 is None:
            return _unreadable(raw, "“±”后没有数值")
        unit = q2.unit or unit
        if q1.unit and q2.unit and q1.unit != q2.unit and q2.unit != "%":
            return _unreadable(raw, "“±”前后单位不一致")
        width = q2.value * (abs(value) / 100 if q2.unit == "%" and q1.unit != "%" else 1)
        value, upper = value - abs(width), value + abs(width)
        if q2.unit == "%" and q1.unit != "%":
            unit = q1.unit
        kind_cmp = "range"
        rest = rest[1:].lstrip()[q2.end:].lstrip()
    else:
        for sep in RANGE_SEP:
            if rest.startswith(sep):
                after = rest[len(sep):].lstrip()
                q2 = _read_quantity(after, 0)
                if q2 is None:
                    break
                if cmp is not None and cmp != "=":
                    return _unreadable(raw, "比较符与区间同时出现")
                u1, u2 = q1.unit, q2.unit
                if u1 and u2 and u1 != u2:
                    conv = _convert(value, u1, u2)
                    if conv is None:
                        return _unreadable(raw, "区间两端单位不一致")
                    value = conv
                upper, unit = q2.value, u2 or u1
                if upper < value:
                    return _unreadable(raw, "区间下限大于上限（可能是丢失的上标或日期）")
                kind_cmp = "range"
                rest = after[q2.end:].lstrip()
                break
    rest = rest.strip(_TRAIL_JUNK)
    # a suffix word after the quantity: "30~120℃之间", "2年内完成中试" (the rest is a note)
    for word in _SUFFIX_WORDS:
        if rest.startswith(word) and SUFFIX[word]:
            if suffix_cmp not in (None, SUFFIX[word]):
                return _unreadable(raw, "前后比较方式矛盾")
            suffix_cmp, rest = SUFFIX[word], rest[len(word):].strip(_TRAIL_JUNK)
            break
    if rest:
        if re.search(r"\d", rest) or any(c in rest for c in "×xX*/±~≥≤<>="):
            return _unreadable(raw, f"数值后还有无法识别的内容“{rest[:12]}”")
        if unit is None and len(rest) <= 4 and re.fullmatch(r"[\u4e00-\u9fffA-Za-z/]+", rest):
            unit = rest  # a unit we do not know, kept as written (件/班, 吨/月 …)
        elif unit is not None and re.fullmatch(r"[\u4e00-\u9fff、，,（）()]+", rest) \
                and not any(w in rest for w in ("且", "或", "及", "和", "但")):
            note = (rest + ("；" + note if note else ""))[:200]  # "3种材质混线生产"
        else:
            return _unreadable(raw, f"数值后还有无法识别的内容“{rest[:12]}”")
    if kind_cmp == "range":
        if suffix_cmp not in (None, "range", "="):
            return _unreadable(raw, "区间与比较方式矛盾")
        if tolerance:
            return _unreadable(raw, "“±”与区间同时出现")
        return Reading("numeric", "range", value, upper, unit, raw, note)
    if suffix_cmp == "range":
        return _unreadable(raw, "“之间”只给出一个数值")
    if better:
        direction = _better_direction(name, unit)
        if direction is None:
            return _unreadable(raw, f"“{better}”未说明数值越大越好还是越小越好")
        kind_cmp = direction
    if kind_cmp and suffix_cmp and suffix_cmp != "=" and kind_cmp != suffix_cmp \
            and not (kind_cmp in (">", ">=") and suffix_cmp == ">=") \
            and not (kind_cmp in ("<", "<=") and suffix_cmp == "<="):
        return _unreadable(raw, "前后比较方式矛盾")
    comparator = kind_cmp or suffix_cmp or "="
    if tolerance:
        value = abs(value)
    return Reading("numeric", comparator, value, None, unit, raw, note)


_CN_UNITS = ("年", "个月", "月", "周", "天", "日", "小时", "分钟", "秒", "次", "倍", "级", "项", "种",
             "件", "台", "套", "个", "篇", "款", "人", "家")


def _cn_quantity_follows(rest: str) -> bool:
    """After a Chinese numeral: a multiplier or a counting unit, not a word (一次性, 三维)."""
    if rest[:1] in _MULT:
        return True
    for unit in _CN_UNITS:
        if rest.startswith(unit):
            return rest[len(unit): len(unit) + 1] not in ("性", "元", "维", "化", "方")
    return False


def _has_cn_quantity(s: str) -> bool:
    """A Chinese numeral followed by a multiplier or a unit: 三年, 十万次, 两个月."""
    return any(_cn_quantity_follows(s[m.end():]) for m in _CN_NUM.finditer(s))


def _convert(value: float, src: str, dst: str) -> float | None:
    out = convert(value, src, dst)
    return None if out is None else float(out)


# -- a whole "name + target" string ----------------------------------------------------------

_NAME_BREAK = re.compile("(" + "|".join(
    re.escape(w) for w in sorted({*(k for k in PREFIX if len(k) >= 2 and not k.isascii()),
                                  *BETTER, "≥", "≤", ">=", "<=", "=>", "=<", ">", "<", "=",
                                  ":", "："}, key=len, reverse=True)) + ")")
#: full-width comparator symbols folded one to one (offsets stay valid for the cut)
_FOLD = str.maketrans({"＞": ">", "＜": "<", "＝": "=", "≦": "≤", "≧": "≥", "－": "-", "～": "~",
                       "＋": "+", "−": "-", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5",
                       "６": "6", "７": "7", "８": "8", "９": "9", "０": "0"})


def split_name(text: str) -> tuple[str, str]:
    """Split ``"循环寿命≥20,000次"`` into (name, target). A string without a comparator splits
    at its first number outside brackets; a string with neither is all name and all target.

    Examples:
        >>> split_name("循环寿命≥20,000次")
        ('循环寿命', '≥20,000次')
        >>> split_name("工作温度30℃至120℃")
        ('工作温度', '30℃至120℃')
        >>> split_name("介电常数（10GHz）≤2.65")
        ('介电常数（10GHz）', '≤2.65')
        >>> split_name("耐磨性能优于进口同类产品")
        ('耐磨性能', '优于进口同类产品')
        >>> split_name("D50为3-5μm")
        ('D50', '3-5μm')
    """
    s = (text or "").strip()
    masked = _mask_brackets(s.translate(_FOLD))
    masked = _CODE.sub(lambda m: "#" * len(m.group()), masked)
    m = _NAME_BREAK.search(masked)
    if m and m.start() == 0:
        return "", s
    cut = m.start() if m else None
    # "为"/"约"/"在"/"达" only directly before a number
    for m2 in re.finditer(r"(为|约为|约|在|达|是)(?=\s*[-+±]?\d)", masked):
        if cut is None or m2.start() < cut:
            cut = m2.start()
        break
    if cut is None or cut == 0:
        # no comparator: cut at the first number that is not part of a code (D50, PM2.5)
        for m3 in re.finditer(r"[-+±]?\d", masked):
            i = m3.start()
            prev = masked[i - 1] if i else ""
            if prev.isascii() and (prev.isalpha() or prev in "._"):
                continue
            if i > 0:
                cut = i
            break
    if cut is None:
        code = _CODE.search(_mask_brackets(s.translate(_FOLD)))
        if code and code.start() > 0:
            cut = code.start()  # "防护等级IP67": the code is the (qualitative) target
    if cut is None or cut == 0:
        return s, s
    name = s[:cut].rstrip(" ：:，,Φφ")
    target = s[cut:].lstrip(" ：:")
    if target[:1] in ("为", "是") and not target.startswith("为宜"):
        target = target[1:]
    return name or s, target


def _mask_brackets(s: str) -> str:
    """Replace bracketed parts by placeholders of the same length (offsets stay valid)."""
    out, depth = [], 0
    for ch in s:
        if ch in "（(":
            depth += 1
            out.append("#")
        elif ch in "）)":
            depth = max(0, depth - 1)
            out.append("#")
        else:
            out.append("#" if depth else ch)
    return "".join(out)
