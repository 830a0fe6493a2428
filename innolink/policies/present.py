"""The engine's answers as an enterprise reads them.

The rules engine words its reasons for officials and rule authors (``缺少数据:研发经费支出``,
``国民经济行业代码为C3825,需属于I、L、M``, ``综合能耗 1200tce``). An enterprise page shows the
same facts in the words of the enterprise: codes with their names, units written out, and for a
figure the registry lacks, the input that would decide the answer. Nothing here changes a
result; rule files, clause ids, file paths and authors' notes never pass through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import get_language, gettext_noop

from innolink.engines.rules import RulesError
from innolink.engines.rules import fields as rule_fields
from innolink.engines.rules.load import parse_operand
from innolink.enterprises.reference import industry_label

#: units as the engine writes them -> as an enterprise reads them
UNIT_WORDS = {"tce": "吨标准煤"}
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-T](?:\d{2,4})?)(?![A-Za-z0-9 ])")


def readable_unit(unit: str) -> str:
    """Examples:
        >>> readable_unit("tce"), readable_unit("件")
        ('吨标准煤', '件')
    """
    return UNIT_WORDS.get(unit, unit)


def readable(text: str | None) -> str | None:
    """Engine wording with units written out: ``1200tce`` → ``1200吨标准煤``.

    Examples:
        >>> readable("综合能耗还差200tce(当前1000tce,需不低于1200tce)")
        '综合能耗还差200吨标准煤(当前1000吨标准煤,需不低于1200吨标准煤)'
    """
    if text is None:
        return None
    for unit, words in UNIT_WORDS.items():
        text = re.sub(rf"(?<=[\d\s]){unit}\b", words, text)
    return text


def industry_codes(text: str | None) -> str | None:
    """Industry codes or sections with their names: ``I、L、M`` → ``I 信息传输…、L 租赁和商务服务业、…``.

    Examples:
        >>> industry_codes("C3825")
        'C3825 电气机械和器材制造业'
    """
    if not text:
        return text
    return _CODE.sub(lambda m: industry_label(m.group(1)) or m.group(1), text)


@dataclass(frozen=True)
class FactInput:
    """A yearly figure the registry lacks and the enterprise may type in (see DeclaredFact)."""

    code: str
    year: int
    label: str  # 2025年 软件系统、硬件设备投入金额
    unit: str  # as typed: 万元 for money, else the indicator's unit written out
    kind: str  # money | count | quantity

    @property
    def name(self) -> str:
        """The form field's name."""
        return f"fact-{self.code}-{self.year}"

    @property
    def indicator(self) -> str:
        """The indicator's catalogue name (Chinese data, shown untranslated)."""
        spec = rule_fields.INDICATORS.get(self.code)
        return spec.label if spec is not None else self.code


@dataclass
class MissView:
    """One unmet or undecidable condition, worded for the enterprise."""

    text: str
    value: str | None
    threshold: str
    gap: str | None
    missing: bool
    inputs: list[FactInput] = field(default_factory=list)
    how: str = ""  # how a missing fact that cannot be typed here reaches the platform


def _present(values: dict[int, dict[str, Any]], code: str, year: int) -> bool:
    raw = (values.get(year) or {}).get(code)
    return raw is not None and raw != ""


def _year_label(year: int, label: str) -> str:
    return _("%(y)s年 %(l)s") % {"y": year, "l": label}


def _unit(spec) -> str:
    """The unit a figure is typed in: money in 万元 (as the page shows amounts), else the
    indicator's own unit written out."""
    return _("万元") if spec.kind == "money" else readable_unit(spec.unit)


