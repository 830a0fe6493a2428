"""Checking challenge, proposal, profile and offer input. Every message names the field and the
rule in Chinese; the checks collect all problems and raise one ``ValidationFailed``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from innolink.challenges.models import (
    MAX_TIME_LIMIT_MONTHS,
    Attachment,
    Comparator,
    Domain,
    IpOwnership,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.errors import ValidationFailed

FEN = Decimal("0.01")
WAN = Decimal(10_000)
#: every money column of the board (funding, budget, payment, asking price, contract amount)
MONEY_DIGITS = 14


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
            self.add(name, f"{label}：必填")
        elif max_length is not None and len(value) > max_length:
            self.add(name, f"{label}：不超过 {max_length} 个字（现为 {len(value)} 个）")
        elif value and len(value) < min_length:
            self.add(name, f"{label}：至少 {min_length} 个字")
        return value

    def choice(self, data: dict, name: str, label: str, choices, *, required: bool = True) -> str:
        value = str(data.get(name) or "").strip()
        values = {c.value for c in choices}
        if not value:
            if required:
                self.add(name, f"{label}：必填")
        elif value not in values:
            labels = "、".join(str(c.label) for c in choices)
            self.add(name, f"{label}：应为以下之一：{labels}")
        return value

    def integer(self, data: dict, name: str, label: str, *, low: int, high: int,
                required: bool = True, high_message: str | None = None) -> int | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, f"{label}：必填")
            return None
        try:
            value = int(str(raw).strip())
        except ValueError:
            self.add(name, f"{label}：应为整数")
            return None
        if value < low:
            self.add(name, f"{label}：不得小于 {low}")
        elif value > high:
            self.add(name, high_message or f"{label}：不得大于 {high}")
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
                self.add(name, f"{label}：必填")
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
                self.add(name, f"{label}：必填")
            return None
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.add(name, f"{label}：应为数字")
            return None
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            self.add(name, f"{label}：应为有限的数字")
            return None
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def date(self, data: dict, name: str, label: str, *, required: bool = True
             ) -> dt.date | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, f"{label}：必填")
            return None
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            self.add(name, f"{label}：日期格式应为 YYYY-MM-DD")
            return None


@dataclass
class CleanChallenge:
    fields: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)


CHALLENGE_LABELS = {
    "title": "榜单名称", "domain": "领域", "statement": "技术难题描述", "keywords": "关键词",
    "funding": "资金投入", "payment_terms": "支付方式与节点", "time_limit_months": "时限要求",
    "ip_ownership": "知识产权归属", "ip_enterprise_share": "发榜方份额", "ip_notes": "产权说明",
    "other_conditions": "其他条件", "claim_deadline": "揭榜截止日期", "max_claims": "揭榜名额",
    "contact_name": "联系人", "contact_phone": "联系电话", "contact_email": "联系邮箱",
    "indicators": "技术指标",
}


def clean_challenge(data: dict[str, Any], *, today: dt.date, funding_unit: Decimal = Decimal(1)
                    ) -> CleanChallenge:
    """Check a challenge. ``funding`` is in yuan unless ``funding_unit`` is 10000 (万元)."""
    e = Errors()
    out: dict[str, Any] = {
        "title": e.text(data, "title", "榜单名称", max_length=120, min_length=4),
        "domain": e.choice(data, "domain", "领域", Domain),
        "statement": e.text(data, "statement", "技术难题描述", min_length=20, max_length=5000),
        "keywords": e.text(data, "keywords", "关键词", required=False, max_length=200),
        "funding": e.money(data, "funding", "资金投入", unit=funding_unit),
        "payment_terms": e.text(data, "payment_terms", "支付方式与节点", required=False,
                                max_length=2000),
        "time_limit_months": e.integer(
            data, "time_limit_months", "时限要求", low=1, high=MAX_TIME_LIMIT_MONTHS,
            high_message=f"时限要求：最长 {MAX_TIME_LIMIT_MONTHS} 个月（3 年），请缩短实施期限"),
        "ip_ownership": e.choice(data, "ip_ownership", "知识产权归属", IpOwnership),
        "ip_notes": e.text(data, "ip_notes", "产权说明", required=False, max_length=2000),
        "other_conditions": e.text(data, "other_conditions", "其他条件", required=False,
                                   max_length=2000),
        "claim_deadline": e.date(data, "claim_deadline", "揭榜截止日期"),
        "max_claims": e.integer(data, "max_claims", "揭榜名额", low=1, high=50),
        "contact_name": e.text(data, "contact_name", "联系人", max_length=64),
        "contact_phone": e.text(data, "contact_phone", "联系电话", max_length=32),
        "contact_email": e.text(data, "contact_email", "联系邮箱", required=False, max_length=254),
    }
    share = None
    if out["ip_ownership"] == IpOwnership.JOINT:
        share = e.integer(data, "ip_enterprise_share", "发榜方份额", low=1, high=99)
    out["ip_enterprise_share"] = share
    if out["claim_deadline"] and out["claim_deadline"] <= today:
        e.add("claim_deadline", f"揭榜截止日期：应晚于今天（{today:%Y-%m-%d}）")
    phone = out["contact_phone"]
    if phone and not all(c.isdigit() or c in "-+ ()" for c in phone):
        e.add("contact_phone", "联系电话：只能包含数字、空格和 - + ( )")
    email = out["contact_email"]
    if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1]):
        e.add("contact_email", "联系邮箱：格式不正确")
    indicators = clean_indicators(data.get("indicators") or [], e)
    e.raise_if_any()
    return CleanChallenge(fields=out, indicators=indicators)


def clean_indicators(rows: list[Any], e: Errors) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        e.add("indicators", "技术指标：应为列表")
        return []
    rows = [r for r in rows if isinstance(r, dict) and any(str(v or "").strip()
                                                          for v in r.values())]
    if not rows:
        e.add("indicators", "技术指标：至少填写一项可量化的指标（名称、比较方式、目标值）")
        return []
    if len(rows) > 30:
        e.add("indicators", "技术指标：最多 30 项")
        return []
    out = []
    for i, row in enumerate(rows, start=1):
        prefix = f"indicators.{i}"
        sub = Errors()
        name = sub.text(row, "name", f"第 {i} 项指标名称", max_length=80)
        comparator = sub.choice(row, "comparator", f"第 {i} 项比较方式", Comparator)
        value = sub.decimal(row, "value", f"第 {i} 项目标值")
        value_max = None
        if comparator == Comparator.RANGE:
            value_max = sub.decimal(row, "value_max", f"第 {i} 项上限值")
            if value is not None and value_max is not None and value_max <= value:
                sub.add("value_max", f"第 {i} 项上限值：区间的上限应大于下限")
        unit = sub.text(row, "unit", f"第 {i} 项单位", required=False, max_length=32)
        method = sub.text(row, "test_method", f"第 {i} 项测试方法", required=False,
                          max_length=200)
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"{prefix}.{key}", message)
        out.append({"position": i, "name": name, "comparator": comparator, "value": value,
                    "value_max": value_max, "unit": unit, "test_method": method})
    return out


def clean_proposal(data: dict[str, Any], *, budget_unit: Decimal = Decimal(1)) -> dict[str, Any]:
    e = Errors()
    out = {
        "approach": e.text(data, "approach", "技术路线", min_length=20, max_length=5000),
        "team": e.text(data, "team", "团队组成", required=False, max_length=2000),
        "budget": e.money(data, "budget", "经费预算", unit=budget_unit),
        "plan": e.text(data, "plan", "实施计划", min_length=10, max_length=5000),
        "prior_results": e.text(data, "prior_results", "前期成果", required=False,
                                max_length=5000),
    }
    milestones = data.get("milestones") or []
    clean: list[dict[str, Any]] = []
    if not isinstance(milestones, list):
        e.add("milestones", "阶段节点：应为列表")
    else:
        last = 0
        for i, row in enumerate(m for m in milestones if isinstance(m, dict)
                                and any(str(v or "").strip() for v in m.values())):
            sub = Errors()
            title = sub.text(row, "title", f"第 {i + 1} 个节点名称", max_length=120)
            month = sub.integer(row, "month", f"第 {i + 1} 个节点月份", low=1, high=36)
            deliverable = sub.text(row, "deliverable", f"第 {i + 1} 个节点交付物",
                                   required=False, max_length=300)
            if month is not None and month < last:
                sub.add("month", f"第 {i + 1} 个节点月份：应按时间先后排列")
            last = month or last
            for key, messages in sub.fields.items():
                for message in messages:
                    e.add(f"milestones.{i + 1}.{key}", message)
            clean.append({"title": title, "month": month, "deliverable": deliverable})
    out["milestones"] = clean
    e.raise_if_any()
    return out


def clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    e = Errors()
    out = {
        "kind": e.choice(data, "kind", "类型", ResearcherProfile.Kind),
        "name": e.text(data, "name", "姓名或团队名称", max_length=100),
        "title": e.text(data, "title", "职称", required=False, max_length=32),
        "email": e.text(data, "email", "邮箱", required=False, max_length=254),
        "phone": e.text(data, "phone", "手机", required=False, max_length=20),
        "station_kind": e.choice(data, "station_kind", "站点类型", ResearcherProfile.StationKind),
        "station": e.text(data, "station", "博士后流动站/工作站", required=False,
                          max_length=120),
        "discipline": e.text(data, "discipline", "学科", max_length=60),
        "research_fields": e.text(data, "research_fields", "研究方向", max_length=300),
        "keywords": e.text(data, "keywords", "关键词", required=False, max_length=300),
        "achievements": e.text(data, "achievements", "代表性成果", required=False,
                               max_length=5000),
        "availability": e.choice(data, "availability", "可投入情况",
                                 ResearcherProfile.Availability),
    }
    if out["email"] and "@" not in out["email"]:
        e.add("email", "邮箱：格式不正确")
    if out["station_kind"] in ("station", "workstation") and not out["station"]:
        e.add("station", "博士后流动站/工作站：选择了站点类型时必填站点名称")
    domains = data.get("domains") or []
    if isinstance(domains, str):
        domains = [d for d in domains.replace("，", ",").split(",") if d.strip()]
    valid = {d.value for d in Domain}
    bad = [d for d in domains if d not in valid]
    if bad:
        e.add("domains", f"关注领域：无法识别 {'、'.join(map(str, bad))}")
    out["domains"] = [d for d in domains if d in valid]
    members = data.get("members") or []
    clean_members = []
    if not isinstance(members, list):
        e.add("members", "团队成员：应为列表")
    else:
        for i, m in enumerate(x for x in members if isinstance(x, dict)
                              and str(x.get("name") or "").strip()):
            clean_members.append({"name": str(m.get("name")).strip()[:64],
                                  "title": str(m.get("title") or "").strip()[:32],
                                  "role": str(m.get("role") or "").strip()[:64]})
    if out["kind"] == ResearcherProfile.Kind.TEAM and len(clean_members) < 2:
        e.add("members", "团队成员：团队至少填写 2 名成员")
    out["members"] = clean_members
    e.raise_if_any()
    return out


def clean_offer(data: dict[str, Any], *, price_unit: Decimal = Decimal(1)) -> dict[str, Any]:
    e = Errors()
    out = {
        "title": e.text(data, "title", "成果名称", max_length=120, min_length=4),
        "domain": e.choice(data, "domain", "领域", Domain),
        "summary": e.text(data, "summary", "成果简介", min_length=20, max_length=5000),
        "trl": e.integer(data, "trl", "技术成熟度（TRL）", low=1, high=9),
        "applications": e.text(data, "applications", "应用场景", max_length=2000),
        "ip_status": e.choice(data, "ip_status", "知识产权状态", TechnologyOffer.IpStatus),
        "ip_notes": e.text(data, "ip_notes", "知识产权说明", required=False, max_length=300),
        "cooperation_mode": e.choice(data, "cooperation_mode", "合作方式",
                                     TechnologyOffer.Mode),
        "asking_terms": e.text(data, "asking_terms", "转化条件", required=False,
                               max_length=2000),
        "asking_price": e.money(data, "asking_price", "意向价格", required=False,
                                unit=price_unit),
        "keywords": e.text(data, "keywords", "关键词", required=False, max_length=200),
        "contact_name": e.text(data, "contact_name", "联系人", max_length=64),
        "contact_phone": e.text(data, "contact_phone", "联系电话", max_length=32),
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
        e.add("kind", "附件类型：无法识别")
    if ext not in ATTACHMENT_TYPES:
        e.add("file", f"附件：只接受 {allowed} 文件")
    elif not any(head.startswith(sig) for sig in ATTACHMENT_TYPES[ext][1]):
        e.add("file", f"附件：文件内容与扩展名 .{ext} 不符")
    if size == 0:
        e.add("file", "附件：文件为空")
    elif size > MAX_ATTACHMENT_BYTES:
        e.add("file", f"附件：单个文件不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB"
                      f"（本文件 {size / 1048576:.1f} MB）")
    e.raise_if_any()
    return name[-200:], ATTACHMENT_TYPES[ext][0]
