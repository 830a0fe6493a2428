"""Rule revisions an officer drafts, checks against worked cases, publishes or discards
(ADR 0150)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.policies import fetch
from innolink.policies.models import (
    Policy,
    PolicyVersion,
)
from innolink.core.ids import parse_id
from innolink.policies.errors import (
    CASES_FAILING,
    REVISION_CLOSED,
    VERSION_REMOVED,
)
from innolink.policies.services._common import _today
from innolink.policies.services.sync import policy_sync


_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
MAX_RULE_TEXT = 200_000


def _fingerprint(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def published_policy(code: str):
    """The engine's policy as it is in force now (file or published revision), or None."""
    try:
        return fetch.rules_registry().policy(code)
    except KeyError:
        return None


def _store_check(revision, result) -> None:
    revision.valid = result.valid
    revision.problem = result.problem.as_dict() if result.problem else {}
    revision.results = [c.as_dict() for c in result.cases]
    revision.blockers = list(result.blockers)


def revision_check(*, code: str, text: str, cases: str):
    """Check a draft without saving it (live validation while the officer types)."""
    from innolink.policies import authoring

    if len(text) > MAX_RULE_TEXT or len(cases) > MAX_RULE_TEXT:
        raise ValidationFailed({"text": [_("规则或案例文本过长（不超过20万字符）")]})
    return authoring.check(text, cases, published=published_policy(code), code=code)


