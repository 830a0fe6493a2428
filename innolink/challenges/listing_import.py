"""Reading and checking a 榜单 (a list of challenges) as real lists publish it (decision 0355).

Columns are found by their header (aliases below) or by the organizer's own mapping, which is
remembered (``ImportColumnMapping``). Each row becomes one listing: the issuer (a registry
enterprise by credit code or name, a platform institution by name, or an outside
organisation), the domain(s) from a domain or track column, the indicators from one cell that
lists them ("1. 弯折寿命≥20万次；2. 使用温度30℃至120℃；3. 耐磨性能优于进口同类产品"), the funding
as the list states it ("30-50万元", "不超过100万元", "一等奖50万元，二等奖20万元", "面议"), the
time limit ("2年", "24个月", "原则上不超过3年").

Problems are reported row by row with a stable code, so the report reads in Chinese or English;
some are only warnings (a target kept as text for the organizer, a listing without a domain):
they do not stop the import. An error in any row writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, gettext_lazy as _

from innolink.challenges import validation
from innolink.challenges.models import FundingKind, IpOwnership, IssuerKind

FEN = Decimal("0.01")
WAN = Decimal(10_000)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Any
    aliases: tuple[str, ...]
    required: bool = False


FIELDS: list[FieldSpec] = [
    FieldSpec("external_ref", _("编号"), ("序号", "编号", "榜单编号", "需求编号", "项目编号", "题目编号")),
    FieldSpec("title", _("榜单名称"), ("需求名称", "榜单名称", "项目名称", "技术需求名称", "难题名称",
                                    "揭榜题目", "需求题目", "题目名称", "榜单题目", "技术难题名称",
                                    "课题名称"), True),
    FieldSpec("issuer_name", _("发榜单位"), ("发榜单位", "需求单位", "需求企业", "发榜企业", "企业名称",
                                          "单位名称", "出题单位", "提出单位", "发布单位",
                                          "需求方", "榜单发布单位"), True),
    FieldSpec("credit_code", _("统一社会信用代码"), ("统一社会信用代码", "信用代码")),
    FieldSpec("issuer_kind", _("单位类型"), ("单位类型", "单位性质", "需求单位类型", "发榜单位类型")),
    FieldSpec("issuer_region", _("所在地区"), ("所在地区", "所属地区", "地区", "所在地", "所在省市",
                                           "省份", "城市", "单位所在地")),
    FieldSpec("domain", _("领域"), ("所属领域", "领域", "技术领域", "行业领域", "赛道", "所属赛道",
                                  "产业领域", "所属行业", "产业类别", "专业领域")),
    FieldSpec("statement", _("需求描述"), ("需求描述", "需求内容", "技术难题描述", "需求简介", "难题描述",
                                        "需求说明", "项目简介", "主要内容", "技术需求描述", "研究内容",
                                        "需求背景", "技术需求", "具体需求")),
    FieldSpec("indicators", _("技术指标"), ("技术指标", "主要技术指标", "指标要求", "技术参数",
                                         "考核指标", "主要指标", "预期目标", "技术要求",
                                         "需达到的技术指标", "指标参数")),
    FieldSpec("keywords", _("关键词"), ("关键词", "关键字")),
    FieldSpec("funding", _("资金"), ("拟投入资金", "揭榜金额", "榜单金额", "资金投入", "投入资金",
                                  "奖励金额", "悬赏金额", "研发经费", "拟出资金额", "合作金额",
                                  "项目资金", "资金", "拟投入经费", "奖金", "项目奖励", "揭榜资金",
                                  "拟支付金额")),
    FieldSpec("time_limit", _("时限"), ("完成时限", "时限要求", "研发周期", "实施周期", "项目周期",
                                     "完成期限", "攻关周期", "实施期限", "时限")),
    FieldSpec("ip_ownership", _("知识产权"), ("知识产权归属", "产权归属", "成果归属", "知识产权")),
    FieldSpec("other_conditions", _("其他条件"), ("合作方式", "其他要求", "其他条件", "备注", "说明")),
    FieldSpec("solver_eligibility", _("揭榜方要求"), ("揭榜方要求", "揭榜条件", "资格条件", "对揭榜方要求",
                                                 "揭榜方资格", "申报条件")),
    FieldSpec("claim_deadline", _("揭榜截止"), ("截止日期", "揭榜截止日期", "截止时间", "揭榜截止时间",
                                            "征集截止")),
    FieldSpec("trl", _("技术成熟度"), ("技术成熟度", "技术成熟度要求", "成熟度要求", "技术就绪度",
                                    "技术就绪水平", "TRL", "TRL要求", "成熟度")),
    FieldSpec("disciplines", _("所需学科"), ("所需学科", "学科", "学科方向", "学科领域")),
    FieldSpec("programme_name", _("赛事/榜单批次"), ("赛事/榜单", "所属赛事", "赛事名称", "榜单批次",
                                             "所属批次", "赛事", "所属榜单")),
    FieldSpec("source", _("信息来源"), ("信息来源", "来源", "资料来源", "数据来源", "出处", "原文链接")),
    FieldSpec("contact_name", _("联系人"), ("联系人",)),
    FieldSpec("contact_phone", _("联系电话"), ("联系电话", "联系方式", "电话")),
]
FIELD_BY_KEY = {f.key: f for f in FIELDS}
IGNORE = "ignore"


def _norm_header(text: str) -> str:
    """A header without its unit in brackets and spaces: "拟投入资金（万元）" -> "拟投入资金"."""
    t = re.sub(r"[（(][^（）()]*[）)]", "", text or "")
    return re.sub(r"[\s*＊:：]", "", t)


def header_unit(text: str) -> Decimal | None:
    if re.search(r"[（(]\s*亿元\s*[）)]", text):
        return Decimal(100_000_000)
    if re.search(r"[（(]\s*万元?\s*[）)]|万元", text):
        return WAN
    if re.search(r"[（(]\s*元\s*[）)]", text):
        return Decimal(1)
    return None


def guess_field(header: str, remembered: dict[str, str] | None = None) -> str | None:
    """The field a header names: a remembered choice first, then the aliases (the part of a
    two-row header after "-" counts too)."""
    remembered = remembered or {}
    if header in remembered:
        return remembered[header]
    candidates = [_norm_header(header)]
    if "-" in header:
        candidates += [_norm_header(p) for p in header.split("-")][::-1]
    for cand in candidates:
        for spec in FIELDS:
            if cand in spec.aliases:
                return spec.key
    for cand in candidates:
        for spec in FIELDS:
            if any(len(a) >= 3 and a in cand for a in spec.aliases):
                return spec.key
    return None


def is_header_cell(text: str) -> bool:
    return guess_field(text) is not None


@dataclass
class Mapping:
    columns: dict[str, int]            # field -> column index
    units: dict[str, Decimal]          # field -> money unit from its header
    headers: list[str]
    unmapped: list[str]                # headers we could not place (and nobody ignored)


def build_mapping(headers: list[str], chosen: dict[str, str]) -> Mapping:
    """``chosen``: header -> field key or "ignore" (guesses, remembered choices, the
    organizer's answers). The first column wins when two name the same field."""
    columns: dict[str, int] = {}
    units: dict[str, Decimal] = {}
    unmapped = []
    for index, header in enumerate(headers):
        if not header:
            continue
        key = chosen.get(header)
        if key is None:
            unmapped.append(header)
            continue
        if key == IGNORE or key not in FIELD_BY_KEY or key in columns:
            continue
        columns[key] = index
        unit = header_unit(header)
        if unit is not None:
            units[key] = unit
    return Mapping(columns, units, headers, unmapped)


def missing_required(mapping: Mapping) -> list[str]:
    return [str(f.label) for f in FIELDS if f.required and f.key not in mapping.columns]


# --- problems ------------------------------------------------------------------------------

#: reason templates by code; the report stores the code and its parameters so it can be shown
#: in the reader's language
REASONS: dict[str, Any] = {
    "required": _("必填"),
    "duplicate_in_file": _("与第 %(row)s 行重复（同一发榜单位、同一名称）"),
    "duplicate_existing": _("平台上已有同一发榜单位的同名榜单（编号 %(id)s）"),
    "credit_code_unknown": _("企业库中没有该统一社会信用代码"),
    "funding_unreadable": _("资金无法识别为本榜金额，已按“面议”处理，原文“%(text)s”保存在支付方式中，待组织方核对"),
    "time_limit_unreadable": _("时限无法识别，已留空"),
    "time_limit_over": _("时限 %(months)s 个月，超过 36 个月：发布前需组织方批准例外"),
    "deadline_missing": _("缺少揭榜截止日期，且未设置默认截止日期"),
    "deadline_unreadable": _("截止日期无法识别，应为 YYYY-MM-DD"),
    "deadline_past": _("揭榜截止日期已过"),
    "domain_missing": _("未能识别领域，审核时由组织方指定"),
    "target_unreadable": _("指标“%(text)s”的数值无法识别，已按文字保存，待组织方核对"),
    "indicators_missing": _("未列技术指标（须明确指标参数，审核时处理）"),
    "statement_short": _("缺少需求描述，已用名称和指标代替"),
    "invalid": _("%(message)s"),
    "ip_unreadable": _("知识产权归属无法识别，按“协商确定”处理"),
    "trl_unreadable": _("技术成熟度“%(text)s”无法识别（应为 1–9 级或区间，如 TRL 4-6），已留空"),
    "trl_reversed": _("技术成熟度区间有误：最高 %(max)s 级低于最低 %(min)s 级"),
    "discipline_unknown": _("学科“%(text)s”不在 GB/T 13745 代码表中，已忽略"),
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    code: str
    params: dict = field(default_factory=dict)
    fatal: bool = True

    @property
    def reason(self) -> str:
        return render_reason(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value[:80],
                "code": self.code, "params": self.params, "reason": self.reason,
                "fatal": self.fatal}


def render_reason(code: str, params: dict | None = None) -> str:
    """The reason of a problem in the active language."""
    template = REASONS.get(code)
    if template is None:
        return code
    try:
        return gettext(str(template)) % (params or {}) if params else gettext(str(template))
    except (KeyError, TypeError, ValueError):
        return gettext(str(template))


# --- cells ---------------------------------------------------------------------------------

_AMOUNT = r"(\d[\d,，]*(?:\.\d+)?)\s*(亿元|亿|万元|万|元)?"
_PRIZE = re.compile(r"(特等奖|一等奖|二等奖|三等奖|优秀奖|优胜奖|金奖|银奖|铜奖|入围奖|揭榜奖励|奖励)"
                    r"[^0-9]{0,6}?" + _AMOUNT
                    + r"(?:[^0-9，,；;]{0,4}?[×xX*]?\s*(\d+)\s*(?:名|个|项|组))?")
_UNIT_WORDS = {"亿元": Decimal(100_000_000), "亿": Decimal(100_000_000), "万元": WAN, "万": WAN,
               "元": Decimal(1)}


def _amount(number: str, unit_word: str | None, default_unit: Decimal) -> Decimal:
    value = Decimal(number.replace(",", "").replace("，", ""))
    unit = _UNIT_WORDS.get(unit_word or "", default_unit)
    return (value * unit).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_funding(text: str, default_unit: Decimal = WAN) -> dict[str, Any] | None:
    """The funding cell of a real list, or None when it cannot be read. Amounts in yuan.

    Examples:
        >>> parse_funding("50")["funding"]
        Decimal('500000.00')
        >>> f = parse_funding("30-50万元"); (f["funding_kind"], f["funding"], f["funding_max"])
        ('range', Decimal('300000.00'), Decimal('500000.00'))
        >>> parse_funding("不超过100万元")["funding_kind"]
        'up_to'
        >>> parse_funding("面议")["funding_kind"]
        'negotiable'
        >>> f = parse_funding("一等奖50万元1名，二等奖20万元2名"); (f["funding_kind"], f["funding"])
        ('prize', Decimal('900000.00'))
        >>> parse_funding("视情况而定（约）") is None
        True
    """
    t = (text or "").strip().replace("（", "(").replace("）", ")")
    if not t:
        return {"funding_kind": FundingKind.NEGOTIABLE.value, "funding": None, "funding_max": None,
                "prize_schedule": []}
    if re.fullmatch(r"(面议|协商|待定|双方协商|面谈|协商确定|另议)[。.]?", t):
        return {"funding_kind": FundingKind.NEGOTIABLE.value, "funding": None, "funding_max": None,
                "prize_schedule": []}
    try:
        prizes = list(_PRIZE.finditer(t))
        if prizes:
            schedule = []
            for m in prizes:
                amount = _amount(m.group(2), m.group(3), default_unit)
                count = int(m.group(4)) if m.group(4) else 1
                schedule.append({"award": m.group(1), "amount": str(amount), "count": count})
            total = sum(Decimal(p["amount"]) * p["count"] for p in schedule)
            return {"funding_kind": FundingKind.PRIZE.value, "funding": total.quantize(FEN),
                    "funding_max": None, "prize_schedule": schedule}
        body = re.sub(r"\([^()]*\)", "", t).strip()  # "100万元（分三期支付）"
        m = re.fullmatch(r"(不超过|不高于|最高|最多|上限|≤|<=|至多)\s*" + _AMOUNT + r"(以内|以下)?",
                         body) or re.fullmatch(_AMOUNT + r"\s*(以内|以下|封顶)", body)
        if m:
            groups = [g for g in m.groups()]
            number = next(g for g in groups if g and re.match(r"\d", g))
            unit_word = next((g for g in groups if g in _UNIT_WORDS), None)
            return {"funding_kind": FundingKind.UP_TO.value,
                    "funding": _amount(number, unit_word, default_unit), "funding_max": None,
                    "prize_schedule": []}
        m = re.fullmatch(_AMOUNT + r"\s*(?:-|~|～|—|至|到)\s*" + _AMOUNT, body)
        if m:
            u1, u2 = m.group(2), m.group(4)
            low = _amount(m.group(1), u1 or u2, default_unit)
            high = _amount(m.group(3), u2 or u1, default_unit)
            if high <= low:
                return None
            return {"funding_kind": FundingKind.RANGE.value, "funding": low, "funding_max": high,
                    "prize_schedule": []}
        m = re.fullmatch(r"(?:约|不低于|不少于|≥)?\s*" + _AMOUNT + r"(以上)?", body)
        if m:
            return {"funding_kind": FundingKind.FIXED.value,
                    "funding": _amount(m.group(1), m.group(2), default_unit),
                    "funding_max": None, "prize_schedule": []}
    except (InvalidOperation, ValueError):
        return None
    return None


_CN_YEARS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "半": 0.5}


def parse_time_limit(text: str) -> tuple[int | None, bool]:
    """(months, readable). "2年" 24, "24个月" 24, "1-2年" 24 (the longer end), "原则上不超过3年"
    36, "一年半" 18; a date or anything else is unreadable.

    Examples:
        >>> [parse_time_limit(t)[0] for t in ("2年", "24个月", "1-2年", "原则上不超过3年", "一年半")]
        [24, 24, 24, 36, 18]
        >>> parse_time_limit("2025年12月前")
        (None, False)
    """
    t = (text or "").strip()
    if not t:
        return None, True
    body = re.sub(r"^(原则上|一般|预计|计划)?\s*(不超过|不多于|以内|最长|在)?", "", t)
    body = re.sub(r"(以内|之内|内|左右)$", "", body).strip()
    if re.fullmatch(r"([一二两三四五])年半", body):
        return int(_CN_YEARS[body[0]] * 12 + 6), True
    m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s*(?:-|~|～|至|到)\s*)?(\d+(?:\.\d+)?|[一二两三四五半])\s*"
                     r"(年|个月|月)", body)
    if not m:
        return None, False
    value = m.group(2)
    number = float(_CN_YEARS[value]) if value in _CN_YEARS else float(value)
    months = number * 12 if m.group(3) == "年" else number
    if months < 1 or months != int(months):
        return None, False
    return int(months), True


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_TRL_LEVEL = r"([1-9一二三四五六七八九])"


