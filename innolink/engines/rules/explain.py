"""Answers for one enterprise, in the structured format of :mod:`.answers` (docs/decisions/0130):
what it gets with the arithmetic, and for the rest every route with its gap, the level matched and
what the next one needs, the ledger's part, the items counted or left out, and the missing inputs
that would decide the answer.

The explain path runs the vectorised evaluator on a population of one (so both paths give the
same answers by construction; tests also compare both with :mod:`.reference`) and then reads the
trace to word the reasons in Chinese.

"Nearest miss" ordering: fewest failing or unknown conditions first, then the smallest sum of
relative gaps (``|gap| / |threshold|`` for a numeric condition; 1 for a categorical or missing-data
condition), then registry order. Inside an "any", every route is reported, nearest first; routes
exactly as near as the nearest are all reported as tied.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from . import fields as F
from .answers import (
    Choice, ClauseAnswer, ConditionCheck, EnterpriseAnswer, InputNeed, ItemLine, Level, LevelInfo,
    PaymentNote, PolicyDates, Route,
)
from .evaluate import AtomTrace, ClauseArrays, ItemFrame, Trace, _Evaluator, evaluate_population, split_by_shares
from .model import (
    All, AnyOf, Atom, Cap, Cases, Condition, Decided, FirstTime, Fixed, Formula, Implies, Items, Multiply, Not,
    Operand, Registry, Sum, Tiers,
)
from .population import MISSING_DAY, PAYMENTS, QUALIFICATIONS, Population, from_day_number, population_from_records
from . import steps as S
from .types import fen_to_yuan, fmt_scaled

__all__ = ["explain", "explain_population_row", "EnterpriseAnswer", "ClauseAnswer", "ConditionCheck"]

_DATE_OPS = ("in_policy_year", "before", "on_or_after", "within_years", "between")
_NEED_WORDS = {"gt": "高于", "ge": "不低于", "lt": "低于", "le": "不超过", "eq": "等于", "ne": "不等于"}


class _Ctx:
    """One enterprise's trace: the evaluator (population of one, or one item) and atom states."""

    def __init__(self, ev: _Evaluator, atoms: dict[int, AtomTrace], item: tuple[str, str, str] | None = None):
        self.ev = ev
        self.pop = ev.pop
        self.atoms = atoms
        self.item = item  # (kind, key, label) when this is an item's context

    def state(self, node: Condition, forced: set[int] | None = None) -> bool | None:
        if not forced:
            memo = self.__dict__.setdefault("_memo", {})
            hit = memo.get(id(node), memo)
            if hit is not memo:
                return hit
            memo[id(node)] = result = self._state(node, None)
            return result
        return self._state(node, forced)

    def _state(self, node: Condition, forced: set[int] | None) -> bool | None:
        if isinstance(node, Atom):
            if forced and id(node) in forced:
                return True
            tr = self.atoms.get(id(node))
            if tr is None:
                t, f = self.ev.cond(node)
                tr = self.atoms[id(node)] = AtomTrace(t, f)
            return True if tr.t[0] else (False if tr.f[0] else None)
        if isinstance(node, Not):
            inner = self.state(node.item, forced)
            return None if inner is None else not inner
        if isinstance(node, Decided):
            return True if self.state(node.item, forced) is not None else None
        if isinstance(node, FirstTime):
            t, f = self.ev.cond(node)
            state = True if t[0] else (False if f[0] else None)
            if state is None and forced and self.state(node.item, forced) is True:
                return True  # supplying the missing years could make it the first time
            return state
        if isinstance(node, Implies):
            premise, conclusion = self.state(node.if_, forced), self.state(node.then, forced)
            if premise is False or conclusion is True:
                return True
            if premise is True and conclusion is False:
                return False
            return None
        states = [self.state(i, forced) for i in node.items]
        if isinstance(node, All):
            return False if False in states else (True if all(s is True for s in states) else None)
        return True if True in states else (False if all(s is False for s in states) else None)

    # -- values
    def operand(self, op: Operand) -> Fraction | None:
        num, den, known = self.ev.operand(op)
        if not known[0]:
            return None
        n = int(num[0])
        if den is None:
            return Fraction(n)
        d = int(den) if np.isscalar(den) else int(den[0])
        return Fraction(n, d) if d > 0 else None

    def column(self, name: str, offset: int) -> Fraction | None:
        v, p = self.ev.column(name, offset)
        return Fraction(int(v[0])) if p[0] else None


def _fmt(op: Operand, value: Fraction) -> str:
    kind = op.unit_kind
    if kind == "date":
        return from_day_number(int(value)).isoformat()
    if kind == "bool":
        return "是" if value else "否"
    if kind == "level":
        spec = _spec_of(op)
        return spec.choices[int(value)] if spec is not None and 0 <= int(value) < len(spec.choices) else str(value)
    return fmt_scaled(value, kind, op.unit)


def _fmt_p(op: Operand, value: Fraction) -> Any:
    """A value inside a step: amounts as ``Money`` (worded by the page), the rest as text."""
    if op.unit_kind == "money":
        return S.Money(value)
    return _fmt(op, value)


def _bound(op: Operand, lower: Fraction, shown: str) -> Any:
    """A tier's bound inside a step: an amount as ``Money`` when the rule file wrote it as the
    engine shows it (so Chinese reads the same), else the file's own words."""
    if op.unit_kind == "money" and str(S.Money(lower)) == shown:
        return S.Money(lower)
    return shown


def _spec_of(op: Operand) -> F.FieldSpec | None:
    if op.scope == "item":
        for item in F.ITEMS.values():
            if op.a[0] in item.facts:
                return item.facts[op.a[0]]
        return None
    return F.INDICATORS.get(op.a[0])


def _unit_label(spec: F.FieldSpec) -> str:
    if spec.kind == "ratio":
        return "%"
    return spec.unit_label


# --------------------------------------------------------------------------- missing inputs


def _indicator_need(c: _Ctx, name: str, offset: int) -> InputNeed:
    if c.item is not None:
        kind_code, key, label = c.item
        spec = F.ITEMS[kind_code].facts[name]
        return InputNeed("item", f"{kind_code}.{name}", f"{label}的{spec.label}", spec.kind, _unit_label(spec),
                         None, spec.choices, key,
                         message=_with_unit(S.Step(S.NEED_ITEM_FACT, item=label, fact=spec.label),
                                            _unit_label(spec)))
    spec = F.INDICATORS[name]
    year = c.ev.year + offset
    unit = _unit_label(spec)
    return InputNeed("indicator", name, f"{year}年度{spec.label}", spec.kind, unit, year, spec.choices,
                     message=_with_unit(S.Step(S.NEED_YEAR, year=year, label=spec.label), unit))


