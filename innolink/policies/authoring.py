"""Officers write and test clauses in the browser: checking a draft, running its worked cases,
and showing what changed. No database here; ``services.revision_save`` / ``revision_publish``
store the results and ``fetch.rules_registry`` serves what was published.

A draft is the policy's YAML (ADR 0101) as the officer typed it. Before the engine reads it,
``complete`` fills in what an officer rarely needs to write (ADR 0150): a version without
``doc_number`` gets 「文号待定」, without ``shares`` is paid wholly by the city (``{县: 1}``),
without ``lane`` is 快申快享 when it lists materials and 免申即享 otherwise, and a clause
without ``id`` is numbered ``c1``, ``c2``… by position.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext_noop

from innolink.core import money
from innolink.engines.rules import (
    Policy,
    Registry,
    RulesError,
    explain,
    load_policy_text,
    reference_evaluate,
)
from innolink.engines.rules.load import load_test_cases_text
from innolink.engines.rules.steps import Said

DOC_NUMBER_PENDING = "文号待定"
DEFAULT_SHARES = {"县": 1}
MAX_TEXT = 200_000
MAX_CASES = 200


@dataclass(frozen=True)
class Problem:
    """Why a draft (or its cases) is refused, and where: ``line`` in the text (1-based, when
    it can be found), ``place`` in words (「第1个版本 › 第2个条款 › 条件」), ``path`` as the
    engine wrote it, the engine's stable ``code`` and its message."""

    code: str
    message: str
    path: str
    place: str
    line: int | None
    part: str  # "rules" | "cases"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "path": self.path,
                "place": self.place, "line": self.line, "part": self.part}


@dataclass
class CaseResult:
    name: str
    year: int
    passed: bool
    lines: list[dict[str, Any]] = field(default_factory=list)  # per clause: expected vs got

    def as_dict(self) -> dict[str, Any]:
        """Stored with the revision: each "why" as the engine's message id and params, so the
        page words it in the reader's language when it shows the stored result."""
        from innolink.engines.rules.steps import to_data

        lines = [{**line, "why": [to_data(w) for w in line.get("why", [])]} for line in self.lines]
        return {"name": self.name, "year": self.year, "passed": self.passed, "lines": lines}


def blocker(msgid: str, **params: Any) -> dict[str, Any]:
    """What stands between a draft and publication, as a message id (``gettext_noop``) and its
    values (a list of names, a nested blocker), stored with the revision and worded in the
    reader's language by :func:`blocker_text` (ADR 0390)."""
    return {"msgid": msgid, "params": params}


def blocker_text(item: Any) -> str:
    """A stored blocker in the active language; an older one (prose) as it was stored.

    Examples:
        >>> from django.utils import translation
        >>> b = blocker("以下新增或修改的条款还没有核对案例：%(clauses)s",
        ...             clauses=[blocker("%(year)s版「%(title)s」", year=2025, title="研发补助")])
        >>> blocker_text(b)
        '以下新增或修改的条款还没有核对案例：2025版「研发补助」'
        >>> with translation.override("en"):
        ...     blocker_text(b)
        'Changed or new clauses without a worked case: 研发补助 (2025 version)'
        >>> blocker_text("案例未通过:甲 / cases failing")
        '案例未通过:甲 / cases failing'
    """
    from django.utils.translation import gettext

    if not isinstance(item, dict) or "msgid" not in item:
        return str(item)

    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return blocker_text(v)
        if isinstance(v, (list, tuple)):
            return gettext("、").join(str(value(x)) for x in v)
        return v

    params = {k: value(v) for k, v in (item.get("params") or {}).items()}
    msgid = str(item["msgid"])
    for frame in (gettext(msgid), msgid):
        try:
            return frame % params if params else frame
        except (KeyError, ValueError, TypeError):
            continue
    return msgid


@dataclass
class Check:
    """The outcome of checking a draft: the policy (when it loads), the problem (when it does
    not), the worked cases' results, and what stands between the draft and publication."""

    policy: Policy | None
    problem: Problem | None
    cases: list[CaseResult]
    blockers: list[dict[str, Any]]  # blocker(): msgid + params

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def cases_passed(self) -> bool:
        return bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def publishable(self) -> bool:
        return self.valid and not self.blockers

    @property
    def blocker_texts(self) -> list[str]:
        return [blocker_text(b) for b in self.blockers]


# --------------------------------------------------------------------------- defaults