def parse_trl(text: str) -> tuple[int | None, int | None, bool]:
    """(lowest, highest, readable) of a TRL cell: "TRL 4-6", "4～6级", "6级以上", "不低于5级",
    "TRL7以下", "6". Levels are 1–9; a reversed range is returned as read (the caller
    refuses it); anything else is unreadable, never a guessed level.

    Examples:
        >>> [parse_trl(t)[:2] for t in ("TRL 4-6", "4～6级", "6级以上", "不低于TRL5", "TRL7以下", "6")]
        [(4, 6), (4, 6), (6, None), (5, None), (None, 7), (6, 6)]
        >>> parse_trl("TRL6-4")
        (6, 4, True)
        >>> parse_trl("较成熟")
        (None, None, False)
        >>> parse_trl("")
        (None, None, True)
    """
    t = (text or "").strip().upper().replace(" ", "").replace("（", "(").replace("）", ")")
    if not t:
        return None, None, True
    t = re.sub(r"^(技术成熟度|成熟度|TRL)[:：]?", "", t)
    t = re.sub(r"^(达到|达)", "", t)

    def level(v: str) -> int:
        return _CN_DIGITS.get(v) or int(v)

    m = re.fullmatch(_TRL_LEVEL + r"级?(?:-|~|～|—|至|到)(?:TRL)?" + _TRL_LEVEL + r"级?", t)
    if m:
        return level(m.group(1)), level(m.group(2)), True
    m = re.fullmatch(r"(?:不低于|不少于|≥|>=|至少)(?:TRL)?" + _TRL_LEVEL + r"级?(?:及?以上)?", t) \
        or re.fullmatch(_TRL_LEVEL + r"级?及?以上", t)
    if m:
        return level(m.group(1)), None, True
    m = re.fullmatch(r"(?:不高于|不超过|≤|<=)(?:TRL)?" + _TRL_LEVEL + r"级?(?:及?以下)?", t) \
        or re.fullmatch(_TRL_LEVEL + r"级?及?以下", t)
    if m:
        return None, level(m.group(1)), True
    m = re.fullmatch(_TRL_LEVEL + r"级?", t)
    if m:
        return level(m.group(1)), level(m.group(1)), True
    return None, None, False


