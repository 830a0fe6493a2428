"""Checking challenge, proposal, profile and offer input. Every message names the field and the
rule in the reader's language (msgids; callers pass the field's label translated); the checks
collect all problems and raise one ``ValidationFailed``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from innolink.challenges import disciplines
from innolink.challenges.models import (
    HARD_TIME_LIMIT_MONTHS,
    Attachment,
    Comparator,
    Domain,
    FundingKind,
    IpOwnership,
    IssuerKind,
    ResearcherProfile,
    SolverType,
    TechnologyOffer,
)
from innolink.core.errors import ValidationFailed
from innolink.engines.matching.indicators import parse_target

FEN = Decimal("0.01")
WAN = Decimal(10_000)
#: every money column of the board (funding, budget, payment, asking price, contract amount)
MONEY_DIGITS = 14
#: the largest amount such a column holds (12 digits of yuan and 2 of fen)
MAX_MONEY = Decimal(10) ** (MONEY_DIGITS - 2) - FEN


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)

    def text(self, data: dict, name: str, label: str, *, required: bool = True,
             max_length: int | None = None, min_length: int = 0) -> str:
        value = data.get(name)
        value = "" if value is None else str(value).replace("\x00", "").strip()
        if required and not value:
            self.add(name, _("%(label)s：必填") % {"label": label})
        elif max_length is not None and len(value) > max_length:
            self.add(name, _("%(label)s：不超过 %(n)s 个字（现为 %(len)s 个）")
                     % {"label": label, "n": max_length, "len": len(value)})
        elif value and len(value) < min_length:
            self.add(name, _("%(label)s：至少 %(n)s 个字") % {"label": label, "n": min_length})
        return value

    def choice(self, data: dict, name: str, label: str, choices, *, required: bool = True) -> str:
        value = str(data.get(name) or "").strip()
        values = {c.value for c in choices}
        if not value:
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
        elif value not in values:
            labels = _("、").join(str(c.label) for c in choices)
            self.add(name, _("%(label)s：应为以下之一：%(values)s")
                     % {"label": label, "values": labels})
        return value

    def integer(self, data: dict, name: str, label: str, *, low: int, high: int,
                required: bool = True, high_message: str | None = None) -> int | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        try:
            value = int(str(raw).strip())
        except ValueError:
            self.add(name, _("%(label)s：应为整数") % {"label": label})
            return None
        if value < low:
            self.add(name, _("%(label)s：不得小于 %(n)s") % {"label": label, "n": low})
        elif value > high:
            self.add(name, high_message or _("%(label)s：不得大于 %(n)s") % {"label": label, "n": high})
        return value

    def money(self, data: dict, name: str, label: str, *, required: bool = True,
              unit: Decimal = Decimal(1)) -> Decimal | None:
        """A non-negative amount, given in yuan (``unit`` 1) or 万元 (``unit`` 10000), kept in
        yuan with two places; bounded by the board's money columns (``max_digits=14``) through
        the platform's one money parser (``core.money``)."""
        from innolink.core.money import MoneyInvalid, parse_money

        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        try:
            return parse_money(raw, label=label, unit=unit, max_digits=MONEY_DIGITS)
        except MoneyInvalid as exc:
            self.add(name, exc.message)
            return None

    def decimal(self, data: dict, name: str, label: str, *, required: bool = True
                ) -> Decimal | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.add(name, _("%(label)s：应为数字") % {"label": label})
            return None
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            self.add(name, _("%(label)s：应为有限的数字") % {"label": label})
            return None
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def date(self, data: dict, name: str, label: str, *, required: bool = True
             ) -> dt.date | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            self.add(name, _("%(label)s：日期格式应为 YYYY-MM-DD") % {"label": label})
            return None


@dataclass
class CleanChallenge:
    fields: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)
    issuer: dict[str, str] | None = None  # an outside organisation: {name, kind, region}


