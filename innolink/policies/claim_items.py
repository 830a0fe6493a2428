"""Repeated items an enterprise lists on a 快申快享 claim (projects, patents, purchases, events).

A clause whose benefit or conditions read items of one kind (``items: {of: projects}``, ADR 0131)
takes them from the registry (imported or officer-entered ``EnterpriseItem`` rows) and from the
enterprise's own application. On the claim form the enterprise adds or removes items; the page
re-computes the amount with the typed items (nothing written), and submitting records them as
``EnterpriseItem`` rows (source 申报, reference = the application) in the application's
transaction, so the scan and the officer see the same items the amount was computed from.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from innolink.core.errors import ValidationFailed
from innolink.core.money import MoneyInvalid
from innolink.engines.rules.parse import rule_strings

MAX_ITEMS = 50
LABEL_MAX = 200
PREFIX = "items"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ItemFact:
    """One fact of an item as the form asks for it."""

    code: str
    name: str
    kind: str  # money | count | quantity | ratio | category | level | bool | date | text
    unit: str  # as typed: 万元 for money
    choices: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class ItemsSpec:
    """What a clause's claim form asks per item: the kind and the facts the rule reads."""

    kind: str
    name: str  # 项目
    facts: tuple[ItemFact, ...]


def _items_nodes(rule: Any) -> list[tuple[str, dict]]:
    """(kind, node) of every place the rule reads items: ``{items: {of: k, ...}}`` in a benefit
    and ``{items: k, where: ...}`` in a condition."""
    found: list[tuple[str, dict]] = []
    stack = [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            inner = node.get("items")
            if isinstance(inner, dict) and isinstance(inner.get("of"), str):
                found.append((inner["of"], inner))
            elif isinstance(inner, str):
                found.append((inner, node))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _names(node: Any) -> set[str]:
    return {name for text in rule_strings(node) for name in _NAME.findall(text)}


def spec_for(clause) -> ItemsSpec | None:
    """The items a 快申快享 clause lets the enterprise list, or None (免申即享 clauses and
    clauses that read no items: 免申即享 decides on platform data only)."""
    from innolink.enterprises.models import ItemKind
    from innolink.policies.models import Lane

    if clause.version.lane != Lane.APPLY:
        return None
    nodes = _items_nodes(clause.rule or {})
    if not nodes:
        return None
    kind = nodes[0][0]
    row = ItemKind.objects.filter(code=kind).first()
    if row is None:
        return None
    used: set[str] = set()
    optional: set[str] = set()
    for k, node in nodes:
        if k == kind:
            used |= _names({key: v for key, v in node.items() if key not in ("of", "items", "years", "optional")})
            optional |= {str(o) for o in node.get("optional") or []}
    facts = []
    for code, fact in row.facts_in_order:  # the declared order (ADR 0380), on every database
        if code not in used:
            continue
        fkind = fact.get("kind", "text")
        unit = "万元" if fkind == "money" else (fact.get("unit") or ("%" if fkind == "ratio" else ""))
        facts.append(ItemFact(code, fact.get("name") or code, fkind, unit,
                              tuple(str(c) for c in (fact.get("choices") or fact.get("levels") or ())),
                              required=code not in optional and fkind != "bool"))
    return ItemsSpec(kind, row.name, tuple(facts))


def field_name(index: int, name: str) -> str:
    return f"{PREFIX}-{index}-{name}"


def parse(spec: ItemsSpec, rows: list[dict[str, Any]], year: int, *, money_in: str = "万元"
          ) -> list[dict[str, Any]]:
    """Typed items (``[{"label": …, fact: raw}]``, empty rows already dropped) as the registry
    keeps them: ``[{"label", "facts": {code: text}}]``, money typed in 万元 (the form) or in 元
    (``money_in="元"``, the API) and kept in yuan. ``ValidationFailed`` with every problem at its
    field (``items-<n>-<fact>``)."""

    errors: dict[str, list[str]] = {}
    out = []
    if len(rows) > MAX_ITEMS:
        raise ValidationFailed({PREFIX: [_("最多填报%(n)s项") % {"n": MAX_ITEMS}]})
    known = [fact.code for fact in spec.facts]
    unknown = [(i, code) for i, row in enumerate(rows) for code in row if code != "label" and code not in known]
    if unknown:  # refused, never dropped: a fact the clause does not read would be lost (ADR 0380)
        exc = ValidationFailed({field_name(i, code): [unknown_fact_message(code, spec)] for i, code in unknown})
        exc.extra["unknown_facts"] = [{"item": i, "code": code.replace("\x00", "")} for i, code in unknown]
        exc.extra["known_facts"] = known
        raise exc
    for i, row in enumerate(rows):
        bad = [k for k, v in row.items() if "\x00" in str(v or "")]
        if bad:  # a NUL cannot be stored (PostgreSQL text) and is never typed
            for k in bad:
                errors[field_name(i, k)] = [_("含有无效字符")]
            continue
        label = str(row.get("label") or "").strip()
        if not label:
            errors[field_name(i, "label")] = [_("名称：必填")]
        elif len(label) > LABEL_MAX:
            errors[field_name(i, "label")] = [_("名称：不超过200个字")]
        facts: dict[str, str] = {}
        for fact in spec.facts:
            raw = str(row.get(fact.code) or "").strip()
            where = field_name(i, fact.code)
            if not raw:
                if fact.required:
                    errors[where] = [_("%(l)s：必填") % {"l": fact.name}]
                continue
            try:
                facts[fact.code] = _value(fact, raw, year, money_in)
            except MoneyInvalid as exc:
                errors[where] = [exc.message]
            except ValueError as exc:
                errors[where] = [_("%(l)s：%(e)s") % {"l": fact.name, "e": exc}]
        out.append({"label": label, "facts": facts})
    if errors:
        raise ValidationFailed(errors)
    return out


def unknown_fact_message(code: str, spec: ItemsSpec) -> str:
    """The refusal of a fact code the clause does not read, naming the codes it does."""
    return _("%(kind)s没有数据项 %(code)s；可填写：%(known)s") % {
        "kind": spec.name, "code": code.replace("\x00", "")[:40],
        "known": "、".join(f"{f.code}（{f.name}）" for f in spec.facts) or "—"}


def _value(fact: ItemFact, raw: str, year: int, money_in: str = "万元") -> str:
    from innolink.policies.present import FactInput, parse_fact

    if fact.kind == "money" and money_in == "元":
        from innolink.core.money import parse_money

        # yuan with at most two places, not negative, as large as the form allows (MoneyInvalid
        # names the fact itself)
        return str(parse_money(raw, label=fact.name, max_digits=15, round_places=False))
    if fact.kind in ("money", "count", "quantity"):
        return parse_fact(raw, FactInput(fact.code, year, fact.name, fact.unit, fact.kind))
    if fact.kind == "ratio":
        return parse_fact(raw.rstrip("%"), FactInput(fact.code, year, fact.name, "%", "quantity"))
    if fact.kind in ("category", "level"):
        if raw not in fact.choices:
            raise ValueError(_("应为以下之一：%(c)s") % {"c": "、".join(fact.choices)})
        return raw
    if fact.kind == "bool":
        if raw not in ("true", "false"):
            raise ValueError(_("应为 是 或 否"))
        return raw
    if fact.kind == "date":
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError(_("日期格式应为 2024-12-01")) from None
    return raw[:LABEL_MAX]


def with_items(record: dict[str, Any], spec: ItemsSpec, items: list[dict[str, Any]], year: int
               ) -> dict[str, Any]:
    """The record with the typed items added to those on record (a copy; the keys ``new-<n>``
    stand for the items until the application numbers them)."""
    record = copy.deepcopy(record)
    rows = record.setdefault("items", {}).setdefault(spec.kind, [])
    for n, item in enumerate(items, start=1):
        rows.append({"key": f"new-{n}", "label": item["label"], "year": year, **item["facts"]})
    return record


def on_record(enterprise_id: int, spec: ItemsSpec, year: int):
    """The enterprise's items of the kind for the policy year already in the registry."""
    from innolink.enterprises.models import EnterpriseItem

    return list(EnterpriseItem.objects.filter(enterprise_id=enterprise_id, kind=spec.kind, year=year)
                .order_by("source", "key"))


def only_items_missing(answer) -> bool:
    """The clause fails only for want of items (every unmet check is about the items)."""
    misses = list(getattr(answer, "misses", ()))
    return bool(misses) and all(str(m.field).startswith("items:") for m in misses)


def shown(items) -> list[tuple[str, list[tuple[str, str]]]]:
    """Items as the application page shows them: (name, [(fact name, value)]); money in 元 with
    thousands separators (the page's unit, ADR 0152)."""
    from decimal import Decimal, InvalidOperation

    from innolink.enterprises.models import ItemKind

    kinds = {k.code: k.facts_in_order for k in ItemKind.objects.filter(code__in={i.kind for i in items})}
    out = []
    for item in items:
        order = kinds.get(item.kind, [])
        facts = dict(order)
        rank = {code: n for n, (code, _spec) in enumerate(order)}
        values = []
        for code, value in sorted(item.facts.items(), key=lambda p: (rank.get(p[0], len(rank)), p[0])):
            spec = facts.get(code, {})
            if spec.get("kind") == "money":
                try:
                    value = f"{Decimal(value):,.2f} " + _("元")
                except InvalidOperation:
                    pass
            elif spec.get("kind") == "bool":
                value = _("是") if value == "true" else _("否")
            values.append((spec.get("name") or code, str(value)))
        out.append((item.label or item.key, values))
    return out