def fact_inputs(check: Any, record: dict[str, Any] | None, year: int) -> list[FactInput]:
    """The yearly figures an undecidable condition lacks, in the order the rule names them.

    A condition over ``rd_expense.yoy_increase`` lacks this year's or last year's value (or
    both); only those absent from the record are asked for.
    """
    if record is None or getattr(check, "passed", False) is not None:
        return []
    needs = getattr(check, "needs", None)
    if needs:  # the engine names the inputs itself (ADR 0130)
        out = []
        for need in needs:
            spec = rule_fields.INDICATORS.get(need.field)
            if need.source != "indicator" or need.year is None or spec is None \
                    or spec.kind not in ("money", "count", "quantity"):
                continue
            item = FactInput(need.field, need.year, _year_label(need.year, spec.label),
                             _unit(spec), spec.kind)
            if item not in out and not _present(record.get("indicators") or {}, need.field, need.year):
                out.append(item)
        return out
    try:
        operand = parse_operand(check.field, "answer")
    except (RulesError, TypeError):
        return []
    values = record.get("indicators") or {}
    out = []
    for code, offset in operand.inputs():
        spec = rule_fields.INDICATORS.get(code)
        if spec is None or _present(values, code, year + offset):
            continue
        item = FactInput(code, year + offset, _year_label(year + offset, spec.label), _unit(spec),
                         spec.kind)
        if item not in out:
            out.append(item)
    return out


def _how(check: Any) -> str:
    for need in getattr(check, "needs", ()) or ():
        if need.source == "qualification":
            return _("%(m)s：资质由认定部门的名单导入平台；如已获认定而此处未显示，请联系政策咨询窗口核实。") % {
                "m": step_text(need.message) if need.message else need.label}
        if need.message:
            return step_text(need.message)
    name = getattr(check, "field", "")
    if name == "tags" or name.startswith("high_tech"):
        return _("资质、认定和信用记录由主管部门的名单导入平台；如已获认定而此处未显示，请联系政策咨询窗口核实。")
    if name in rule_fields.ATTRIBUTES:
        return _("企业登记信息由平台按市场监管登记数据维护；如有误请联系政策咨询窗口更正。")
    return _("该数据由统计、税务等部门报送后导入平台。")


_WORD = {"gt": gettext_noop("高于"), "ge": gettext_noop("不低于"), "lt": gettext_noop("低于"),
         "le": gettext_noop("不超过"), "eq": gettext_noop("等于"), "ne": gettext_noop("不等于")}


def _tail(message: str) -> str:
    """What follows the engine's first colon (the names in 「需具备:…」)."""
    for colon in (":", "："):
        if colon in message:
            return message.split(colon, 1)[1]
    return message


_QUAL_OPS = ("held", "not_held", "newly", "first", "renewed", "upgraded")
_DATE_OPS = ("in_policy_year", "within_years", "before", "on_or_after", "between")
_HELD = {"持有": gettext_noop("持有"), "未持有": gettext_noop("未持有")}


def _date_phrase(display: str) -> str | None:
    """The engine's date requirement (format 2: 「在政策年度内」「在3年内」「早于2020-01-01」
    「在2024-01-01至2024-12-31之间」) in the page's language; ``None`` when not recognised."""
    m = re.search(r"在政策年度前(\d+)年内$", display)
    if m:
        return _("在政策年度前%(n)s年内") % {"n": m.group(1)}
    if display.endswith("在政策年度内"):
        return _("在政策年度内")
    m = re.search(r"在(\d+)年内$", display)
    if m:
        return _("在%(n)s年内") % {"n": m.group(1)}
    m = re.search(r"在(\d{4}-\d{2}-\d{2})至(\d{4}-\d{2}-\d{2})之间$", display)
    if m:
        return _("在%(a)s至%(b)s之间") % {"a": m.group(1), "b": m.group(2)}
    m = re.search(r"(不?)早于(\d{4}-\d{2}-\d{2})$", display)
    if m:
        return (_("不早于%(d)s") if m.group(1) else _("早于%(d)s")) % {"d": m.group(2)}
    return None