CHALLENGE_LABELS = {
    "title": "榜单名称", "domain": "主领域", "secondary_domains": "其他领域",
    "statement": "技术难题描述", "keywords": "关键词", "funding_kind": "资金形式",
    "funding": "资金投入", "funding_max": "资金上限", "prize_schedule": "奖项设置",
    "payment_terms": "支付方式与节点", "time_limit_months": "时限要求",
    "ip_ownership": "知识产权归属", "ip_enterprise_share": "发榜方份额", "ip_notes": "产权说明",
    "other_conditions": "其他条件", "claim_deadline": "揭榜截止日期", "max_claims": "揭榜名额",
    "contact_name": "联系人", "contact_phone": "联系电话", "contact_email": "联系邮箱",
    "indicators": "技术指标", "solver_eligibility": "揭榜方资格条件",
    "solver_region": "揭榜方地区要求", "disciplines": "所需学科", "solver_types": "揭榜方类型",
    "trl_min": "最低技术成熟度", "trl_max": "最高技术成熟度", "external_ref": "榜单编号",
    "source": "信息来源",
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("，", ",").replace("、", ",").replace(
            "；", ",").replace(";", ",").split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v or "").strip()]
    return [str(value).strip()]


_DOMAIN_WORDS = {str(d.label): d.value for d in Domain} | {d.value: d.value for d in Domain}


def domain_code(text: str) -> str | None:
    """A domain code from its code, its label, or a label written a little differently
    (新能源、节能环保 → energy)."""
    t = (text or "").strip()
    if t in _DOMAIN_WORDS:
        return _DOMAIN_WORDS[t]
    for label, code in _DOMAIN_WORDS.items():
        if len(t) >= 2 and (t in label or label in t):
            return code
    for key, code in DOMAIN_HINTS.items():
        if key in t:
            return code
    return None


#: words of real lists' domain columns and tracks -> our six domains
DOMAIN_HINTS = {
    "信息": "it", "数字": "it", "电子": "it", "集成电路": "it", "人工智能": "it", "软件": "it",
    "装备": "equipment", "制造": "equipment", "机械": "equipment", "智能制造": "equipment",
    "新能源": "energy", "节能": "energy", "环保": "energy", "储能": "energy", "双碳": "energy",
    "材料": "materials", "化工": "materials", "石化": "materials", "纺织": "materials",
    "医药": "biomed", "生物": "biomed", "健康": "biomed", "医疗": "biomed",
    "农业": "agrifood", "食品": "agrifood", "海洋": "agrifood",
}


def clean_domains(data: dict, e: "Errors") -> tuple[str, list[str]]:
    primary = str(data.get("domain") or "").strip()
    if primary and primary not in _DOMAIN_WORDS:
        code = domain_code(primary)
        if code is None:
            e.add("domain", _("主领域：应为六大领域之一"))
        primary = code or ""
    else:
        primary = _DOMAIN_WORDS.get(primary, "")
    secondary: list[str] = []
    for item in _as_list(data.get("secondary_domains")):
        code = domain_code(item)
        if code is None:
            e.add("secondary_domains", _("其他领域：无法识别“%(v)s”") % {"v": item[:20]})
        elif code != primary and code not in secondary:
            secondary.append(code)
    if not primary and secondary:
        primary, secondary = secondary[0], secondary[1:]
    return primary, secondary