def complete(data: Any) -> Any:
    """The draft's data with the defaults an officer may leave out (see the module docstring).

    Examples:
        >>> v = complete({"versions": [{"materials": ["合同"], "clauses": [{"title": "x"}]}]})["versions"][0]
        >>> v["doc_number"], v["shares"], v["lane"], v["clauses"][0]["id"]
        ('文号待定', {'县': 1}, 'apply', 'c1')
    """
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
        return data
    versions = []
    for version in data["versions"]:
        if isinstance(version, dict):
            version = dict(version)
            if version.get("doc_number") in (None, ""):
                version["doc_number"] = DOC_NUMBER_PENDING
            version.setdefault("shares", dict(DEFAULT_SHARES))
            if version.get("lane") in (None, ""):
                version["lane"] = "apply" if version.get("materials") else "auto"
            if isinstance(version.get("clauses"), list):
                version["clauses"] = [
                    {"id": f"c{i + 1}", **c} if isinstance(c, dict) and "id" not in c else c
                    for i, c in enumerate(version["clauses"])]
        versions.append(version)
    return {**data, "versions": versions}


def effective_text(text: str) -> str:
    """The text the engine reads for a draft: the officer's YAML with the defaults filled in
    (comments and layout are the officer's only in the stored draft)."""
    data = yaml.safe_load(text)
    return yaml.safe_dump(_plain(complete(data)), allow_unicode=True, sort_keys=False, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (int, dt.date)) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- places

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_WORDS = {"versions": "版本", "clauses": "条款", "conditions": "条件", "benefit": "计算公式",
          "cases": "案例", "expected": "预期结果", "input": "企业数据", "indicators": "年度指标",
          "groups": "叠加规则", "materials": "申报材料", "budget": "资金总额",
          "effective_from": "生效日期", "effective_to": "失效日期", "doc_number": "文号",
          "shares": "分担比例", "lane": "兑现方式", "title": "名称", "text": "原文",
          "field": "字段", "op": "运算符", "value": "比较值", "all": "全部满足", "any": "满足其一",
          "not": "排除", "cap": "上限", "rate": "比例", "base": "基数", "tiers": "分档",
          "cases_": "情形", "sum": "合计", "fixed": "定额", "per_unit": "单价"}


def _tokens(path: str) -> list[str | int]:
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path):
        out.append(int(index) if index else name)
    return out


def place_words(path: str) -> str:
    """An engine path in words.

    Examples:
        >>> place_words("versions[0].clauses[1].conditions.all[2].op")
        '第1个版本 › 第2个条款 › 条件 › 全部满足 第3项 › 运算符'
    """
    parts: list[str] = []
    for token in _tokens(path):
        if isinstance(token, int):
            if parts and parts[-1] in ("版本", "条款", "案例"):
                parts[-1] = f"第{token + 1}个{parts[-1]}"
            elif parts:
                parts[-1] = f"{parts[-1]} 第{token + 1}项"
            else:
                parts.append(f"第{token + 1}项")
        else:
            parts.append(_WORDS.get(token, token))
    return " › ".join(parts)