def _qualification_worded(check: Any, value: str | None, year: int) -> str | None:
    """A qualification condition of the engine's format 2 (ops held, not_held, newly, first,
    renewed, upgraded, or a date operator over the certification date)."""
    op, shown = check.op, check.threshold
    dated = re.search(r"[(（]认定日期 ([^)）]*)[)）]", check.message or "")
    when = (_("（认定日期 %(d)s）") % {"d": dated.group(1)}) if dated else ""
    held = _(_HELD[value]) if value in _HELD else value
    if op == "held":
        now = _("（当前：%(v)s）") % {"v": held} if value not in (None, "未持有") else ""
        return _("需持有%(t)s") % {"t": shown} + now
    if op == "not_held":
        return _("存在排除情形：%(t)s") % {"t": shown}
    if op == "newly":
        return _("%(t)s需为%(y)s年新认定") % {"t": shown, "y": year} + when
    if op == "first":
        return _("%(t)s需为%(y)s年首次认定") % {"t": shown, "y": year} + when
    if op == "renewed":
        return _("%(t)s需为%(y)s年重新认定") % {"t": shown, "y": year} + when
    if op == "upgraded":
        m = re.match(r"^(.+?)需在(\d{4})年晋级至", check.message or "")
        if m is None:
            return None
        return _("%(q)s需在%(y)s年晋级至%(t)s（当前：%(v)s）") % {
            "q": m.group(1), "y": m.group(2), "t": shown, "v": held or _("未持有")}
    if op in _DATE_OPS and "认定日期" in shown:
        qualification, tail = shown.split("认定日期", 1)
        phrase = _date_phrase(tail)
        if phrase is None:
            return None
        return _("%(q)s的认定日期需%(p)s") % {"q": qualification, "p": phrase} + when
    return None


def _worded(check: Any, value: str | None, threshold: str, year: int = 0) -> str | None:
    """The sentence for a condition that is not a comparison of figures, in the page's language
    (the engine words these in Chinese only). ``None``: keep the engine's sentence."""
    op, label = check.op, check.label
    if op in _QUAL_OPS or (op in _DATE_OPS and "认定日期" in (threshold or "")):
        return _qualification_worded(check, value, year)
    if op == "not":  # the engine's exclusions (format 2)
        m = re.match(r"^(.+?)为(.+?),属于排除情形\((.+)\)$", check.message or "")
        if m:
            return _("%(l)s为%(v)s，属于排除情形（%(t)s）") % {"l": m.group(1), "v": m.group(2), "t": m.group(3)}
        if (check.message or "").startswith("存在排除情形"):
            return _("存在排除情形：%(t)s") % {"t": threshold}
        return None
    if op == "first_time":  # 「首次」 over a compound condition
        m = re.match(r"^(\d{4})年已满足「(.+)」,(\d{4})年不是首次$", check.message or "")
        if m:
            return _("%(y)s年已满足「%(c)s」，%(n)s年不是首次") % {"y": m.group(1), "c": m.group(2),
                                                             "n": m.group(3)}
        return None
    if check.field == "tags":
        if op == "has_none":
            return _("存在排除情形：%(t)s") % {"t": _tail(check.message)}
        if op == "has_any":
            return _("需具备以下之一：%(t)s") % {"t": threshold}
        return _("需具备：%(t)s") % {"t": _tail(check.message)}
    if value in ("是", "否"):
        value = _("是") if value == "是" else _("否")
    args = {"l": label, "v": value, "t": threshold}
    if op == "requires":
        return _("需先符合「%(t)s」") % args
    if op == "is":
        return _("%(l)s：%(v)s，需为%(t)s") % args
    if op in _DATE_OPS:
        phrase = _date_phrase(threshold or "")
        if phrase is not None:  # the engine's format 2 (ADR 0131): the threshold is the phrase
            return _("%(l)s为%(v)s，需%(p)s") % {**args, "p": phrase}
    if op == "in_policy_year":
        found = re.search(r"需在(\d{4})年内", check.message)
        if found is None:
            return None
        return _("%(l)s为%(v)s，需在%(y)s年内") % {**args, "y": found.group(1)}
    if op == "within_years":
        since = re.search(r"需不早于(\d{4}-\d{2}-\d{2})\((\d+)年内\)", check.message)
        if since is None:
            return None
        return _("%(l)s为%(v)s，需不早于%(d)s（%(n)s年内）") % {**args, "d": since.group(1),
                                                            "n": since.group(2)}
    if op == "before":
        return _("%(l)s为%(v)s，需早于%(t)s") % args
    if op == "on_or_after":
        return _("%(l)s为%(v)s，需不早于%(t)s") % args
    if op in ("in", "prefix"):
        return _("%(l)s为%(v)s，需属于%(t)s") % args
    if op in ("not_in", "not_prefix"):
        return _("%(l)s为%(v)s，需不属于%(t)s") % args
    return None