_IP_WORDS = [
    (("双方共有", "共同所有", "共有"), IpOwnership.JOINT_OPEN.value),
    (("归发榜方", "归需求方", "归企业", "归发榜单位", "归甲方", "需求方所有", "企业所有"),
     IpOwnership.ENTERPRISE.value),
    (("归揭榜方", "归乙方", "揭榜方所有", "归研发方"), IpOwnership.SOLVER.value),
    (("协商", "另行约定", "面议", "约定"), IpOwnership.NEGOTIABLE.value),
]


def parse_ip(text: str) -> tuple[str, int | None, bool]:
    """(ownership, enterprise share, readable). "双方共有" without a split is joint_open;
    "双方共有，发榜方占60%" is joint with share 60."""
    t = (text or "").strip()
    if not t:
        return IpOwnership.NEGOTIABLE.value, None, True
    share = re.search(r"(?:发榜方|需求方|企业|甲方)[^0-9]{0,4}(\d{1,2})\s*[%％]", t)
    for words, value in _IP_WORDS:
        if any(w in t for w in words):
            if value == IpOwnership.JOINT_OPEN.value and share:
                return IpOwnership.JOINT.value, int(share.group(1)), True
            return value, None, True
    return IpOwnership.NEGOTIABLE.value, None, False


def split_indicators(text: str) -> list[str]:
    """One cell that lists several targets, numbered or on separate lines.

    Examples:
        >>> split_indicators("1. 弯折寿命≥20万次；2. 使用温度30℃至120℃；3.耐磨性能优于进口同类产品")
        ['弯折寿命≥20万次', '使用温度30℃至120℃', '耐磨性能优于进口同类产品']
        >>> split_indicators("①回弹率≥65%②密度0.10-0.14g/cm³")
        ['回弹率≥65%', '密度0.10-0.14g/cm³']
    """
    t = (text or "").replace("\r", "\n")
    t = re.sub(r"([①-⑳])", r"\n", t)
    t = re.sub(r"(^|[\n；;。，,\s])\s*(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[）)])\s*", r"\1\n", t)
    parts = [p.strip(" ，,。；;、\t") for p in re.split(r"[\n；;]+", t)]
    return [p for p in parts if p]