def line_of(text: str, path: str) -> int | None:
    """The 1-based line of ``path`` (``versions[0].clauses[1].benefit``) in the YAML ``text``:
    the deepest node of the path that exists."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None if node is None else node.start_mark.line + 1
    for token in _tokens(path):
        if isinstance(node, yaml.SequenceNode) and isinstance(token, int) and token < len(node.value):
            node = node.value[token]
        elif isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(token)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
            continue
        else:
            break
        line = node.start_mark.line + 1
    return line


def _problem(exc: RulesError, text: str, part: str) -> Problem:
    where = exc.location.split(": ", 1)[-1] if exc.location else ""
    line = None
    m = re.match(r"line (\d+)$", where)
    if m:
        line, where = int(m.group(1)), ""
    elif where:
        line = line_of(text, where)
    return Problem(exc.code, exc.message, where, place_words(where) if where else "", line, part)


# --------------------------------------------------------------------------- checking


def load_draft(text: str, *, file: str = "<draft>") -> Policy:
    """The policy a draft describes, with defaults; ``RulesError`` when it is refused."""
    if len(text) > MAX_TEXT:
        raise RulesError("rules.bad_value", "规则文本过长 / text too long", f"{file}: ")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RulesError("rules.bad_yaml", f"YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', exc)}",
                         f"{file}: line {mark.line + 1}" if mark else file) from None
    if not isinstance(data, dict):
        raise RulesError("rules.bad_value", "应为映射:id、title、issuer、area、versions / expected a mapping",
                         f"{file}: ")
    return load_policy_text(yaml.safe_dump(_plain(complete(data)), allow_unicode=True,
                                           sort_keys=False), file)


def _cases_text(cases_text: str, policy_id: str) -> str:
    data = yaml.safe_load(cases_text) if cases_text.strip() else None
    if data is None:
        return ""
    if isinstance(data, list):
        data = {"cases": data}
    if isinstance(data, dict):
        data = {"policy": policy_id, **{k: v for k, v in data.items() if k != "policy"}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def run_cases(policy: Policy, cases_text: str) -> list[CaseResult]:
    """Every worked case through both evaluators (the vectorised one the pages use and the slow
    reference); a case passes when both give the expected eligibility and amount per clause."""
    registry = Registry((policy,))
    try:
        text = _cases_text(cases_text, policy.id)
        cases = load_test_cases_text(text, registry, "<cases>") if text else []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RulesError("rules.bad_yaml", f"YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', exc)}",
                         f"<cases>: line {mark.line + 1}" if mark else "<cases>") from None
    except (TypeError, AttributeError, ValueError) as exc:
        raise RulesError("rules.bad_value", f"案例格式有误 / malformed cases: {exc}", "<cases>: cases") from None
    if len(cases) > MAX_CASES:
        raise RulesError("rules.bad_value", f"案例最多 {MAX_CASES} 个 / too many cases", "<cases>: cases")
    results = []
    for case in cases:
        answer = explain(registry, case.record, case.year, policy_ids={policy.id})
        reference = reference_evaluate(registry, case.record, case.year, policy_ids={policy.id})
        got = {a.clause_id: a for a in (*answer.eligible, *answer.not_eligible)}
        result = CaseResult(case.name, case.year, True)
        for clause_id, (eligible, amount) in case.expected.items():
            a = got.get(clause_id)
            ref = reference.get((policy.id, clause_id))
            ok = (a is not None and (a.eligible, a.amount) == (eligible, amount)
                  and ref is not None and ref[:2] == (eligible, amount))
            result.passed &= ok
            result.lines.append({
                "clause": clause_id, "title": a.clause_title if a else clause_id,
                "expected_eligible": eligible, "expected_amount": str(amount),
                "eligible": a.eligible if a else None, "amount": str(a.amount) if a else None,
                "passed": ok,
                "why": ([Said(m, case.year) for m in a.misses][:3] if a and not a.eligible
                        else list(a.steps)[-2:] if a else []),
            })
        results.append(result)
    return results


def _without_places(value: Any) -> Any:
    """A rule's parts without where they were written (``location``: file and path), so a draft
    compares equal to the same rules loaded from their file."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, _without_places(getattr(value, f.name)))
                                            for f in dataclasses.fields(value) if f.name != "location"))
    if isinstance(value, (tuple, list)):
        return tuple(_without_places(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((k, _without_places(v)) for k, v in value.items()), key=lambda kv: repr(kv[0])))
    return value


def _rule_of(clause) -> Any:
    """What decides a clause's answer, comparable across files and drafts."""
    return _without_places((clause.condition, clause.formula, clause.requires, clause.group))


def changed_clause_ids(policy: Policy, published: Policy | None) -> set[tuple[str, str]]:
    """(version start, clause id) of the clauses that are new or differ from the published
    policy: each needs a worked case before the draft may be published."""
    before = {}
    if published is not None:
        for v in published.versions:
            for c in v.clauses:
                before[(v.effective_from.isoformat(), c.id)] = c
    out = set()
    for v in policy.versions:
        for c in v.clauses:
            key = (v.effective_from.isoformat(), c.id)
            old = before.get(key)
            if old is None or old.text != c.text or _rule_of(old) != _rule_of(c):
                out.add(key)
    return out