def _first_time_worded(message: str) -> str | None:
    """A 「首次」 comparison (format 2): not met now, or met in an earlier year."""
    m = re.match(r"^(.+?)(\d{4})年已(.+?)\((.+)\),(\d{4})年不是首次$", message)
    if m:
        return _("%(l)s%(y)s年已%(w)s（%(v)s），%(n)s年不是首次") % {
            "l": m.group(1), "y": m.group(2), "w": m.group(3), "v": m.group(4), "n": m.group(5)}
    m = re.match(r"^(.+?)为(.+?),需首次(.+)$", message)
    if m:
        return _("%(l)s为%(v)s，需首次%(w)s") % {"l": m.group(1), "v": m.group(2), "w": m.group(3)}
    m = re.match(r"^(.+?)需首次(.+)$", message)
    if m:
        return _("%(l)s需首次%(w)s") % {"l": m.group(1), "w": m.group(2)}
    return None


def miss_view(check: Any, record: dict[str, Any] | None, year: int) -> MissView:
    """One engine ``ConditionCheck`` for an enterprise page."""
    missing = check.passed is None
    value, threshold, text = check.value, check.threshold, check.message
    if check.field == "industry_code":
        value, threshold = industry_codes(value), industry_codes(threshold)
        if not missing:
            verb = _("不属于") if check.op == "not_prefix" else _("属于")
            text = _("所属行业为%(v)s，需%(verb)s%(t)s") % {"v": value, "verb": verb, "t": threshold}
    elif not missing and check.op in _WORD and "首次" in (check.message or ""):
        text = _first_time_worded(check.message) or text
    elif not missing and check.op in _WORD and value is not None:
        money = tuple(getattr(check, "money", ()) or ())
        if len(money) == 3 and not (get_language() or "zh").lower().startswith("zh"):
            # amounts compared: worded for the reader (Chinese keeps the engine's 万元 text)
            value, threshold, gap = (money_text(f) if f is not None else None
                                     for f in map(_stored_fraction, money))
            check = replace(check, gap=gap)
        word = _(getattr(check, "word", "") or _WORD[check.op])
        text = _("%(l)s：当前%(v)s，需%(w)s%(t)s") % {"l": check.label, "v": value, "w": word,
                                                   "t": threshold}
        if check.gap and check.op in ("gt", "ge"):
            text += _("，还差%(g)s") % {"g": check.gap}
        elif check.gap and check.op in ("lt", "le"):
            text += _("，超出%(g)s") % {"g": check.gap}
    elif not missing:
        text = _worded(check, value, threshold, year) or text
    inputs = fact_inputs(check, record, year) if missing else []
    if missing:
        text = _("缺少数据：%(l)s") % {"l": check.label}
    return MissView(text=readable(text) or "", value=readable(value), threshold=readable(threshold) or "",
                    gap=readable(check.gap), missing=missing, inputs=inputs,
                    how="" if inputs or not missing else _how(check))