def _next_number(code: str) -> int:
    from django.db.models import Max

    from innolink.policies.models import PolicyRevision

    return (PolicyRevision.objects.filter(code=code).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def revision_open(*, actor, code: str):
    """The open draft of a policy, or a new one that starts from the rules in force (the last
    published revision, else the shipped file and its test cases)."""
    from innolink.policies.models import PolicyRevision

    existing = PolicyRevision.objects.select_for_update().filter(
        code=code, status=PolicyRevision.Status.DRAFT).first()
    if existing is not None:
        return existing
    policy = Policy.objects.filter(code=code).first()
    if policy is None:
        raise NotFound()
    published = PolicyRevision.objects.filter(code=code, status=PolicyRevision.Status.PUBLISHED).first()
    if published is not None:
        text, cases = published.text, published.cases
    else:
        directory = fetch.rulesets_dir()
        path = directory / policy.file if policy.file else None
        text = path.read_text(encoding="utf-8") if path and path.exists() else policy.rules_text
        tests = directory / "tests" / policy.file if policy.file else None
        cases = tests.read_text(encoding="utf-8") if tests and tests.exists() else ""
    revision = PolicyRevision(code=code, number=_next_number(code), text=text, cases=cases,
                              based_on=published, base_text=text,
                              created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _store_check(revision, revision_check(code=code, text=text, cases=cases))
    revision.save()
    audit_record(actor=actor, action="create", instance=revision,
                 changes={"status": [None, revision.status], "text": [None, _fingerprint(text)]},
                 note=f"draft r{revision.number} of {code}")
    return revision


NEW_POLICY_TEMPLATE = """id: {code}
title: {title}
issuer: {issuer}
area: {area}
illustrative: false
source: ""            # 依据:文件名称、文号、条款序号
versions:
  - effective_from: {start}
    # effective_to: 2027-12-31   # 不填为长期有效
    # doc_number: 晋政规〔2026〕1号  # 不填显示「文号待定」
    budget: 100万元
    # materials: [项目申报表]       # 有申报材料时为快申快享,否则免申即享
    clauses:
      - title: 条款名称
        text: 条款原文(照录文件)
        conditions:
          all:
            - {{field: industry_code, op: prefix, value: [C]}}
        benefit: {{fixed: 5万元}}
"""

NEW_CASES_TEMPLATE = """cases:
  - name: 符合条件,奖励5万元
    year: {year}
    input: {{industry_code: C1951, indicators: {{{year}: {{revenue: 100万元}}}}}}
    expected:
      c1: {{eligible: true, amount: 5万元}}
"""


@transaction.atomic
def revision_new_policy(*, actor, code: str, title: str, issuer: str, area: str):
    """A draft for a policy that does not exist yet, from a template the officer fills in."""
    from innolink.policies.models import PolicyRevision

    code, title, issuer, area = (code or "").strip(), (title or "").strip(), \
        (issuer or "").strip(), (area or "").strip()
    errors: dict[str, list[str]] = {}
    if not _CODE_RE.match(code):
        errors["code"] = [_("政策编号：3至64位小写字母、数字或下划线，以字母开头，如 p13_ai_scenarios")]
    elif Policy.objects.filter(code=code).exists() or PolicyRevision.objects.filter(code=code).exists() \
            or published_policy(code) is not None:
        errors["code"] = [_("政策编号 %(c)s 已被使用") % {"c": code}]
    for name, value, label in (("title", title, _("政策名称")), ("issuer", issuer, _("发文单位")),
                               ("area", area, _("政策领域"))):
        if not value:
            errors[name] = [_("%(l)s：必填") % {"l": label}]
        elif len(value) > 100 or any(ch in value for ch in "\n\r:{}[]#"):
            errors[name] = [_("%(l)s：不超过100字，且不含换行和 : { } [ ] #") % {"l": label}]
    if errors:
        raise ValidationFailed(errors)
    year = _today().year
    text = NEW_POLICY_TEMPLATE.format(code=code, title=title, issuer=issuer, area=area,
                                      start=f"{year}-01-01")
    cases = NEW_CASES_TEMPLATE.format(year=year)
    revision = PolicyRevision(code=code, number=1, text=text, cases=cases, base_text="",
                              created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _store_check(revision, revision_check(code=code, text=text, cases=cases))
    revision.save()
    audit_record(actor=actor, action="create", instance=revision,
                 changes={"status": [None, revision.status], "text": [None, _fingerprint(text)]},
                 note=f"new policy {code}")
    return revision


def _lock_draft(revision_id: Any):
    from innolink.policies.models import PolicyRevision

    revision = PolicyRevision.objects.select_for_update().filter(pk=parse_id(revision_id)).first()
    if revision is None:
        raise NotFound()
    if revision.status != PolicyRevision.Status.DRAFT:
        raise Conflict(_("该修订已%(s)s，不能再修改；请重新打开编辑") % {
            "s": revision.get_status_display()}, code=REVISION_CLOSED)
    return revision


@transaction.atomic
def revision_save(*, actor, revision_id: Any, text: str, cases: str, note: str = ""):
    """Save a draft and run its worked cases (every save). A draft that does not load is saved
    too (work is not lost), marked invalid with the place and the reason."""
    revision = _lock_draft(revision_id)
    text, cases, note = text or "", cases or "", (note or "").strip()[:300]
    result = revision_check(code=revision.code, text=text, cases=cases)
    before = {"text": _fingerprint(revision.text), "cases": _fingerprint(revision.cases),
              "valid": revision.valid, "note": revision.note}
    revision.text, revision.cases, revision.note = text, cases, note
    _store_check(revision, result)
    revision.save()
    after = {"text": _fingerprint(text), "cases": _fingerprint(cases), "valid": revision.valid,
             "note": note}
    changes = audit_diff(before, after)
    if changes:
        passed = sum(1 for c in result.cases if c.passed)
        audit_record(actor=actor, action="update", instance=revision, changes=changes,
                     note=f"cases {passed}/{len(result.cases)} passed")
    return revision, result


@transaction.atomic
def revision_publish(*, actor, revision_id: Any):
    """Publish a draft: it must load, every worked case must pass, every new or changed clause
    must have a case, and no version in force may disappear (a version ends by its
    ``effective_to``). Then it replaces the policy's rules (the database mirror is synced, the
    next answers and scans use it). Refused: nothing is published."""
    from innolink.policies.models import PolicyRevision

    revision = _lock_draft(revision_id)
    result = revision_check(code=revision.code, text=revision.text, cases=revision.cases)
    if result.problem is not None:
        p = result.problem
        where = (_("第%(n)s行") % {"n": p.line} if p.line else "") + (f"（{p.place}）" if p.place else "")
        raise ValidationFailed({"cases" if p.part == "cases" else "text": [f"{where}{p.message}"]},
                               message=_("规则有误，未发布：%(w)s%(m)s") % {"w": where, "m": p.message},
                               code=p.code)
    if result.blockers:
        raise Conflict(_("未发布：%(b)s") % {"b": _("；").join(result.blocker_texts)}, code=CASES_FAILING,
                       extra={"blockers": result.blocker_texts,
                              "failed": [c.name for c in result.cases if not c.passed]})
    kept = {v.effective_from for v in result.policy.versions}
    gone = [v for v in PolicyVersion.objects.filter(policy__code=revision.code)
            if v.effective_from not in kept]
    if gone:
        raise Conflict(_("未发布：版本「%(d)s」（%(n)s）已在平台使用，不能删除或更改生效日期；如需停止执行，请填写其失效日期 effective_to") % {
            "d": gone[0].effective_from.isoformat(), "n": gone[0].doc_number},
            code=VERSION_REMOVED)
    previous = PolicyRevision.objects.select_for_update().filter(
        code=revision.code, status=PolicyRevision.Status.PUBLISHED).first()
    if previous is not None:
        previous.status = PolicyRevision.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="transition", instance=previous,
                     changes={"status": ["published", "superseded"]}, note=f"by r{revision.number}")
    revision.status = PolicyRevision.Status.PUBLISHED
    revision.published_at = timezone.now()
    revision.published_by = actor if getattr(actor, "is_authenticated", False) else None
    _store_check(revision, result)
    revision.save()
    audit_record(actor=actor, action="transition", instance=revision,
                 changes={"status": ["draft", "published"], "text": [None, _fingerprint(revision.text)]},
                 note=(f"{len(result.cases)} cases passed; " + revision.note)[:300])
    policy_sync(actor=actor, source=f"revision:{revision.pk}", only={revision.code})
    return revision


@transaction.atomic
def revision_discard(*, actor, revision_id: Any):
    revision = _lock_draft(revision_id)
    from innolink.policies.models import PolicyRevision

    revision.status = PolicyRevision.Status.DISCARDED
    revision.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="transition", instance=revision,
                 changes={"status": ["draft", "discarded"]})
    return revision