def _with_unit(step: S.Step, unit: str) -> S.Step:
    return S.Step(S.WITH_UNIT, text=step, unit=unit) if unit else step


def _atom_needs(c: _Ctx, a: Atom) -> tuple[InputNeed, ...]:
    """The inputs an unknown atom lacks."""
    if a.items is not None:
        lines = _item_lines(c, a.items)
        return tuple(n for line in lines for n in line.needs)
    if a.qual is not None:
        spec = F.QUALIFICATIONS[a.qual.code]
        if not c.pop.tags_known[0]:
            what = S.Step(S.QUAL_STATUS)
        else:
            what = S.Step(S.QUAL_DATE if a.op in ("newly", "upgraded") or a.op in (
                "in_policy_year", "within_years", "between", "before", "on_or_after") else S.QUAL_FIRST)
        return (InputNeed("qualification", spec.code, f"{spec.label}{what}", "qualification", "", None,
                          tuple(lv.name for lv in spec.levels),
                          message=S.Step(S.NEED_QUALIFICATION, label=spec.label, what=what)),)
    if a.operand is not None:
        op = a.operand
        out = []
        if a.first_time:
            start = int(c.ev.first_time_window()[0])
            name, offset = op.a
            for y in range(start, c.pop.year + offset + 1):
                if c.column(name, y - c.pop.year) is None:
                    out.append(_indicator_need(c, name, y - c.pop.year))
            return tuple(out)
        for name, offset in op.inputs():
            if c.column(name, offset) is None:
                out.append(_indicator_need(c, name, offset))
        return tuple(out)
    spec = F.ATTRIBUTES.get(a.field)
    if spec is None or c.item is not None:
        if c.item is not None:
            return (_indicator_need(c, a.field, 0),)
        return ()
    return (InputNeed("attribute", a.field, spec.label, spec.kind, "", None, spec.choices,
                      message=S.Step(S.NEED_ATTRIBUTE, label=spec.label)),)


# --------------------------------------------------------------------------- checks


def _check(c: _Ctx, atom: Atom) -> ConditionCheck:
    passed = c.state(atom)
    if atom.items is not None:
        return _items_check(c, atom, passed)
    if atom.qual is not None:
        return _qual_check(c, atom, passed)
    year = None
    if atom.operand is not None:
        value = c.operand(atom.operand)
        shown = None if value is None else _fmt(atom.operand, value)
        if atom.operand.kind == "value" and c.item is None:
            year = c.pop.year + atom.operand.a[1]
    else:
        value = None
        shown = _attribute_display(c, atom.field)
    if passed is None:
        needs = _atom_needs(c, atom)
        what = "、".join(n.label for n in needs) or atom.label
        msg = f"缺少数据:{what}"
        if atom.operand is not None and atom.operand.kind in ("growth", "share") and not needs:
            msg = f"{atom.label}无法计算:基数不大于零"
        return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, None, 1.0, None, msg,
                              atom.location, atom.word, year, needs)
    if atom.first_time and atom.operand is not None:
        return _first_time_check(c, atom, value, shown, year)
    gap_text = None
    rel = 1.0
    kind = atom.operand.unit_kind if atom.operand is not None else ""
    if atom.operand is not None and value is not None and atom.op in _NEED_WORDS and kind in F.SCALE:
        threshold = Fraction(atom.value)  # type: ignore[arg-type]
        gap = threshold - value if atom.op in ("gt", "ge") else value - threshold
        if atom.op in ("eq", "ne"):
            gap = abs(value - threshold)
        gap_text = fmt_scaled(gap, kind, atom.operand.unit)
        if kind == "ratio":
            gap_text = gap_text[:-1] + "个百分点"
        rel = float(abs(gap) / abs(threshold)) if threshold != 0 else 1.0
        need = _NEED_WORDS[atom.op]
        if atom.op in ("gt", "ge"):
            msg = (f"{atom.label}恰为{atom.display},需{need}{atom.display}" if gap == 0
                   else f"{atom.label}还差{gap_text}(当前{shown},需{need}{atom.display})")
        elif atom.op in ("lt", "le"):
            msg = (f"{atom.label}恰为{atom.display},需{need}{atom.display}" if gap == 0
                   else f"{atom.label}超出{gap_text}(当前{shown},需{need}{atom.display})")
        else:
            msg = f"{atom.label}为{shown},需{need}{atom.display}"
    elif atom.operand is not None and kind == "level" and atom.op in _NEED_WORDS:
        msg = f"{atom.label}为{shown},需{_NEED_WORDS[atom.op]}{atom.display}"
        steps = abs(int(Fraction(atom.value)) - int(value)) if value is not None else 1  # type: ignore[arg-type]
        gap_text = f"{steps}级"
    elif atom.op == "is":
        msg = f"{atom.label}:{shown},需为{atom.display}"
    elif atom.op in ("in_policy_year", "before", "on_or_after", "within_years", "between"):
        msg = f"{atom.label}为{shown},需{atom.display}"
    elif atom.op in ("prefix", "not_prefix"):
        msg = f"{atom.label}为{shown},需{'属于' if atom.op == 'prefix' else '不属于'}{atom.display}"
    else:
        msg = f"{atom.label}为{shown},需{'属于' if atom.op == 'in' else '不属于'}{atom.display}"
    money: tuple[str, ...] = ()
    if kind == "money" and gap_text is not None and value is not None:
        money = (str(value), str(threshold), str(gap))
    return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, gap_text, rel, False, msg,
                          atom.location, atom.word, year, money=money)


def _cmp(value: Fraction, op: str, threshold: object) -> bool:
    t = Fraction(threshold)  # type: ignore[arg-type]
    return {"gt": value > t, "ge": value >= t, "lt": value < t, "le": value <= t,
            "eq": value == t, "ne": value != t}[op]


def _first_time_check(c: _Ctx, atom: Atom, value, shown, year) -> ConditionCheck:
    """Why "first time on record" fails: not met this year, or met in an earlier year."""
    op = atom.operand
    assert op is not None
    name, offset = op.a
    word = f"{atom.word}{atom.display}"

    def check(msg: str) -> ConditionCheck:
        return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, None, 1.0, False, msg,
                              atom.location, atom.word, year)

    if value is not None and not _cmp(value, atom.op, atom.value):
        return check(f"{atom.label}为{shown},需首次{word}")
    scale = F.SCALE["ratio"] if op.unit_kind == "ratio" else 1
    for y in range(int(c.ev.first_time_window()[0]), c.pop.year + offset):
        earlier = c.column(name, y - c.pop.year)
        if earlier is not None and _cmp(earlier / scale, atom.op, atom.value):
            return check(f"{F.INDICATORS[name].label}{y}年已{word}({_fmt(op, earlier / scale)}),"
                         f"{c.pop.year + offset}年不是首次")
    return check(f"{atom.label}需首次{word}")