# The frames of the engine's steps (``innolink.engines.rules.steps``), listed here so that
# makemessages puts them in the catalogue; tests/test_step_texts keeps both lists equal.
STEP_FRAMES = (
    gettext_noop("定额奖励 %(amount)s"),
    gettext_noop("%(label)s缺少数据,按0计(可选项)"),
    gettext_noop("%(label)s %(base)s × %(factor)s = %(amount)s"),
    gettext_noop("%(label)s %(base)s × %(factor)s = %(amount)s(四舍五入到分)"),
    gettext_noop("%(value)s(负数按0计)"),
    gettext_noop("缺少数据"),
    gettext_noop("%(label)s %(base)s 未达到最低档 %(lowest)s,奖励 0元"),
    gettext_noop("%(label)s %(base)s 达到 %(tier)s 档,奖励 %(amount)s"),
    gettext_noop("适用情形:%(case)s"),
    gettext_noop("无适用情形,奖励 0元"),
    gettext_noop("合计 %(parts)s = %(total)s"),
    gettext_noop("%(label)s%(count)s项:%(parts)s = %(total)s"),
    gettext_noop("%(label)s%(count)s项:%(parts)s = %(total)s(另有%(left)s项未计入)"),
    gettext_noop("%(label)s %(limit)s:%(amount)s → %(limit)s"),
    gettext_noop("未超过%(label)s %(limit)s"),
    gettext_noop("不超过%(label)s %(limit)s:%(amount)s → %(limit)s"),
    gettext_noop("%(label)s = %(year)s年%(indicator)s %(now)s − %(prev)s年 %(before)s = %(diff)s"),
    gettext_noop("%(year)s年 %(value)s"),
    gettext_noop("%(label)s = %(parts)s = %(total)s"),
    gettext_noop("%(label)s = (%(parts)s) ÷ %(n)s = %(avg)s"),
    gettext_noop("一次性奖励:已于%(years)s年度兑现%(paid)s,本年度不再兑现"),
    gettext_noop("晋级补差:%(gross)s − 已兑现 %(paid)s = %(amount)s"),
    gettext_noop("与同组条款%(rule)s(%(group)s),已按「%(winners)s」兑现,本条不重复兑现"),
    gettext_noop("就高不重复"),
    gettext_noop("按序优先适用"),
    gettext_noop("其他条款"),
    gettext_noop("本政策单个企业年度累计上限 %(cap)s,本条实付 %(amount)s"),
    gettext_noop("本政策单个企业累计上限 %(cap)s,以往年度已兑现 %(paid)s,本条实付 %(amount)s"),
    gettext_noop("与其他政策同类奖励就高不重复,已按%(name)s兑现,本条不再兑现"),
    gettext_noop("《%(policy)s》「%(clause)s」"),
    gettext_noop("同类奖励"),
    gettext_noop("与其他政策同类奖励就高不重复:本年度已按同类奖励兑现 %(paid)s,本条补差 %(amount)s"),
    gettext_noop("与其他政策的同类奖励金额相同,按政策顺序兑现本条"),
    gettext_noop("应兑现 %(amount)s,按 %(ratio)s 分担:%(parts)s"),
    gettext_noop("%(level)s %(amount)s"),
    gettext_noop("应兑现 %(amount)s"),
    gettext_noop("%(years)s年度已兑现%(paid)s(%(kind)s)"),
    gettext_noop("一次性奖励"),
    gettext_noop("晋级补差"),
    gettext_noop("本政策%(years)s年度已累计兑现%(paid)s,累计上限%(cap)s"),
    gettext_noop("%(year)s年度已按同类奖励兑现%(paid)s(就高不重复)"),
    gettext_noop("缺少数据:%(facts)s"),
    gettext_noop("不符合:%(reasons)s"),
    gettext_noop("可兑现 %(amount)s"),
    gettext_noop("已兑现,本年度不再兑现"),
    gettext_noop("符合条件,与同类奖励就高不重复,按其他条款兑现"),
    gettext_noop("符合条件,本政策单个企业上限已用完"),
    gettext_noop("符合条件,但按公式核定金额为0元"),
    gettext_noop("补充%(label)s后即可判定"),
    gettext_noop("暂不符合;满足以下任一即可:%(routes)s"),
    gettext_noop("暂不符合:%(reason)s"),
    gettext_noop("预算不足,按 %(percent)s 比例核减"),
    gettext_noop("资金不足时按比例核减:可用预算 %(available)s ÷ 符合条件的待兑现金额合计 %(demand)s = %(percent)s"),
    gettext_noop("本条测算金额 %(amount)s × 核减比例 = %(scaled)s,向下取整到分"),
    gettext_noop("%(label)s达到%(shown)s"),
    gettext_noop("已达「%(matched)s」档,奖励%(amount)s;再增加%(gap)s可达「%(next)s」档,奖励%(next_amount)s"),
    gettext_noop("已达最高档「%(matched)s」,奖励%(amount)s"),
    gettext_noop("再增加%(gap)s可达最低档「%(next)s」,奖励%(next_amount)s"),
    gettext_noop("缺少数据:%(label)s"),
    gettext_noop("适用「%(matched)s」,奖励%(amount)s;「%(next)s」奖励%(next_amount)s,还需:%(needs)s"),
    gettext_noop("适用「%(matched)s」,奖励%(amount)s(已是最高档)"),
    gettext_noop("最近的档次「%(next)s」奖励%(next_amount)s,还需:%(needs)s"),
    gettext_noop("视数据核定"),
    gettext_noop("满足以下条件之一即可"),
    gettext_noop("%(word)s%(value)s"),
    gettext_noop("%(label)s%(word)s%(value)s"),
    gettext_noop("%(label)s%(value)s%(word)s"),
    gettext_noop("%(label)s%(value)s"),
    gettext_noop("%(label)s有数据"),
    gettext_noop("%(parts)s"),
    gettext_noop("%(parts)s等"),
    gettext_noop("非(%(label)s)"),
    gettext_noop("请补充%(item)s的%(fact)s"),
    gettext_noop("请补充%(year)s年度%(label)s"),
    gettext_noop("%(text)s(%(unit)s)"),
    gettext_noop("请补充%(label)s的%(what)s(上传认定文件)"),
    gettext_noop("资质情况"),
    gettext_noop("认定日期"),
    gettext_noop("首次或重新认定"),
    gettext_noop("请补充%(label)s"),
)