def clean_funding(data: dict, e: "Errors", unit: Decimal) -> dict[str, Any]:
    """Funding as the listing states it (decision 0351): fixed, range, up to, prize schedule
    or 面议. Returns the model fields ``funding_kind``, ``funding``, ``funding_max``,
    ``prize_schedule`` (amounts in yuan)."""
    kind = str(data.get("funding_kind") or "").strip() or FundingKind.FIXED
    if kind not in FundingKind.values:
        e.add("funding_kind", _("资金形式：应为 固定金额、金额区间、不超过、奖金 或 面议"))
        return {"funding_kind": FundingKind.FIXED, "funding": None, "funding_max": None,
                "prize_schedule": []}
    out: dict[str, Any] = {"funding_kind": kind, "funding": None, "funding_max": None,
                           "prize_schedule": []}
    if kind == FundingKind.FIXED:
        out["funding"] = e.money(data, "funding", _("资金投入"), unit=unit)
    elif kind == FundingKind.RANGE:
        low = e.money(data, "funding", _("资金下限"), unit=unit)
        high = e.money(data, "funding_max", _("资金上限"), unit=unit)
        if low is not None and high is not None and high <= low:
            e.add("funding_max", _("资金上限：应大于资金下限"))
        out["funding"], out["funding_max"] = low, high
    elif kind == FundingKind.UP_TO:
        out["funding"] = e.money(data, "funding", _("资金上限"), unit=unit)
    elif kind == FundingKind.PRIZE:
        rows = data.get("prize_schedule") or []
        if not isinstance(rows, list):
            e.add("prize_schedule", _("奖项设置：应为列表"))
            rows = []
        schedule, total = [], Decimal("0")
        for i, row in enumerate((r for r in rows if isinstance(r, dict)
                                 and any(str(v or "").strip() for v in r.values())), start=1):
            sub = Errors()
            award = sub.text(row, "award", _("第 %(i)s 个奖项名称") % {"i": i}, max_length=40)
            amount = sub.money(row, "amount", _("第 %(i)s 个奖项金额") % {"i": i}, unit=unit)
            count = sub.integer(row, "count", _("第 %(i)s 个奖项名额") % {"i": i}, low=1, high=1000,
                                required=False)
            for key, messages in sub.fields.items():
                for message in messages:
                    e.add(f"prize_schedule.{i}.{key}", message)
            if amount is not None:
                total += amount * (count or 1)
                schedule.append({"award": award, "amount": str(amount), "count": count or 1})
        if not schedule and not any(k.startswith("prize_schedule") for k in e.fields):
            e.add("prize_schedule", _("奖项设置：至少填写一个奖项（名称、金额）"))
        out["prize_schedule"] = schedule
        out["funding"] = total.quantize(FEN) if schedule else None
        if out["funding"] is not None and out["funding"] > MAX_MONEY:
            e.add("prize_schedule", _("奖项设置：奖金合计过大"))
    return out