def _qual_rows_of(c: _Ctx, code: str) -> list[dict[str, Any]]:
    table = c.pop.tables.get(QUALIFICATIONS)
    if table is None or code not in table.cat["type"].labels:
        return []
    k = table.cat["type"].labels.index(code)
    out = []
    for r in np.flatnonzero((table.cat["type"].codes == k) & (table.owner == 0)).tolist():
        out.append({"level": int(table.num["level"][r]),
                    "certified": from_day_number(int(table.num["certified"][r])) if table.present["certified"][r] else None,
                    "first": int(table.num["first"][r])})
    return out


def _qual_display(c: _Ctx, code: str) -> str | None:
    if not c.pop.tags_known[0]:
        return None
    spec = F.QUALIFICATIONS[code]
    q = c.ev.qual_rows(code)
    held = sorted({int(lv) for lv in q["level"][q["in_force"]].tolist()})
    if not held:
        return "未持有"
    if not spec.levels:
        return "持有"
    return "、".join(spec.levels[lv].name for lv in held)


def _qual_check(c: _Ctx, atom: Atom, passed: bool | None) -> ConditionCheck:
    ref = atom.qual
    assert ref is not None
    spec = F.QUALIFICATIONS[ref.code]
    shown = _qual_display(c, ref.code)
    if passed is None:
        needs = _atom_needs(c, atom)
        msg = f"缺少数据:{'、'.join(n.label for n in needs)}"
        return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, None, 1.0, None, msg,
                              atom.location, atom.word, None, needs)
    rows = _qual_rows_of(c, ref.code)
    dated = [r["certified"].isoformat() for r in rows if r["certified"] is not None]
    when = f"(认定日期 {'、'.join(dated)})" if dated else ""
    op = atom.op
    if op == "held":
        msg = f"需持有{atom.display}" + (f"(当前:{shown})" if shown not in (None, "未持有") else "")
    elif op == "not_held":
        msg = f"存在排除情形:{atom.display}"
    elif op == "newly":
        msg = f"{atom.display}需为{c.pop.year}年新认定{when}"
    elif op == "first":
        msg = f"{atom.display}需为{c.ev.year}年首次认定{when}"
    elif op == "renewed":
        msg = f"{atom.display}需为{c.ev.year}年重新认定{when}"
    elif op == "upgraded":
        msg = f"{spec.label}需在{c.pop.year}年晋级至{atom.display}(当前:{shown or '未持有'})"
    else:
        msg = f"需{atom.display}{when}"
    return ConditionCheck(atom.field, atom.label, op, shown, atom.display, None, 1.0, False, msg, atom.location,
                          atom.word)


def _items_check(c: _Ctx, atom: Atom, passed: bool | None) -> ConditionCheck:
    ref = atom.items
    assert ref is not None
    r = c.ev.items(ref)
    count, pending = int(r.count[0]), int(r.pending[0])
    shown = f"{count}项"
    if passed is None:
        needs = _atom_needs(c, atom)
        msg = f"{ref.label}已计{count}项,另有{pending}项缺少数据:{'、'.join(n.label for n in needs)}"
        return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, None, 1.0, None, msg,
                              atom.location, atom.word, None, needs)
    need = int(Fraction(atom.value))  # type: ignore[arg-type]
    gap = max(need - count, 0)
    msg = f"{ref.label}为{count}项,需{atom.word}{atom.display}"
    return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, f"{gap}项" if gap else None,
                          float(gap / need) if need else 1.0, False, msg, atom.location, atom.word)


def _attribute_display(c: _Ctx, name: str) -> str | None:
    pop = c.pop
    if name in pop.category:
        col = pop.category[name]
        code = int(col.codes[0])
        if code < 0:
            return None
        spec = F.ATTRIBUTES.get(name)
        if spec is not None and spec.kind == "code":
            return F.code_display(name, col.labels[code])
        return F.CATEGORY_LABELS.get(col.labels[code], col.labels[code])
    if name in getattr(pop, "date", {}):
        day = int(pop.date[name][0])
        return None if day == MISSING_DAY else from_day_number(day).isoformat()
    texts = getattr(pop, "text", None) or {}
    if name in texts:
        return str(texts[name][0]) or None
    if name == "credit_code":
        return str(pop.credit_code[0])
    if name == "name":
        return str(pop.name[0])
    return None


# --------------------------------------------------------------------------- routes


def _key(checks: list[ConditionCheck]) -> tuple[int, float]:
    return len(checks), sum(c.relative_gap for c in checks)


def _label_of(node: Condition) -> str:
    """A condition's short name (a route of an 「或」, a case): a step, so a page words it."""
    if isinstance(node, Atom):
        if node.qual is not None:
            if node.op in _DATE_OPS:
                return node.display
            return S.Step(S.ROUTE_QUAL, word=S.Word(node.word if node.op != "held" else "持有"),
                          value=node.display)
        if node.op in _DATE_OPS:
            return S.Step(S.ROUTE_VALUE, label=node.label, value=node.display)
        if node.op == "known":
            return S.Step(S.ROUTE_KNOWN, label=node.label)
        if node.word in ("以上", "及以上", "以下", "及以下"):
            return S.Step(S.ROUTE_BOUND, label=node.label, value=node.display, word=S.Word(node.word))
        if node.word in ("in", "is", "prefix"):
            return S.Step(S.ROUTE_VALUE, label=node.label, value=node.display)
        return S.Step(S.ROUTE_COMPARE, label=node.label, word=S.Word(node.word), value=node.display)
    if isinstance(node, All):
        parts = S.Seq((_label_of(i) for i in node.items[:3]), S.ROUTE_AND)
        return S.Step(S.ROUTE_PARTS_MORE if len(node.items) > 3 else S.ROUTE_PARTS, parts=parts)
    if isinstance(node, AnyOf):
        return S.Step(S.ROUTE_PARTS, parts=S.Seq((_label_of(i) for i in node.items[:3]), S.ROUTE_OR))
    if isinstance(node, Not):
        return S.Step(S.ROUTE_NOT, label=_label_of(node.item))
    if isinstance(node, Implies):
        return _label_of(node.then)
    if isinstance(node, FirstTime):
        return node.label
    return _label_of(node.item)