# The words of the rules' grammar a route names (``steps.Word``: the comparison words a rule
# file may use, the qualification words) and what joins a route's parts; tests/test_step_texts
# keeps this list covering the engine's (ADR 0792).
ROUTE_WORDS = (
    gettext_noop("高于"), gettext_noop("超过"), gettext_noop("大于"), gettext_noop("不低于"),
    gettext_noop("不少于"), gettext_noop("达到"), gettext_noop("以上"), gettext_noop("及以上"),
    gettext_noop("低于"), gettext_noop("不满"), gettext_noop("少于"), gettext_noop("小于"),
    gettext_noop("不超过"), gettext_noop("不高于"), gettext_noop("以下"), gettext_noop("及以下"),
    gettext_noop("等于"), gettext_noop("不等于"),
    gettext_noop("持有"), gettext_noop("未持有"), gettext_noop("新认定"), gettext_noop("首次认定"),
    gettext_noop("重新认定"), gettext_noop("晋级"),
    gettext_noop("且"), gettext_noop("或"),
)
_SEPARATORS = {"、": gettext_noop("、"), ";": gettext_noop("；"), " 或 ": gettext_noop(" 或 "),
               "且": gettext_noop("且"), "或": gettext_noop("或")}


def money_text(fen: Any) -> str:
    """An amount in the reader's language: ``21万元`` in Chinese, ``210,000 yuan`` in English.

    Examples:
        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     money_text(21_000_000), money_text(12_345), money_text(0)
        ('210,000 yuan', '123.45 yuan', '0 yuan')
        >>> with translation.override("zh-hans"):
        ...     money_text(21_000_000)
        '21万元'
    """
    from django.utils.translation import get_language

    from innolink.core.money import money_text as worded
    from innolink.engines.rules.types import fmt_money

    if (get_language() or "zh").lower().startswith("zh"):
        return fmt_money(fen)
    yuan = (Decimal(fen.numerator) / Decimal(fen.denominator) if hasattr(fen, "numerator")
            else Decimal(fen)) / 100
    return worded(yuan.quantize(Decimal("0.01")))