def clean_challenge(data: dict[str, Any], *, today: dt.date, funding_unit: Decimal = Decimal(1),
                    contact_required: bool = True, check_deadline: bool = True
                    ) -> CleanChallenge:
    """Check a challenge. ``funding`` is in yuan unless ``funding_unit`` is 10000 (万元).

    What a real listing may leave out is optional (decision 0351): indicators (a screening
    check the organizer may waive), the time limit, the domain (given at screening), IP terms
    (then 协商确定); a time limit over 36 months is stored and needs the organizer's
    justified exception before publication."""
    e = Errors()
    domain, secondary = clean_domains(data, e)
    out: dict[str, Any] = {
        "title": e.text(data, "title", _("榜单名称"), max_length=120, min_length=4),
        "domain": domain,
        "secondary_domains": secondary,
        "statement": e.text(data, "statement", _("技术难题描述"), min_length=10, max_length=8000),
        "keywords": e.text(data, "keywords", _("关键词"), required=False, max_length=200),
        **clean_funding(data, e, funding_unit),
        "payment_terms": e.text(data, "payment_terms", _("支付方式与节点"), required=False,
                                max_length=2000),
        "time_limit_months": e.integer(
            data, "time_limit_months", _("时限要求"), low=1, high=HARD_TIME_LIMIT_MONTHS,
            required=False,
            high_message=_("时限要求：最长 %(n)s 个月") % {"n": HARD_TIME_LIMIT_MONTHS}),
        "ip_ownership": e.choice(data, "ip_ownership", _("知识产权归属"), IpOwnership,
                                 required=False) or IpOwnership.NEGOTIABLE,
        "ip_notes": e.text(data, "ip_notes", _("产权说明"), required=False, max_length=2000),
        "other_conditions": e.text(data, "other_conditions", _("其他条件"), required=False,
                                   max_length=2000),
        "claim_deadline": e.date(data, "claim_deadline", _("揭榜截止日期")),
        "max_claims": e.integer(data, "max_claims", _("揭榜名额"), low=1, high=50,
                                required=False) or 5,
        "contact_name": e.text(data, "contact_name", _("联系人"), max_length=64,
                               required=contact_required),
        "contact_phone": e.text(data, "contact_phone", _("联系电话"), max_length=32,
                                required=contact_required),
        "contact_email": e.text(data, "contact_email", _("联系邮箱"), required=False, max_length=254),
        "external_ref": e.text(data, "external_ref", _("榜单编号"), required=False, max_length=64),
        "source": e.text(data, "source", _("信息来源"), required=False, max_length=300),
        "solver_eligibility": e.text(data, "solver_eligibility", _("揭榜方资格条件"),
                                     required=False, max_length=2000),
        "solver_region": e.text(data, "solver_region", _("揭榜方地区要求"), required=False,
                                max_length=64),
        "trl_min": e.integer(data, "trl_min", _("最低技术成熟度"), low=1, high=9, required=False),
        "trl_max": e.integer(data, "trl_max", _("最高技术成熟度"), low=1, high=9, required=False),
    }
    trl_min, trl_max = out["trl_min"], out["trl_max"]
    if trl_min is not None and trl_max is not None and 1 <= trl_min <= 9 and trl_max < trl_min:
        e.add("trl_max", _("最高技术成熟度：不得低于最低技术成熟度（TRL %(min)s）")
              % {"min": trl_min})
    share = None
    if out["ip_ownership"] == IpOwnership.JOINT:
        share = e.integer(data, "ip_enterprise_share", _("发榜方份额"), low=1, high=99)
    out["ip_enterprise_share"] = share
    if check_deadline and out["claim_deadline"] and out["claim_deadline"] <= today:
        e.add("claim_deadline", _("揭榜截止日期：应晚于今天（%(today)s）")
              % {"today": f"{today:%Y-%m-%d}"})
    phone = out["contact_phone"]
    if phone and not all(c.isdigit() or c in "-+ ()" for c in phone):
        e.add("contact_phone", _("联系电话：只能包含数字、空格和 - + ( )"))
    email = out["contact_email"]
    if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1]):
        e.add("contact_email", _("联系邮箱：格式不正确"))
    out["disciplines"] = clean_discipline_codes(data.get("disciplines"), e, "disciplines")
    solver_types = []
    for item in _as_list(data.get("solver_types")):
        code = item if item in SolverType.values else {
            str(c.label): c.value for c in SolverType}.get(item)
        if code is None:
            e.add("solver_types", _("揭榜方类型：无法识别“%(v)s”") % {"v": item[:20]})
        elif code not in solver_types:
            solver_types.append(code)
    out["solver_types"] = solver_types
    indicators = clean_indicators(data.get("indicators") or [], e)
    issuer = None
    if str(data.get("issuer_name") or "").strip():
        issuer = {"name": e.text(data, "issuer_name", _("发榜单位名称"), max_length=200),
                  "kind": e.choice(data, "issuer_kind", _("发榜单位类型"), IssuerKind,
                                   required=False) or IssuerKind.OTHER,
                  "region": e.text(data, "issuer_region", _("发榜单位所在地区"), required=False,
                                   max_length=64)}
    e.raise_if_any()
    return CleanChallenge(fields=out, indicators=indicators, issuer=issuer)


def clean_discipline_codes(value: Any, e: "Errors", key: str) -> list[str]:
    """GB/T 13745 codes given as codes, names, or free text (mapped by the code table)."""
    codes: list[str] = []
    for item in _as_list(value):
        head = item.split(" ", 1)[0]
        if disciplines.get(head) is not None:
            found = [head]
        else:
            found = disciplines.match_text(item, limit=1)
        if not found:
            e.add(key, _("学科：在 GB/T 13745 学科代码表中找不到“%(v)s”") % {"v": item[:30]})
        for code in found:
            if code not in codes:
                codes.append(code)
    return codes[:8]