def check(text: str, cases_text: str, *, published: Policy | None = None,
          code: str | None = None) -> Check:
    """Load the draft and run its cases. ``published``: the policy as it is now (its unchanged
    clauses need no new case); ``code``: the policy id the draft must keep."""
    try:
        policy = load_draft(text)
    except RulesError as exc:
        return Check(None, _problem(exc, text, "rules"), [], [])
    if code is not None and policy.id != code:
        where = "id"
        return Check(None, Problem("rules.bad_value", f"政策编号不能修改,应为 {code} / the policy id must stay {code}",
                                   where, place_words(where), line_of(text, where), "rules"), [], [])
    try:
        results = run_cases(policy, cases_text)
    except RulesError as exc:
        return Check(policy, _problem(exc, cases_text, "cases"), [], [])
    blockers = []
    if not results:
        blockers.append(blocker(gettext_noop("至少需要一个核对案例（企业数据与依法应得金额）")))
    failed = [r.name for r in results if not r.passed]
    if failed:
        blockers.append(blocker(gettext_noop("案例未通过：%(cases)s"), cases=failed[:5]))
    covered = {(policy.version_for_year(r.year).effective_from.isoformat()
                if policy.version_for_year(r.year) else "", line["clause"])
               for r in results for line in r.lines}
    uncovered = sorted(changed_clause_ids(policy, published) - covered)
    if uncovered:
        titles = {(v.effective_from.isoformat(), c.id): blocker(gettext_noop("%(year)s版「%(title)s」"),
                                                                 year=v.effective_from.year, title=c.title)
                  for v in policy.versions for c in v.clauses}
        blockers.append(blocker(gettext_noop("以下新增或修改的条款还没有核对案例：%(clauses)s"),
                                clauses=[titles[k] for k in uncovered[:5]]))
    return Check(policy, None, results, blockers)


# --------------------------------------------------------------------------- diffs


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "add" | "del" | "gap"
    old: int | None
    new: int | None
    text: str


def text_diff(before: str, after: str, context: int = 2) -> list[DiffLine]:
    """Line diff of two YAML texts, with ``context`` unchanged lines around each change.

    Examples:
        >>> [(d.kind, d.text) for d in text_diff("a\\nb\\n", "a\\nc\\n", context=0)]
        [('del', 'b'), ('add', 'c')]
    """
    a, b = before.splitlines(), after.splitlines()
    out: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if out:
            out.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine("same", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(i2 - i1))
                continue
            if tag in ("replace", "delete"):
                out.extend(DiffLine("del", i1 + k + 1, None, a[i1 + k]) for k in range(i2 - i1))
            if tag in ("replace", "insert"):
                out.extend(DiffLine("add", None, j1 + k + 1, b[j1 + k]) for k in range(j2 - j1))
    return out


def _money(fen: int | None) -> str:
    return "—" if fen is None else f"{money.wan_number(money.from_fen(fen))}万元"


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def version_changes(before, after) -> list[Change]:
    """What differs between two versions of a policy (engine ``PolicyVersion``s), in words an
    officer checks against the two documents: dates, 文号, budget, lane, materials, and each
    clause added, removed or changed (its legal text or its rule)."""
    out: list[Change] = []

    def put(what: str, a: Any, b: Any) -> None:
        if a != b:
            out.append(Change(what, str(a), str(b)))

    put("文号", before.doc_number, after.doc_number)
    put("生效日期", before.effective_from, after.effective_from)
    put("失效日期", before.effective_to or "长期", after.effective_to or "长期")
    put("资金总额", _money(before.budget_fen), _money(after.budget_fen))
    put("兑现方式", {"auto": "免申即享", "apply": "快申快享"}[before.lane],
        {"auto": "免申即享", "apply": "快申快享"}[after.lane])
    put("分担比例", "∶".join(f"{lvl}{n}" for lvl, n in before.shares),
        "∶".join(f"{lvl}{n}" for lvl, n in after.shares))
    put("申报材料", "、".join(before.materials) or "无", "、".join(after.materials) or "无")
    put("单个企业年度上限", _money(before.cap_per_enterprise_fen), _money(after.cap_per_enterprise_fen))
    old = {c.id: c for c in before.clauses}
    new = {c.id: c for c in after.clauses}
    for cid, c in new.items():
        if cid not in old:
            out.append(Change(f"新增条款「{c.title}」", "—", c.text))
        else:
            o = old[cid]
            if o.text != c.text:
                out.append(Change(f"条款「{c.title}」原文", o.text, c.text))
            if _rule_of(o) != _rule_of(c):
                out.append(Change(f"条款「{c.title}」的条件或计算", "（规则已修改）", "（见规则差异）"))
    for cid, c in old.items():
        if cid not in new:
            out.append(Change(f"删除条款「{c.title}」", c.text, "—"))
    return out