def _stored_fraction(text: str | None) -> Fraction | None:
    return None if text in (None, "", "None") else Fraction(str(text))


def _param(value: Any) -> str:
    from innolink.engines.rules.steps import Money, Said, Seq, Step, Word

    if isinstance(value, Word):  # 高于, 以上, 持有 ...: the rules' grammar, translated
        return _(str(value)) if str(value) else ""
    if isinstance(value, Said):  # a failing condition's own sentence: worded as its check is
        return miss_view(value.check, None, value.year).text
    if isinstance(value, Step):
        return step_text(value)
    if isinstance(value, Money):
        return money_text(value.fen)
    if isinstance(value, Seq):
        sep = _(_SEPARATORS[value.sep]) if value.sep in _SEPARATORS else value.sep
        return sep.join(_param(v) for v in value)
    return str(value)


def step_text(step: Any) -> str:
    """One step of the engine's arithmetic in the page's language: the frame translated, the
    amounts, lists and nested phrases worded for the reader; names and labels as the rules
    give them. A plain string (an older stored text) is shown as it is.

    Examples:
        >>> from django.utils import translation
        >>> from innolink.engines.rules import steps as S
        >>> step = S.Step(S.PAYABLE_SHARED, amount=S.Money(679_000), ratio="1∶1",
        ...               parts=S.Seq([S.Step(S.SHARE, level="市", amount=S.Money(339_500))]))
        >>> with translation.override("en"):
        ...     step_text(step)
        'Payable 6,790 yuan, shared 1∶1: 市 3,395 yuan'
        >>> step_text("进口额 100万元 × 0.5% = 0.5万元")
        '进口额 100万元 × 0.5% = 0.5万元'
    """
    from innolink.engines.rules.steps import Said, Step, from_data

    if isinstance(step, dict):  # stored as data (a rule editor's case results, steps.to_data)
        step = from_data(step)
    if isinstance(step, Said):
        return _param(step)
    if not isinstance(step, Step):
        return step
    return _(step.msgid) % {k: _param(v) for k, v in step.params.items()} if step.params else _(step.msgid)


def steps_view(steps) -> list[str]:
    return [readable(step_text(s)) or "" for s in steps]


# --------------------------------------------------------------------------- typed figures

_MAX_YUAN = Decimal("9999999999999.99")


def parse_fact(raw: Any, item: FactInput, *, allow_negative: bool = False) -> str:
    """The typed figure in the indicator's base unit (money: 万元 typed, yuan stored), as the
    decimal string the registry keeps; ``ValueError`` with the message for the field.

    Examples:
        >>> item = FactInput("software_hardware_investment", 2025, "2025年 投入", "万元", "money")
        >>> parse_fact("300", item), parse_fact(" 12.5 ", item), parse_fact("1,200.000001", item)
        ('3000000.00', '125000.00', '12000000.01')
        >>> parse_fact("-3", item)
        Traceback (most recent call last):
        ...
        ValueError: 应为不小于0的数字
    """
    text = str(raw or "").replace(",", "").replace("，", "").replace(" ", "").strip()
    if item.kind == "money":
        for suffix in ("万元", "万"):
            if text.endswith(suffix):
                text = text[: -len(suffix)]
                break
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("应为数字，单位%(u)s") % {"u": item.unit}) from None
    if not number.is_finite():
        raise ValueError(_("应为数字，单位%(u)s") % {"u": item.unit})
    if number < 0 and not allow_negative:
        raise ValueError(_("应为不小于0的数字"))
    if item.kind == "money":
        if -number.as_tuple().exponent > 6:
            raise ValueError(_("万元最多保留六位小数（到分）"))
        yuan = (number * 10000).quantize(Decimal("0.01"))
        if abs(yuan) > _MAX_YUAN:
            raise ValueError(_("数值过大"))
        return str(yuan)
    if item.kind == "count":
        if number != number.to_integral_value():
            raise ValueError(_("应为整数，单位%(u)s") % {"u": item.unit})
        if abs(number) > 10**12:
            raise ValueError(_("数值过大"))
        return str(int(number))
    if -number.as_tuple().exponent > 3:
        raise ValueError(_("最多保留三位小数"))
    if abs(number) > 10**12:
        raise ValueError(_("数值过大"))
    return str(number.quantize(Decimal("0.001")).normalize()) if number else "0"