def _first_time_misses(c: _Ctx, node: FirstTime, choices: list[Choice]) -> list[ConditionCheck]:
    """Why "首次" fails: the condition does not hold now, or it held in an earlier year, or an
    earlier year cannot be decided (the years' data to supply)."""
    if c.state(node.item) is not True:
        return _misses(c, node.item, choices)
    start = int(c.ev.first_time_window()[0])
    unknown: list[ConditionCheck] = []
    for y in range(start, c.ev.year):
        sub = c.ev.shifted(c.ev.year - y)
        sc = _Ctx(sub, {})
        state = sc.state(node.item)
        if state is True:
            return [ConditionCheck("first_time", node.label, "first_time", str(y), node.label, None, 1.0, False,
                                   f"{y}年已满足「{_label_of(node.item)}」,{c.ev.year}年不是首次", node.location)]
        if state is None:
            unknown.extend(ch for ch in _misses(sc, node.item, []) if ch.passed is None)
    needs = tuple({n.key: n for ch in unknown for n in ch.needs}.values())
    return [ConditionCheck("first_time", node.label, "first_time", None, node.label, None, 1.0, None,
                           "缺少以前年度数据,无法判断是否首次:" + "、".join(n.label for n in needs), node.location,
                           "", None, needs)]


def _misses(c: _Ctx, node: Condition, choices: list[Choice]) -> list[ConditionCheck]:
    state = c.state(node)
    if state is True:
        return []
    if isinstance(node, Atom):
        return [_check(c, node)]
    if isinstance(node, All):
        out: list[ConditionCheck] = []
        for item in node.items:
            out.extend(_misses(c, item, choices))
        return out
    if isinstance(node, AnyOf):
        nested: list[Choice] = []
        options = []
        for k, item in enumerate(node.items):
            checks = _misses(c, item, nested)
            s = c.state(item)
            options.append((_key(checks), k, item, checks, "passed" if s else ("failed" if s is False else "unknown")))
        options.sort(key=lambda o: (o[0], o[1]))
        best = options[0][0]
        routes = tuple(Route(_label_of(item), st, tuple(checks), key, tied=key == best and len(options) > 1
                             and sum(1 for o in options if o[0] == best) > 1)
                       for key, _k, item, checks, st in options)
        choices.append(Choice(S.Step(S.CHOICE_ANY), _location(node), routes))
        choices.extend(nested)
        out = []
        for key, _k, _item, checks, _st in options:
            if key == best:
                out.extend(ch for ch in checks if ch not in out)
        return out
    if isinstance(node, Implies):
        return _misses(c, node.then, choices)
    if isinstance(node, FirstTime):
        return _first_time_misses(c, node, choices)
    if isinstance(node, Decided):
        return [ch for ch in _misses(c, node.item, choices) if ch.passed is None]
    # Not: the excluded situation holds (or cannot be ruled out)
    inner = c.state(node.item)
    if inner is None:
        unknown = [ch for ch in _misses(c, node.item, []) if ch.passed is None]
        needs = tuple(n for ch in unknown for n in ch.needs)
        return [ConditionCheck("not", "排除条件", "not", None, _label_of(node.item), None, 1.0, None,
                               f"缺少数据,无法排除:{_label_of(node.item)}", _location(node.item), "", None, needs)]
    if isinstance(node.item, Atom):
        item = node.item
        shown = _attribute_display(c, item.field) if item.operand is None else None
        if item.operand is not None:
            value = c.operand(item.operand)
            shown = None if value is None else _fmt(item.operand, value)
        msg = f"{item.label}为{shown},属于排除情形({item.display})"
    else:
        msg = f"存在排除情形:{_label_of(node.item)}"
    return [ConditionCheck("not", "排除条件", "not", None, _label_of(node.item), None, 1.0, False, msg,
                           _location(node.item))]


def _location(node: Condition) -> str:
    if isinstance(node, Atom):
        return node.location
    if isinstance(node, (All, AnyOf)):
        return _location(node.items[0]).rsplit(".", 1)[0] if node.items else ""
    if isinstance(node, Implies):
        return _location(node.then)
    if isinstance(node, FirstTime):
        return node.location
    return _location(node.item)


def _unknown_atoms(c: _Ctx, node: Condition) -> list[Atom]:
    if isinstance(node, Atom):
        return [node] if c.state(node) is None else []
    if isinstance(node, (All, AnyOf)):
        return [a for i in node.items for a in _unknown_atoms(c, i)]
    if isinstance(node, Implies):
        return _unknown_atoms(c, node.if_) + _unknown_atoms(c, node.then)
    if isinstance(node, FirstTime):
        return [] if c.state(node) is not None else _unknown_atoms(c, node.item)
    return _unknown_atoms(c, node.item)


def _needs(c: _Ctx, condition: Condition, required_ok: bool) -> list[InputNeed]:
    """The missing inputs of a clause, each marked decisive when supplying it (with a value that
    passes) would make the conditions hold with every other fact as it is."""
    atoms = _unknown_atoms(c, condition)
    by_atom: dict[int, tuple[InputNeed, ...]] = {id(a): _atom_needs(c, a) for a in atoms}
    needs: dict[tuple, InputNeed] = {}
    for a in atoms:
        for n in by_atom[id(a)]:
            needs.setdefault(n.key, n)
    out = []
    for key, need in needs.items():
        forced = set()
        for a in atoms:
            keys = {n.key for n in by_atom[id(a)]}
            if keys and (keys <= {key} or (a.items is not None and _item_forced(c, a, key))):
                forced.add(id(a))
        decisive = required_ok and c.state(condition, forced) is True
        out.append(InputNeed(**{**need.__dict__, "decisive": decisive}))
    out.sort(key=lambda n: not n.decisive)
    return out


def _item_forced(c: _Ctx, a: Atom, key: tuple) -> bool:
    for line in _item_lines(c, a.items):  # type: ignore[arg-type]
        keys = {n.key for n in line.needs}
        if keys == {key}:
            return True
    return False


# --------------------------------------------------------------------------- formulas