def clean_indicators(rows: list[Any], e: Errors) -> list[dict[str, Any]]:
    """Indicator rows: ``{name, target, test_method}`` with the target as the listing writes it
    ("≥20万次", "30℃至120℃", "优于进口同类产品"), or the structured form ``{name, comparator,
    value, value_max, unit, test_method}``. None is fine (decision 0351: 须明确指标参数 is a
    screening check). A target whose number cannot be read is kept as text and flagged
    (``needs_review``), not refused (decision 0350)."""
    if not isinstance(rows, list):
        e.add("indicators", _("技术指标：应为列表"))
        return []
    rows = [r for r in rows if isinstance(r, dict) and any(str(v or "").strip()
                                                          for v in r.values())]
    if len(rows) > 30:
        e.add("indicators", _("技术指标：最多 %(n)s 项") % {"n": 30})
        return []
    out = []
    for i, row in enumerate(rows, start=1):
        prefix = f"indicators.{i}"
        sub = Errors()
        name = sub.text(row, "name", _("第 %(i)s 项指标名称") % {"i": i}, required=False, max_length=120)
        method = sub.text(row, "test_method", _("第 %(i)s 项测试方法") % {"i": i}, required=False,
                          max_length=200)
        target = str(row.get("target") or "").replace("\x00", "").strip()
        if len(target) > 300:
            sub.add("target", _("第 %(i)s 项目标：不超过 300 个字") % {"i": i})
            target = ""
        structured = str(row.get("comparator") or "").strip()
        if not name and not target:
            sub.add("name", _("第 %(i)s 项指标名称：必填") % {"i": i})
        if structured and not target:
            item = _structured_indicator(row, i, name, method, sub)
        else:
            item = _parsed_indicator(target, name, method)
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"{prefix}.{key}", message)
        if item is not None and not sub.fields:
            out.append({"position": i, **item})
    return out


_ENGINE_TO_MODEL = {"<=": "le", ">=": "ge", "<": "lt", ">": "gt", "=": "eq", "range": "range",
                    "text": "text"}
_MODEL_SYMBOL = {"ge": "≥", "le": "≤", "eq": "=", "gt": ">", "lt": "<"}
_DEC_LIMIT = Decimal("1e15")


def _to_decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    d = Decimal(repr(float(value)))
    if not d.is_finite() or abs(d) >= _DEC_LIMIT or (d != 0 and abs(d) < Decimal("1e-9")):
        return None
    return d.quantize(Decimal("0.000000001"), rounding=ROUND_HALF_UP).normalize()


def _parsed_indicator(target: str, name: str, method: str) -> dict[str, Any]:
    if not target:  # a name alone ("耐磨性能") is a qualitative target with no words yet
        return {"name": name, "comparator": Comparator.TEXT, "value": None, "value_max": None,
                "unit": "", "test_method": method, "raw_text": "", "needs_review": False}
    t = parse_target(target, method or None, name=name or None)
    value, upper = _to_decimal(t.value), _to_decimal(t.upper)
    if t.comparator != "text" and (value is None or (t.comparator == "range" and upper is None)):
        # a number too large to store is not guessed either: keep it as text, flagged
        return {"name": name, "comparator": Comparator.TEXT, "value": None, "value_max": None,
                "unit": "", "test_method": method, "raw_text": target, "needs_review": True}
    return {"name": t.name or name, "comparator": _ENGINE_TO_MODEL[t.comparator],
            "value": value, "value_max": upper, "unit": (t.unit or "")[:32],
            "test_method": method, "raw_text": target[:300],
            "needs_review": not t.readable}


def _structured_indicator(row: dict, i: int, name: str, method: str, sub: "Errors"
                          ) -> dict[str, Any] | None:
    comparator = sub.choice(row, "comparator", _("第 %(i)s 项比较方式") % {"i": i}, Comparator)
    if comparator == Comparator.TEXT:
        return {"name": name, "comparator": comparator, "value": None, "value_max": None,
                "unit": "", "test_method": method, "raw_text": name, "needs_review": False}
    value = sub.decimal(row, "value", _("第 %(i)s 项目标值") % {"i": i})
    value_max = None
    if comparator == Comparator.RANGE:
        value_max = sub.decimal(row, "value_max", _("第 %(i)s 项上限值") % {"i": i})
        if value is not None and value_max is not None and value_max <= value:
            sub.add("value_max", _("第 %(i)s 项上限值：区间的上限应大于下限") % {"i": i})
    unit = sub.text(row, "unit", _("第 %(i)s 项单位") % {"i": i}, required=False, max_length=32)
    if sub.fields or value is None:
        return None
    fmt = lambda v: format(v.normalize(), "f")  # noqa: E731
    raw = (f"{fmt(value)}~{fmt(value_max)}{unit}" if comparator == Comparator.RANGE
           else f"{_MODEL_SYMBOL.get(comparator, '')}{fmt(value)}{unit}")
    return {"name": name, "comparator": comparator, "value": value, "value_max": value_max,
            "unit": unit, "test_method": method, "raw_text": raw, "needs_review": False}