# --------------------------------------------------------------------------- routes and levels


@dataclass
class RouteView:
    label: str
    state: str  # passed | failed | unknown
    tied: bool
    checks: list[MissView]


@dataclass
class ChoiceView:
    """An 「或」 condition not met: every route with its own gap, nearest first (ADR 0130)."""

    label: str
    tie: bool
    routes: list[RouteView]


def check_key(check: Any) -> tuple:
    return (check.field, check.message)


def choices_view(answer: Any, record: dict[str, Any] | None, year: int) -> tuple[list[ChoiceView], set]:
    """The answer's 「或」 conditions with all their routes, and the checks they hold (so the
    flat list of misses does not repeat them)."""
    out, held = [], set()
    for choice in getattr(answer, "choices", ()) or ():
        routes = []
        for route in choice.routes:
            checks = [miss_view(c, record, year) for c in route.checks]
            held.update(check_key(c) for c in route.checks)
            routes.append(RouteView(readable(step_text(route.label)) or "", route.state, route.tied,
                                    checks))
        out.append(ChoiceView(readable(step_text(choice.label)) or "", bool(getattr(choice, "tie", False)), routes))
    return out, held


@dataclass
class LevelView:
    """Which level of a split matched and what the next one needs."""

    basis: str
    value: str | None
    message: str
    ladder: list[dict[str, Any]]
    matched: str | None
    next: str | None
    next_needs: list[str]


def level_view(answer: Any, year: int = 0) -> LevelView | None:
    """Which level matched and what the next one needs, in the page's language (the engine's
    messages are steps; a condition still needed reads as the page words that check)."""
    from innolink.engines.rules.steps import Said

    info = getattr(answer, "level", None)
    if info is None:
        return None
    ladder = [{"label": readable(step_text(level.label)), "amount": level.amount, "reached": level.reached,
               "matched": info.matched is not None and level.label == info.matched.label,
               "next": info.next is not None and level.label == info.next.label}
              for level in info.ladder]
    needs = []
    if info.next is not None:
        if info.next.gap_money is not None:  # an amount: in the reader's language
            needs.append(_param(info.next.gap_money))
        elif info.next.gap:
            needs.append(readable(info.next.gap) or "")
        needs.extend(readable(step_text(Said(c, year))) or "" for c in info.next.checks)
    return LevelView(readable(info.basis) or "", readable(info.value), readable(step_text(info.message)) or "",
                     ladder, readable(step_text(info.matched.label)) if info.matched else None,
                     readable(step_text(info.next.label)) if info.next else None, needs)


# --------------------------------------------------------------------------- items of a claim

@dataclass(frozen=True)
class ItemLineView:
    label: str
    included: bool
    amount: Decimal
    steps: list[str]
    reason: str


def item_lines_view(answer: Any) -> list[ItemLineView]:
    """Each item of a claim (a project …): its amount and arithmetic, or why it is left out."""
    return [ItemLineView(line.label, line.included, line.amount, steps_view(line.steps),
                         readable(line.reason) or "") for line in getattr(answer, "items", ())]