_KIND_HINTS = [
    (("实验室",), IssuerKind.KEY_LAB.value),
    (("研究所", "研究院", "科学院", "设计院"), IssuerKind.INSTITUTE.value),
    (("大学", "学院"), IssuerKind.UNIVERSITY.value),
    (("管委会", "政府", "局", "委员会", "园区"), IssuerKind.GOVERNMENT.value),
    (("公司", "集团", "企业", "厂", "有限"), IssuerKind.ENTERPRISE.value),
]
_KIND_WORDS = {str(c.label): c.value for c in IssuerKind} | {
    "科研院所": IssuerKind.INSTITUTE.value, "院所": IssuerKind.INSTITUTE.value,
    "高校": IssuerKind.UNIVERSITY.value, "重点实验室": IssuerKind.KEY_LAB.value,
    "企业": IssuerKind.ENTERPRISE.value, "民营企业": IssuerKind.ENTERPRISE.value,
    "国有企业": IssuerKind.ENTERPRISE.value, "事业单位": IssuerKind.INSTITUTE.value,
}


def issuer_kind(name: str, given: str = "") -> str:
    g = (given or "").strip()
    if g in _KIND_WORDS:
        return _KIND_WORDS[g]
    for words, kind in _KIND_HINTS:
        if any(w in (name or "") for w in words):
            return kind
    return IssuerKind.OTHER.value