def clean_proposal(data: dict[str, Any], *, budget_unit: Decimal = Decimal(1),
                   time_limit_months: int | None = None) -> dict[str, Any]:
    """A claim's proposal; its milestones fall within the challenge's time limit when it has
    one (a month-30 milestone on a 24-month challenge is refused at its field)."""
    e = Errors()
    out = {
        "approach": e.text(data, "approach", _("技术路线"), min_length=20, max_length=5000),
        "team": e.text(data, "team", _("团队组成"), required=False, max_length=2000),
        "budget": e.money(data, "budget", _("经费预算"), unit=budget_unit),
        "plan": e.text(data, "plan", _("实施计划"), min_length=10, max_length=5000),
        "prior_results": e.text(data, "prior_results", _("前期成果"), required=False,
                                max_length=5000),
    }
    milestones = data.get("milestones") or []
    clean: list[dict[str, Any]] = []
    if not isinstance(milestones, list):
        e.add("milestones", _("阶段节点：应为列表"))
    else:
        last = 0
        for i, row in enumerate(m for m in milestones if isinstance(m, dict)
                                and any(str(v or "").strip() for v in m.values())):
            sub = Errors()
            title = sub.text(row, "title", _("第 %(i)s 个节点名称") % {"i": i + 1}, max_length=120)
            month = sub.integer(row, "month", _("第 %(i)s 个节点月份") % {"i": i + 1}, low=1,
                                high=HARD_TIME_LIMIT_MONTHS)
            deliverable = sub.text(row, "deliverable", _("第 %(i)s 个节点交付物") % {"i": i + 1},
                                   required=False, max_length=300)
            if month is not None and time_limit_months and month > time_limit_months:
                sub.add("month", _("第 %(i)s 个节点月份：不得超过榜单时限 %(n)s 个月")
                        % {"i": i + 1, "n": time_limit_months})
            elif month is not None and month < last:
                sub.add("month", _("第 %(i)s 个节点月份：应按时间先后排列") % {"i": i + 1})
            last = month or last
            for key, messages in sub.fields.items():
                for message in messages:
                    e.add(f"milestones.{i + 1}.{key}", message)
            clean.append({"title": title, "month": month, "deliverable": deliverable})
    out["milestones"] = clean
    e.raise_if_any()
    return out


def clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    """A researcher or a team. Name, research fields and expertise are enough (decision 0353):
    the discipline is optional and mapped to GB/T 13745 codes when it can be; a team may be one
    person."""
    e = Errors()
    out = {
        "kind": e.choice(data, "kind", _("类型"), ResearcherProfile.Kind, required=False)
        or ResearcherProfile.Kind.INDIVIDUAL,
        "name": e.text(data, "name", _("姓名或团队名称"), max_length=100),
        "title": e.text(data, "title", _("职称"), required=False, max_length=32),
        "email": e.text(data, "email", _("邮箱"), required=False, max_length=254),
        "phone": e.text(data, "phone", _("手机"), required=False, max_length=20),
        "station_kind": e.choice(data, "station_kind", _("站点类型"), ResearcherProfile.StationKind,
                                 required=False) or ResearcherProfile.StationKind.NONE,
        "station": e.text(data, "station", _("博士后流动站/工作站"), required=False,
                          max_length=120),
        "discipline": e.text(data, "discipline", _("学科"), required=False, max_length=100),
        "research_fields": e.text(data, "research_fields", _("研究方向"), max_length=500),
        "keywords": e.text(data, "keywords", _("关键词"), required=False, max_length=300),
        "achievements": e.text(data, "achievements", _("代表性成果"), required=False,
                               max_length=5000),
        "availability": e.choice(data, "availability", _("可投入情况"),
                                 ResearcherProfile.Availability, required=False)
        or ResearcherProfile.Availability.AVAILABLE,
        "region": e.text(data, "region", _("所在地区"), required=False, max_length=64),
        "trl": e.integer(data, "trl", _("技术成熟度（TRL）"), low=1, high=9, required=False),
    }
    if out["email"] and "@" not in out["email"]:
        e.add("email", _("邮箱：格式不正确"))
    if out["station_kind"] in ("station", "workstation") and not out["station"]:
        e.add("station", _("博士后流动站/工作站：选择了站点类型时必填站点名称"))
    domains = data.get("domains") or []
    if isinstance(domains, str):
        domains = [d for d in domains.replace("，", ",").split(",") if d.strip()]
    valid = {d.value for d in Domain}
    bad = [d for d in domains if d not in valid]
    if bad:
        e.add("domains", _("关注领域：无法识别 %(v)s") % {"v": "、".join(map(str, bad))})
    out["domains"] = [d for d in domains if d in valid]
    members = data.get("members") or []
    clean_members = []
    if not isinstance(members, list):
        e.add("members", _("团队成员：应为列表"))
    else:
        for i, m in enumerate(x for x in members if isinstance(x, dict)
                              and str(x.get("name") or "").strip()):
            clean_members.append({"name": str(m.get("name")).strip()[:64],
                                  "title": str(m.get("title") or "").strip()[:32],
                                  "role": str(m.get("role") or "").strip()[:64]})
    out["members"] = clean_members
    given = data.get("discipline_codes")
    if given:
        out["discipline_codes"] = clean_discipline_codes(given, e, "discipline_codes")
    else:
        out["discipline_codes"] = disciplines.match_text(out["discipline"],
                                                         out["research_fields"])
    e.raise_if_any()
    return out


def clean_offer(data: dict[str, Any], *, price_unit: Decimal = Decimal(1)) -> dict[str, Any]:
    e = Errors()
    out = {
        "title": e.text(data, "title", _("成果名称"), max_length=120, min_length=4),
        "domain": e.choice(data, "domain", _("领域"), Domain),
        "summary": e.text(data, "summary", _("成果简介"), min_length=20, max_length=5000),
        "trl": e.integer(data, "trl", _("技术成熟度（TRL）"), low=1, high=9),
        "applications": e.text(data, "applications", _("应用场景"), max_length=2000),
        "ip_status": e.choice(data, "ip_status", _("知识产权状态"), TechnologyOffer.IpStatus),
        "ip_notes": e.text(data, "ip_notes", _("知识产权说明"), required=False, max_length=300),
        "cooperation_mode": e.choice(data, "cooperation_mode", _("合作方式"),
                                     TechnologyOffer.Mode),
        "asking_terms": e.text(data, "asking_terms", _("转化条件"), required=False,
                               max_length=2000),
        "asking_price": e.money(data, "asking_price", _("意向价格"), required=False,
                                unit=price_unit),
        "keywords": e.text(data, "keywords", _("关键词"), required=False, max_length=200),
        "contact_name": e.text(data, "contact_name", _("联系人"), max_length=64),
        "contact_phone": e.text(data, "contact_phone", _("联系电话"), max_length=32),
    }
    e.raise_if_any()
    return out


# --- attachments ---------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: extension -> (content type, accepted leading bytes)
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             (b"PK\x03\x04",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
}