def _steps(c: _Ctx, node: Formula, steps: list[str]) -> int:
    if isinstance(node, Fixed):
        steps.append(S.Step(S.FIXED, amount=S.Money(node.amount_fen)))
        return node.amount_fen
    if isinstance(node, Multiply):
        base = c.operand(node.base)
        if base is None:
            steps.append(S.Step(S.OPTIONAL_ZERO, label=node.base.label))
            return 0
        _operand_steps(c, node.base, steps)
        clamped = max(base, Fraction(0))
        exact = clamped * node.factor
        amount = int((exact + Fraction(1, 2)) // 1)
        shown_base: Any = _fmt_p(node.base, base)
        if base < 0:
            shown_base = S.Step(S.NEGATIVE_AS_ZERO, value=shown_base)
        steps.append(S.Step(S.MULTIPLY if exact == amount else S.MULTIPLY_ROUNDED, label=node.base.label,
                            base=shown_base, factor=node.factor_text, amount=S.Money(amount)))
        return amount
    if isinstance(node, Tiers):
        base = c.operand(node.base)
        _operand_steps(c, node.base, steps)
        amount, reached = 0, None
        for lower, bracket_amount, shown in node.brackets:
            if base is not None and base >= lower:
                amount, reached = bracket_amount, _bound(node.base, lower, shown)
        shown_base = S.Step(S.MISSING) if base is None else _fmt_p(node.base, base)
        if reached is None:
            steps.append(S.Step(S.TIER_NONE, label=node.base.label, base=shown_base,
                                lowest=_bound(node.base, *node.brackets[0][::2])))
        else:
            steps.append(S.Step(S.TIER_REACHED, label=node.base.label, base=shown_base, tier=reached,
                                amount=S.Money(amount)))
        return amount
    if isinstance(node, Cases):
        for cond, formula in node.cases:
            if c.state(cond) is True:
                steps.append(S.Step(S.CASE, case=_label_of(cond)))
                return _steps(c, formula, steps)
        steps.append(S.Step(S.NO_CASE))
        return 0
    if isinstance(node, Sum):
        parts = [_steps(c, f, steps) for f in node.items]
        total = sum(parts)
        steps.append(S.Step(S.SUM, parts=S.Seq((S.Money(p) for p in parts), " + "), total=S.Money(total)))
        return total
    if isinstance(node, Items):
        lines = _item_lines(c, node.ref)
        counted = [ln for ln in lines if ln.included]
        total = sum(int(ln.amount * 100) for ln in counted)
        parts: Any = S.Seq((S.Money(int(ln.amount * 100)) for ln in counted), " + ") if counted else S.Money(0)
        left = len(lines) - len(counted)
        steps.append(S.Step(S.ITEMS_LEFT_OUT if left else S.ITEMS, label=node.label, count=len(counted),
                            parts=parts, total=S.Money(total), **({"left": left} if left else {})))
        return total
    assert isinstance(node, Cap)
    amount = _steps(c, node.inner, steps)
    if node.limit_fen is not None:
        if amount > node.limit_fen:
            steps.append(S.Step(S.CAPPED, label=node.label, limit=S.Money(node.limit_fen), amount=S.Money(amount)))
            amount = node.limit_fen
        else:
            steps.append(S.Step(S.NOT_ABOVE, label=node.label, limit=S.Money(node.limit_fen)))
    if node.limit_ref is not None:
        bound = c.operand(node.limit_ref)
        bound_fen = int(max(bound, Fraction(0))) if bound is not None else 0
        if amount > bound_fen:
            steps.append(S.Step(S.CAPPED_TO, label=node.limit_ref.label, limit=S.Money(bound_fen), amount=S.Money(amount)))
            amount = bound_fen
        else:
            steps.append(S.Step(S.NOT_ABOVE, label=node.limit_ref.label, limit=S.Money(bound_fen)))
    return amount


def _operand_steps(c: _Ctx, op: Operand, steps: list[str]) -> None:
    """Show how a derived value is computed: 「X较上年增量 = 2024年X a − 2023年 b = c」, sums."""
    if op.kind == "increase":
        now, before = c.column(*op.a), c.column(*op.b)  # type: ignore[misc]
        if now is not None and before is not None:
            label = F.INDICATORS[op.a[0]].label
            steps.append(S.Step(S.INCREASE, label=op.label, year=c.pop.year, indicator=label,
                                now=_fmt_p(op, now), prev=c.pop.year - 1, before=_fmt_p(op, before),
                                diff=_fmt_p(op, now - before)))
    elif op.kind in ("sum", "avg"):
        name, offset = op.a
        parts = [(c.pop.year + offset - k, c.column(name, offset - k)) for k in reversed(range(op.window))]
        if all(v is not None for _y, v in parts):
            total = sum((v for _y, v in parts), Fraction(0))  # type: ignore[misc]
            text = S.Seq((S.Step(S.YEAR_VALUE, year=y, value=_fmt_p(op, v)) for y, v in parts), " + ")  # type: ignore[arg-type]
            if op.kind == "sum":
                steps.append(S.Step(S.WINDOW_SUM, label=op.label, parts=text, total=_fmt_p(op, total)))
            else:
                steps.append(S.Step(S.WINDOW_AVG, label=op.label, parts=text, n=op.window,
                                    avg=_fmt_p(op, total / op.window)))


# --------------------------------------------------------------------------- items


def _item_lines(c: _Ctx, ref) -> list[ItemLine]:
    cache = c.__dict__.setdefault("_item_cache", {})
    if id(ref) in cache:
        return cache[id(ref)]
    r = c.ev.items(ref)
    frame = r.frame
    spec = F.ITEMS[ref.kind]
    lines = []
    table = c.pop.tables.get(f"items:{ref.kind}")
    for k in range(frame.size):
        if int(frame.owner[k]) != 0:
            continue
        key = str(frame.text["key"][k])
        label = str(frame.text["label"][k]) or key
        one = ItemFrame.from_rows(c.pop.year, table, frame.rows[k:k + 1])  # type: ignore[arg-type]
        sub = _Evaluator(one, trace=True)
        ic = _Ctx(sub, sub.trace or {}, (ref.kind, key, f"{spec.label}「{label}」"))
        amount = int(r.values[k])
        steps: list[str] = []
        reason = ""
        needs: tuple[InputNeed, ...] = ()
        if r.counted[k]:
            if ref.each is not None:
                _steps(ic, ref.each, steps)
        elif r.undecided[k]:
            unknown = []
            for node in (ref.where, ref.needs):
                if node is not None:
                    unknown += [ch for ch in _misses(ic, node, []) if ch.passed is None]
            needs = tuple({n.key: n for ch in unknown for n in ch.needs}.values())
            reason = S.Step(S.ITEM_MISSING, facts=S.Seq(n.label for n in needs))
        else:
            failing = _misses(ic, ref.where, []) if ref.where is not None else []
            reason = S.Step(S.ITEM_FAILS, reasons=S.Seq((S.Said(ch, c.ev.year) for ch in failing), ";"))
        lines.append(ItemLine(ref.kind, key, label, bool(r.counted[k]), fen_to_yuan(amount), tuple(steps), reason, needs))
    cache[id(ref)] = lines
    return lines


def _items_nodes(node: Formula) -> list[Items]:
    if isinstance(node, Items):
        return [node]
    if isinstance(node, Cap):
        return _items_nodes(node.inner)
    if isinstance(node, Sum):
        return [i for f in node.items for i in _items_nodes(f)]
    if isinstance(node, Cases):
        return [i for _, f in node.cases for i in _items_nodes(f)]
    return []


# --------------------------------------------------------------------------- levels


def _split(node: Formula) -> Tiers | Cases | None:
    if isinstance(node, (Tiers, Cases)):
        return node
    if isinstance(node, Cap):
        return _split(node.inner)
    if isinstance(node, Sum):
        for f in node.items:
            found = _split(f)
            if found is not None:
                return found
    return None


def _case_amount(c: _Ctx, formula: Formula) -> Decimal | None:
    for op in _operands(formula):
        if c.operand(op) is None and not _optional_base(formula, op):
            return None
    if _items_nodes(formula):
        return None
    return fen_to_yuan(max(int(c.ev.formula(formula)[0]), 0))


def _optional_base(formula: Formula, op: Operand) -> bool:
    if isinstance(formula, (Multiply, Tiers)):
        return formula.base is op and formula.optional
    if isinstance(formula, Cap):
        return _optional_base(formula.inner, op)
    if isinstance(formula, Sum):
        return any(_optional_base(f, op) for f in formula.items)
    return False


def _operands(formula: Formula) -> list[Operand]:
    if isinstance(formula, (Multiply, Tiers)):
        return [formula.base]
    if isinstance(formula, Cases):
        return [op for _, f in formula.cases for op in _operands(f)]
    if isinstance(formula, Sum):
        return [op for f in formula.items for op in _operands(f)]
    if isinstance(formula, Cap):
        return _operands(formula.inner) + ([formula.limit_ref] if formula.limit_ref else [])
    return []


def _level(c: _Ctx, formula: Formula) -> LevelInfo | None:
    split = _split(formula)
    if split is None:
        return None
    if isinstance(split, Tiers):
        base = c.operand(split.base)
        ladder = []
        for lower, amount, shown in split.brackets:
            reached = base is not None and base >= lower
            gap, gap_money = None, None
            if base is not None and not reached:
                gap = fmt_scaled(lower - base, split.base.unit_kind, split.base.unit)
                if split.base.unit_kind == "ratio":
                    gap = gap[:-1] + "个百分点"
                elif split.base.unit_kind == "money" and str(S.Money(lower - base)) == gap:
                    gap_money = S.Money(lower - base)
            ladder.append(Level(S.Step(S.TIER_LABEL, label=split.base.label, shown=_bound(split.base, lower, shown)),
                                fen_to_yuan(amount),
                                reached, gap, gap_money=gap_money))
        matched = next((lv for lv in reversed(ladder) if lv.reached), None)
        nxt = next((lv for lv in ladder if not lv.reached), None)
        value = None if base is None else _fmt(split.base, base)
        if matched and nxt:
            msg = S.Step(S.LEVEL_TIER_BETWEEN, matched=matched.label, amount=_amount_of(matched.amount),
                         gap=nxt.gap_money or nxt.gap, next=nxt.label, next_amount=_amount_of(nxt.amount))
        elif matched:
            msg = S.Step(S.LEVEL_TIER_TOP, matched=matched.label, amount=_amount_of(matched.amount))
        elif nxt and nxt.gap:
            msg = S.Step(S.LEVEL_TIER_BELOW, gap=nxt.gap_money or nxt.gap, next=nxt.label,
                         next_amount=_amount_of(nxt.amount))
        else:
            msg = S.Step(S.LEVEL_MISSING, label=split.base.label)
        return LevelInfo(split.base.label, value, tuple(ladder), matched, nxt, msg)
    ladder = []
    matched_k = None
    misses = []
    for k, (when, formula) in enumerate(split.cases):
        state = c.state(when)
        checks = tuple(_misses(c, when, [])) if state is not True else ()
        misses.append(checks)
        ladder.append(Level(_label_of(when), _case_amount(c, formula), state is True, None, checks))
        if state is True and matched_k is None:
            matched_k = k
    matched = ladder[matched_k] if matched_k is not None else None
    floor = matched.amount if matched is not None and matched.amount is not None else Decimal("-1")
    # the nearest level paying more; among equally near ones, the smallest step up
    candidates = [(_key(list(lv.checks)), lv.amount if lv.amount is not None else Decimal("Infinity"), k)
                  for k, lv in enumerate(ladder)
                  if k != matched_k and not lv.reached and (lv.amount is None or lv.amount > floor)]
    nxt = ladder[min(candidates)[2]] if candidates else None
    needs = S.Seq((S.Said(ch, c.ev.year) for ch in nxt.checks), ";") if nxt else None
    if matched and nxt:
        msg = S.Step(S.LEVEL_CASE_BETWEEN, matched=matched.label, amount=_amount_text(matched.amount),
                     next=nxt.label, next_amount=_amount_text(nxt.amount), needs=needs)
    elif matched:
        msg = S.Step(S.LEVEL_CASE_TOP, matched=matched.label, amount=_amount_text(matched.amount))
    elif nxt:
        msg = S.Step(S.LEVEL_CASE_NEAREST, next=nxt.label, next_amount=_amount_text(nxt.amount), needs=needs)
    else:
        msg = ""
    return LevelInfo("适用情形", None, tuple(ladder), matched, nxt, msg)


def _amount_of(amount: Decimal) -> S.Money:
    return S.Money(int(amount * 100))


def _amount_text(amount: Decimal | None) -> S.Money | S.Step:
    """A level's amount inside a step (``Money``), or 「视数据核定」 when data must decide it."""
    return S.Step(S.AMOUNT_OPEN) if amount is None else _amount_of(amount)


# --------------------------------------------------------------------------- one clause


def _payments(c: _Ctx, arr: ClauseArrays, registry: Registry) -> list[PaymentNote]:
    clause, policy, version = arr.clause, arr.policy, arr.version
    out = []
    table = c.pop.tables.get(PAYMENTS)

    def years_of(column: str, key: str, this_year: bool) -> tuple[int, ...]:
        if table is None or key not in table.cat[column].labels:
            return ()
        rows = (table.cat[column].codes == table.cat[column].labels.index(key)) & (table.owner == 0)
        ys = table.num["year"][rows]
        return tuple(sorted({int(y) for y in ys if (y == c.pop.year) == this_year}))

    if clause.once or clause.top_up:
        paid = int(c.ev.paid("family", clause.family, False)[0])
        if paid:
            years = years_of("family", clause.family, False)
            kind = S.Step(S.ONCE if clause.once else S.TOP_UP_KIND)
            out.append(PaymentNote("family", clause.title, fen_to_yuan(paid), years,
                                   S.Step(S.PAID_FAMILY, years=S.Seq(years), paid=S.Money(paid), kind=kind)))
    if version.cap_lifetime_fen is not None:
        paid = int(c.ev.paid("policy", policy.id, False)[0])
        if paid:
            years = years_of("policy", policy.id, False)
            out.append(PaymentNote("policy", policy.title, fen_to_yuan(paid), years,
                                   S.Step(S.PAID_POLICY, years=S.Seq(years), paid=S.Money(paid),
                                          cap=S.Money(version.cap_lifetime_fen))))
    if clause.exclusive:
        for family in registry.exclusive_families(clause.exclusive):
            if family == clause.family:
                continue
            paid = int(c.ev.paid("family", family, True)[0])
            if paid:
                out.append(PaymentNote("exclusive", family, fen_to_yuan(paid), (c.pop.year,),
                                       S.Step(S.PAID_EXCLUSIVE, year=c.pop.year, paid=S.Money(paid))))
    return out


def _clause_answer(c: _Ctx, arr: ClauseArrays, by_id: dict[str, ClauseArrays], all_arrays: list[ClauseArrays],
                   registry: Registry) -> ClauseAnswer:
    clause, version, policy = arr.clause, arr.version, arr.policy
    eligible = bool(arr.eligible[0])
    gross = int(arr.gross_fen[0])
    payable = int(arr.amount_fen[0])
    steps: list[str] = []
    misses: list[ConditionCheck] = []
    choices: list[Choice] = []
    needs: list[InputNeed] = []
    payments = _payments(c, arr, registry)
    level = _level(c, clause.formula)
    items = tuple(line for node in _items_nodes(clause.formula) for line in _item_lines(c, node.ref))
    status = "payable"
    if eligible:
        computed = _steps(c, clause.formula, steps)
        assert max(computed, 0) == gross, (clause.id, computed, gross)
        ledger = int(arr.after_ledger[0]) if arr.after_ledger is not None else gross
        grouped = int(arr.after_group[0]) if arr.after_group is not None else ledger
        capped = int(arr.after_cap[0]) if arr.after_cap is not None else grouped
        lifetime = int(arr.after_lifetime[0]) if arr.after_lifetime is not None else capped
        if ledger < gross:
            paid = gross - ledger if clause.top_up else int(c.ev.paid("family", clause.family, False)[0])
            years = payments[0].years if payments else ()
            if clause.once:
                steps.append(S.Step(S.ONCE_PAID, years=S.Seq(years), paid=S.Money(paid)))
            else:
                steps.append(S.Step(S.TOP_UP, gross=S.Money(gross),
                                    paid=S.Money(int(c.ev.paid("family", clause.family, False)[0])),
                                    amount=S.Money(ledger)))
        if grouped < ledger:
            group = version.groups.get(clause.group or "")
            winners = [o.clause.title for o in by_id.values()
                       if o.version is version and o.clause.group == (group.id if group else None)
                       and o.clause.id != clause.id and int(o.after_group[0] if o.after_group is not None else 0) > 0]
            rule = S.Step(S.GROUP_HIGHEST if group is not None and group.rule == "highest" else S.GROUP_PRIORITY)
            steps.append(S.Step(S.GROUP, rule=rule, group=group.label if group else "",
                                winners=S.Seq(winners) if winners else S.Step(S.OTHER_CLAUSES)))
        if capped < grouped:
            steps.append(S.Step(S.YEAR_CAP, cap=S.Money(version.cap_per_enterprise_fen or 0), amount=S.Money(capped)))
        if lifetime < capped:
            paid = int(c.ev.paid("policy", policy.id, False)[0])
            steps.append(S.Step(S.LIFETIME_CAP, cap=S.Money(version.cap_lifetime_fen or 0), paid=S.Money(paid),
                                amount=S.Money(lifetime)))
        if payable != lifetime or (clause.exclusive and arr.exclusive_tie is not None and bool(arr.exclusive_tie[0])):
            rivals = [o for o in all_arrays if o.clause.exclusive == clause.exclusive and o is not arr]
            if payable == 0 and lifetime > 0:
                winner = next((o for o in rivals if int(o.amount_fen[0]) > 0), None)
                name = (S.Step(S.EXCLUSIVE_NAME, policy=winner.policy.title, clause=winner.clause.title)
                        if winner else S.Step(S.SAME_KIND))
                steps.append(S.Step(S.EXCLUSIVE_LOST, name=name))
            elif payable < lifetime:
                steps.append(S.Step(S.EXCLUSIVE_TOP_UP, paid=S.Money(lifetime - payable), amount=S.Money(payable)))
            if arr.exclusive_tie is not None and bool(arr.exclusive_tie[0]):
                steps.append(S.Step(S.EXCLUSIVE_TIE))
        split = split_by_shares(payable, version.shares)
        if len(split) > 1 and payable > 0:
            parts = S.Seq(S.Step(S.SHARE, level=lvl, amount=S.Money(f)) for lvl, f in split)
            ratio = "∶".join(str(s) for _, s in version.shares)
            steps.append(S.Step(S.PAYABLE_SHARED, amount=S.Money(payable), ratio=ratio, parts=parts))
        else:
            steps.append(S.Step(S.PAYABLE, amount=S.Money(payable)))
        if payable > 0:
            status = "payable"
        elif gross == 0:
            status = "zero"
        elif ledger == 0:
            status = "already_paid"
        elif grouped == 0:
            status = "stacked_out"
        elif capped == 0:
            status = "capped"
        elif lifetime == 0:
            status = "already_paid"
        else:
            status = "stacked_out"
    else:
        seen: set[tuple[str, str]] = set()
        for miss in _misses(c, clause.condition, choices):
            if (miss.field, miss.message) not in seen:  # a datum can be needed twice
                seen.add((miss.field, miss.message))
                misses.append(miss)
        required_ok = True
        for r in clause.requires:
            if not bool(by_id[r].eligible[0]):
                required_ok = False
                title = by_id[r].clause.title
                misses.append(ConditionCheck("requires", title, "requires", None, title, None, 1.0, False,
                                             f"需先符合「{title}」", clause.location))
        state = c.state(clause.condition)
        needs = _needs(c, clause.condition, required_ok)
        status = "undecided" if state is None and required_ok else "not_eligible"
    if eligible:  # facts an item lacks: supplying them could raise the amount
        needs = list({n.key: InputNeed(**{**n.__dict__, "decisive": False})
                      for line in items for n in line.needs}.values())
    summary = _summary(status, payable, misses, needs, payments, choices, c.ev.year)
    return ClauseAnswer(
        policy_id=policy.id,
        policy_title=policy.title,
        doc_number=version.doc_number,
        clause_id=clause.id,
        clause_title=clause.title,
        text=clause.text,
        lane=version.lane,
        eligible=eligible,
        amount=fen_to_yuan(payable),
        gross=fen_to_yuan(gross),
        steps=tuple(steps),
        shares=tuple((lvl, fen_to_yuan(f)) for lvl, f in split_by_shares(payable, version.shares)),
        misses=tuple(misses),
        nearness=_key(misses),
        status=status,
        choices=tuple(choices),
        level=level,
        needs=tuple(needs),
        items=items,
        payments=tuple(payments),
        family=clause.family,
        summary=summary,
        article=clause.article,
    )


def _summary(status: str, payable: int, misses, needs, payments, choices, year: int) -> str:
    if status == "payable":
        return S.Step(S.SUMMARY_PAYABLE, amount=S.Money(payable))
    if status == "already_paid":
        return payments[0].message if payments else S.Step(S.SUMMARY_PAID)
    if status == "stacked_out":
        return S.Step(S.SUMMARY_STACKED)
    if status == "capped":
        return S.Step(S.SUMMARY_CAPPED)
    if status == "zero":
        return S.Step(S.SUMMARY_ZERO)
    if status == "undecided":
        decisive = [n for n in needs if n.decisive]
        if decisive:
            return S.Step(S.SUMMARY_DECISIVE, label=decisive[0].label)
        return S.Step(S.ITEM_MISSING, facts=S.Seq(n.label for n in needs[:3]))
    if choices and any(ch.tie for ch in choices):
        return S.Step(S.SUMMARY_ANY, routes=S.Seq((r.label for r in choices[0].routes if r.tied), " 或 "))
    return S.Step(S.SUMMARY_NOT, reason=S.Said(misses[0], year) if misses else "")


def _dates(registry: Registry, year: int, policy_ids: set[str] | None) -> list[PolicyDates]:
    out = []
    for policy in registry.policies:
        if policy_ids is not None and policy.id not in policy_ids:
            continue
        why = policy.dates_for_year(year)
        if why is None:
            continue
        state, day = why
        version = next((v for v in policy.versions if v.effective_from == day or v.effective_to == day), policy.versions[-1])
        if state == "expired":
            message = f"已于{day.isoformat()}失效"
        elif state == "not_yet":
            message = f"{day.isoformat()}起施行"
        else:
            message = f"{year}年度无有效版本,新版本{day.isoformat()}起施行"
        out.append(PolicyDates(policy.id, policy.title, state, day, version.doc_number, message))
    return out


def explain_population_row(registry: Registry, population: Population, *, policy_ids: set[str] | None = None) -> EnterpriseAnswer:
    """Explain a population of exactly one enterprise (see :func:`explain`); use it when the
    caller already holds a :class:`Population`, e.g. ``population.take([i])``.

    Examples:
        >>> from innolink.engines.rules import load_registry, population_from_records
        >>> pop = population_from_records([{"credit_code": "A", "tags": []}], 2024)
        >>> answer = explain_population_row(load_registry(), pop, policy_ids={"p10_specialized_sme"})
        >>> [m.message for m in answer.not_eligible[0].misses]
        ['需持有国家级专精特新“小巨人”企业']
    """
    assert population.size == 1, "explain one enterprise at a time"
    arrays, trace = evaluate_population(registry, population, trace=True, policy_ids=policy_ids)
    assert isinstance(trace, Trace)
    c = _Ctx(trace.evaluator, trace.atoms)
    answers = []
    by_version: dict[int, dict[str, ClauseArrays]] = {}
    for arr in arrays:
        by_version.setdefault(id(arr.version), {})[arr.clause.id] = arr
    for arr in arrays:
        answers.append(_clause_answer(c, arr, by_version[id(arr.version)], arrays, registry))
    order = {id(a): k for k, a in enumerate(answers)}
    eligible = tuple(a for a in answers if a.eligible)
    missed = tuple(sorted((a for a in answers if not a.eligible), key=lambda a: (a.nearness, order[id(a)])))
    total = sum((a.amount for a in eligible), Decimal("0.00"))
    merged: dict[tuple, InputNeed] = {}
    for a in missed + eligible:
        for n in a.needs:
            key = n.key
            ref = f"{a.policy_id}/{a.clause_id}"
            if key in merged:
                old = merged[key]
                merged[key] = InputNeed(**{**old.__dict__, "decisive": old.decisive or n.decisive,
                                           "clauses": old.clauses + (ref,)})
            else:
                merged[key] = InputNeed(**{**n.__dict__, "clauses": (ref,)})
    needs = tuple(sorted(merged.values(), key=lambda n: (not n.decisive, -len(n.clauses))))
    return EnterpriseAnswer(str(population.credit_code[0]), population.year, eligible, missed, total,
                            tuple(_dates(registry, population.year, policy_ids)), needs)


def explain(registry: Registry, record: dict[str, Any], year: int, *, policy_ids: set[str] | None = None,
            history_from: int | None = None) -> EnterpriseAnswer:
    """Every clause one enterprise qualifies for (amount and arithmetic) and every clause it
    misses (each failing condition with value, threshold and gap; every route of an "or"; the
    input that would decide), nearest misses first; policies not in force for the year.

    ``record`` has the shape documented in :mod:`.population`.

    Examples:
        >>> from decimal import Decimal
        >>> from innolink.engines.rules import load_registry
        >>> record = {"credit_code": "A", "tags": ["tech_sme"], "indicators": {
        ...     2024: {"rd_expense": Decimal("5500000")},
        ...     2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": 0}}}
        >>> answer = explain(load_registry(), record, 2024, policy_ids={"p02_rd_investment_award"})
        >>> answer.eligible[0].steps[:2]
        ('研发经费支出较上年增量 = 2024年研发经费支出 550万元 − 2023年 200万元 = 350万元', '研发经费支出较上年增量 350万元 × 6% = 21万元')
        >>> answer.total
        Decimal('210000.00')
    """
    population = population_from_records([record], year, history_from=history_from)
    return explain_population_row(registry, population, policy_ids=policy_ids)