def parse_date(text: str) -> dt.date | None:
    t = (text or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s.*)?", t)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# --- rows ----------------------------------------------------------------------------------

@dataclass
class Listing:
    """One checked row, ready to write."""

    row: int
    fields: dict[str, Any]
    indicators: list[dict[str, Any]]
    issuer: dict[str, Any]        # {enterprise_id} | {institution_id} | {name, kind, region}
    warnings: list[Problem] = field(default_factory=list)
    programme_name: str = ""      # the row's contest or list, when the file names one


@dataclass
class Checked:
    rows: int
    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Context:
    today: dt.date
    default_deadline: dt.date | None
    enterprises_by_code: dict[str, int]
    enterprises_by_name: dict[str, int]
    institutions_by_name: dict[str, int]
    existing: dict[tuple[str, str], int]   # (issuer name, title) -> challenge id


PROGRESS_EVERY = 200


def check_rows(mapping: Mapping, rows: list[tuple[int, list[str]]], ctx: Context,
               on_rows: Callable[[int], None] | None = None) -> Checked:
    out = Checked(rows=len(rows))
    seen: dict[tuple[str, str], int] = {}
    header_of = {key: mapping.headers[i] for key, i in mapping.columns.items()}

    for index, (number, cells) in enumerate(rows, start=1):
        if on_rows is not None and index % PROGRESS_EVERY == 0:
            on_rows(index)
        problems: list[Problem] = []

        def cell(key: str) -> str:
            i = mapping.columns.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        def problem(key: str, code: str, value: str = "", fatal: bool = True, **params) -> None:
            problems.append(Problem(number, header_of.get(key, str(FIELD_BY_KEY[key].label)
                                                          if key in FIELD_BY_KEY else key),
                                    value, code, params, fatal))

        title, issuer_name = cell("title"), cell("issuer_name")
        if not title:
            problem("title", "required")
        if not issuer_name and not cell("credit_code"):
            problem("issuer_name", "required")
        # the issuer
        issuer: dict[str, Any] = {}
        code = cell("credit_code").upper()
        if code:
            if code in ctx.enterprises_by_code:
                issuer = {"enterprise_id": ctx.enterprises_by_code[code]}
            else:
                problem("credit_code", "credit_code_unknown", code)
        elif issuer_name in ctx.enterprises_by_name:
            issuer = {"enterprise_id": ctx.enterprises_by_name[issuer_name]}
        elif issuer_name in ctx.institutions_by_name:
            issuer = {"institution_id": ctx.institutions_by_name[issuer_name]}
        elif issuer_name:
            issuer = {"name": issuer_name[:200],
                      "kind": issuer_kind(issuer_name, cell("issuer_kind")),
                      "region": cell("issuer_region")[:64]}
        # duplicates, in the file and on the platform
        key = (issuer_name or code, title)
        if title and key in seen:
            problem("title", "duplicate_in_file", title, row=seen[key])
        elif title:
            seen[key] = number
            if key in ctx.existing:
                problem("title", "duplicate_existing", title, id=ctx.existing[key])
        # domains
        domain_text = cell("domain")
        domains = domains_from_text(domain_text) if domain_text else []
        if not domains:
            domains = domains_from_text(f"{title} {cell('keywords')}")
        if not domains:
            problem("domain", "domain_missing", domain_text, fatal=False)
        # indicators
        indicators = []
        indicator_text = cell("indicators")
        for i, piece in enumerate(split_indicators(indicator_text)[:30], start=1):
            item = validation._parsed_indicator(piece, "", "")
            if item["needs_review"]:
                problem("indicators", "target_unreadable", piece, fatal=False, text=piece[:40])
            indicators.append({"position": i, **item})
        if not indicators:
            problem("indicators", "indicators_missing", fatal=False)
        # funding
        unit = mapping.units.get("funding", WAN)
        funding = parse_funding(cell("funding"), unit)
        payment_terms = ""
        if funding is None:
            # Real lists write 后补助, 省专项资金支持 or the whole list's total here: the words are
            # kept, the listing is 面议 until the organizer edits it, never a guessed amount.
            problem("funding", "funding_unreadable", cell("funding"), fatal=False,
                    text=cell("funding")[:40])
            funding = {"funding_kind": FundingKind.NEGOTIABLE.value, "funding": None,
                       "funding_max": None, "prize_schedule": []}
            payment_terms = gettext("资金（原文）：%(text)s") % {"text": cell("funding")[:500]}
        # time limit
        months, readable = parse_time_limit(cell("time_limit"))
        if not readable:
            problem("time_limit", "time_limit_unreadable", cell("time_limit"), fatal=False)
        elif months and months > 36:
            problem("time_limit", "time_limit_over", cell("time_limit"), fatal=False,
                    months=months)
        if months and months > 120:
            months = None
        # IP terms
        ip, share, ip_ok = parse_ip(cell("ip_ownership"))
        if not ip_ok:
            problem("ip_ownership", "ip_unreadable", cell("ip_ownership"), fatal=False)
        # deadline
        deadline = ctx.default_deadline
        if cell("claim_deadline"):
            deadline = parse_date(cell("claim_deadline"))
            if deadline is None:
                problem("claim_deadline", "deadline_unreadable", cell("claim_deadline"))
        elif deadline is None:
            problem("claim_deadline", "deadline_missing")
        if deadline is not None and deadline <= ctx.today:
            problem("claim_deadline", "deadline_past", deadline.isoformat())
        # technology readiness (TRL 1–9, a level, a floor, a ceiling or a range)
        trl_min, trl_max, trl_ok = parse_trl(cell("trl"))
        if not trl_ok:
            problem("trl", "trl_unreadable", cell("trl"), fatal=False, text=cell("trl")[:30])
        elif trl_min is not None and trl_max is not None and trl_max < trl_min:
            problem("trl", "trl_reversed", cell("trl"), min=trl_min, max=trl_max)
        # disciplines
        codes: list[str] = []
        for item in validation._as_list(cell("disciplines")):
            found = validation.clean_discipline_codes([item], validation.Errors(), "d")
            if not found:
                problem("disciplines", "discipline_unknown", item, fatal=False, text=item[:30])
            codes += [c for c in found if c not in codes]
        statement = cell("statement")
        if len(statement) < 10:
            problem("statement", "statement_short", statement, fatal=False)
            statement = "。".join(t for t in (title, statement, indicator_text) if t)
        fields = {
            "title": title[:120], "statement": statement[:8000],
            "domain": domains[0] if domains else "", "secondary_domains": domains[1:],
            "keywords": cell("keywords")[:200], **funding, "payment_terms": payment_terms,
            "time_limit_months": months,
            "ip_ownership": ip, "ip_enterprise_share": share,
            "other_conditions": cell("other_conditions")[:2000],
            "solver_eligibility": cell("solver_eligibility")[:2000],
            "claim_deadline": deadline, "max_claims": 5,
            "external_ref": cell("external_ref")[:64], "source": cell("source")[:300],
            "disciplines": codes[:8],
            "trl_min": trl_min, "trl_max": trl_max,
            "contact_name": cell("contact_name")[:64], "contact_phone": cell("contact_phone")[:32],
        }
        if len(title) > 120:
            problem("title", "invalid", title, message=gettext("榜单名称：不超过 120 个字"))
        out.problems.extend(problems)
        if not any(p.fatal for p in problems):
            out.listings.append(Listing(number, fields, indicators, issuer,
                                        [p for p in problems if not p.fatal],
                                        cell("programme_name")[:160]))
    return out


def domains_from_text(text: str) -> list[str]:
    """Every domain a domain or track cell names, in order ("新能源新材料" -> energy,
    materials)."""
    t = text or ""
    found: list[tuple[int, str]] = []
    for label, code in validation._DOMAIN_WORDS.items():
        at = t.find(label)
        if at >= 0 and len(label) >= 2:
            found.append((at, code))
    for word, code in validation.DOMAIN_HINTS.items():
        at = t.find(word)
        if at >= 0:
            found.append((at, code))
    out: list[str] = []
    for _at, code in sorted(found):
        if code not in out:
            out.append(code)
    return out
