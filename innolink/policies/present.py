"""The engine's answers as an enterprise reads them.

The rules engine words its reasons for officials and rule authors (``缺少数据:研发经费支出``,
``国民经济行业代码为C3825,需属于I、L、M``, ``综合能耗 1200tce``). An enterprise page shows the
same facts in the words of the enterprise: codes with their names, units written out, and for a
figure the registry lacks, the input that would decide the answer. Nothing here changes a
result; rule files, clause ids, file paths and authors' notes never pass through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
                "m": need.message or need.label}
        if need.message:
            return need.message
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


def _worded(check: Any, value: str | None, threshold: str) -> str | None:
    """The sentence for a condition that is not a comparison of figures, in the page's language
    (the engine words these in Chinese only). ``None``: keep the engine's sentence."""
    op, label = check.op, check.label
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
    if op == "in_policy_year":
        year = re.search(r"需在(\d{4})年内", check.message)
        if year is None:
            return None
        return _("%(l)s为%(v)s，需在%(y)s年内") % {**args, "y": year.group(1)}
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


def miss_view(check: Any, record: dict[str, Any] | None, year: int) -> MissView:
    """One engine ``ConditionCheck`` for an enterprise page."""
    missing = check.passed is None
    value, threshold, text = check.value, check.threshold, check.message
    if check.field == "industry_code":
        value, threshold = industry_codes(value), industry_codes(threshold)
        if not missing:
            verb = _("不属于") if check.op == "not_prefix" else _("属于")
            text = _("所属行业为%(v)s，需%(verb)s%(t)s") % {"v": value, "verb": verb, "t": threshold}
    elif not missing and check.op in _WORD and value is not None:
        word = _(getattr(check, "word", "") or _WORD[check.op])
        text = _("%(l)s：当前%(v)s，需%(w)s%(t)s") % {"l": check.label, "v": value, "w": word,
                                                   "t": threshold}
        if check.gap and check.op in ("gt", "ge"):
            text += _("，还差%(g)s") % {"g": check.gap}
        elif check.gap and check.op in ("lt", "le"):
            text += _("，超出%(g)s") % {"g": check.gap}
    elif not missing:
        text = _worded(check, value, threshold) or text
    inputs = fact_inputs(check, record, year) if missing else []
    if missing:
        text = _("缺少数据：%(l)s") % {"l": check.label}
    return MissView(text=readable(text) or "", value=readable(value), threshold=readable(threshold) or "",
                    gap=readable(check.gap), missing=missing, inputs=inputs,
                    how="" if inputs or not missing else _how(check))


_STEPS = (  # the engine's arithmetic sentences whose frame the page translates
    (re.compile(r"^应兑现 (?P<a>\S+),按 (?P<r>\S+) 分担:(?P<p>.+)$"),
     gettext_noop("应兑现 %(a)s，按 %(r)s 分担：%(p)s")),
    (re.compile(r"^应兑现 (?P<a>\S+)$"), gettext_noop("应兑现 %(a)s")),
    (re.compile(r"^未超过(?P<l>.+?) (?P<a>\S+)$"), gettext_noop("未超过%(l)s %(a)s")),
    (re.compile(r"^本政策单个企业年度累计上限 (?P<c>\S+),本条实付 (?P<a>\S+)$"),
     gettext_noop("本政策单个企业年度累计上限 %(c)s，本条实付 %(a)s")),
)


def step_text(step: str) -> str:
    """One arithmetic step, its frame in the page's language (figures and names as computed).

    Examples:
        >>> step_text("应兑现 6.79万元,按 1∶1 分担:市 3.39万元、县 3.39万元")
        '应兑现 6.79万元，按 1∶1 分担：市 3.39万元、县 3.39万元'
        >>> step_text("进口额 100万元 × 0.5% = 0.5万元")
        '进口额 100万元 × 0.5% = 0.5万元'
    """
    for pattern, frame in _STEPS:
        match = pattern.match(step)
        if match:
            return _(frame) % match.groupdict()
    return step


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
            routes.append(RouteView(readable(route.label) or "", route.state, route.tied, checks))
        out.append(ChoiceView(readable(choice.label) or "", bool(getattr(choice, "tie", False)), routes))
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


def level_view(answer: Any) -> LevelView | None:
    info = getattr(answer, "level", None)
    if info is None:
        return None
    ladder = [{"label": readable(level.label), "amount": level.amount, "reached": level.reached,
               "matched": info.matched is not None and level.label == info.matched.label,
               "next": info.next is not None and level.label == info.next.label}
              for level in info.ladder]
    needs = []
    if info.next is not None:
        if info.next.gap:
            needs.append(readable(info.next.gap) or "")
        needs.extend(readable(c.message) or "" for c in info.next.checks)
    return LevelView(readable(info.basis) or "", readable(info.value), readable(info.message) or "",
                     ladder, readable(info.matched.label) if info.matched else None,
                     readable(info.next.label) if info.next else None, needs)