def clean_attachment(*, name: str, head: bytes, size: int, kind: str) -> tuple[str, str]:
    """Check an upload; return (safe original name, content type). The type is decided by the
    extension and confirmed by the file's first bytes, never by what the browser claims."""
    e = Errors()
    name = (name or "").replace("\x00", "").strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = "、".join(sorted(ATTACHMENT_TYPES))
    if kind not in {k.value for k in Attachment.Kind}:
        e.add("kind", _("附件类型：无法识别"))
    if ext not in ATTACHMENT_TYPES:
        e.add("file", _("附件：只接受 %(types)s 文件") % {"types": allowed})
    elif not any(head.startswith(sig) for sig in ATTACHMENT_TYPES[ext][1]):
        e.add("file", _("附件：文件内容与扩展名 .%(ext)s 不符") % {"ext": ext})
    if size == 0:
        e.add("file", _("附件：文件为空"))
    elif size > MAX_ATTACHMENT_BYTES:
        e.add("file", _("附件：单个文件不超过 %(max)s MB（本文件 %(size)s MB）")
              % {"max": MAX_ATTACHMENT_BYTES // 1048576, "size": f"{size / 1048576:.1f}"})
    e.raise_if_any()
    return name[-200:], ATTACHMENT_TYPES[ext][0]


def clean_programme(data: dict[str, Any]) -> dict[str, Any]:
    """A contest or published list: name, edition, track, region, timeline, solver eligibility
    and a judging rubric whose weights (points) add up to 100 (decision 0352)."""
    e = Errors()
    out: dict[str, Any] = {
        "name": e.text(data, "name", _("赛事/榜单名称"), max_length=160, min_length=2),
        "edition": e.text(data, "edition", _("届次/批次"), required=False, max_length=40),
        "track": e.text(data, "track", _("赛道/组别"), required=False, max_length=80),
        "organizer": e.text(data, "organizer", _("主办/发布单位"), required=False, max_length=200),
        "region": e.text(data, "region", _("面向地区"), required=False, max_length=64),
        "eligibility": e.text(data, "eligibility", _("揭榜方资格条件"), required=False,
                              max_length=4000),
        "source": e.text(data, "source", _("来源"), required=False, max_length=300),
    }
    rubric, names = [], set()
    for i, row in enumerate((r for r in data.get("rubric") or [] if isinstance(r, dict)
                             and any(str(v or "").strip() for v in r.values())), start=1):
        sub = Errors()
        name = sub.text(row, "name", _("第 %(i)s 个评审项名称") % {"i": i}, max_length=60)
        weight = sub.integer(row, "weight", _("第 %(i)s 个评审项分值") % {"i": i}, low=1, high=100)
        guidance = sub.text(row, "guidance", _("第 %(i)s 个评审项要点") % {"i": i}, required=False,
                            max_length=300)
        if name and name in names:
            sub.add("name", _("第 %(i)s 个评审项名称：与前面重复") % {"i": i})
        names.add(name)
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"rubric.{i}.{key}", message)
        if not sub.fields:
            rubric.append({"name": name, "weight": weight, "guidance": guidance})
    if rubric and sum(r["weight"] for r in rubric) != 100:
        e.add("rubric", _("评审细则：各项分值之和应为 100（现为 %(n)s）")
              % {"n": sum(r["weight"] for r in rubric)})
    if len(rubric) > 12:
        e.add("rubric", _("评审细则：最多 %(n)s 项") % {"n": 12})
    timeline = []
    for i, row in enumerate((r for r in data.get("timeline") or [] if isinstance(r, dict)
                             and any(str(v or "").strip() for v in r.values())), start=1):
        sub = Errors()
        stage = sub.text(row, "stage", _("第 %(i)s 个阶段名称") % {"i": i}, max_length=40)
        start = sub.date(row, "start", _("第 %(i)s 个阶段开始日期") % {"i": i}, required=False)
        end = sub.date(row, "end", _("第 %(i)s 个阶段结束日期") % {"i": i}, required=False)
        if start and end and end < start:
            sub.add("end", _("第 %(i)s 个阶段结束日期：不得早于开始日期") % {"i": i})
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"timeline.{i}.{key}", message)
        if not sub.fields:
            timeline.append({"stage": stage, "start": start.isoformat() if start else "",
                             "end": end.isoformat() if end else ""})
    out["rubric"], out["timeline"] = rubric, timeline
    e.raise_if_any()
    return out
