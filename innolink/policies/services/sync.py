"""The database mirror of the rules: policies, versions, budgets and clauses synced from the
rule files or from a published revision (ADR 0150)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, ValidationFailed
from innolink.engines.rules import RulesError
from innolink.policies import fetch
from innolink.policies.models import (
    Application,
    Budget,
    Eligibility,
    LedgerEntry,
    Policy,
    PolicyClause,
    PolicyVersion,
)
from innolink.policies.errors import BUDGET_BELOW_COMMITTED

from innolink.policies.services._common import (
    _wan,
    _yuan,
)


@dataclass
class SyncOutcome:
    policies_created: int = 0
    policies_updated: int = 0
    versions: int = 0
    clauses: int = 0
    unchanged: int = 0
    retired: int = 0

    def summary(self) -> str:
        return (f"政策同步：新增 {self.policies_created}，更新 {self.policies_updated}，"
                f"无变化 {self.unchanged}；版本 {self.versions}，条款 {self.clauses}")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _upsert(model, lookup: dict, values: dict, *, actor, source: str) -> tuple[Any, str]:
    """Create or update one row; audited. Returns (row, "created" | "updated" | "unchanged")."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model.objects.create(**lookup, **values)
        audit_record(actor=actor, action="create", instance=row, source=source,
                     changes=audit_diff({}, values))
        return row, "created"
    before = snapshot(row, list(values))
    changes = audit_diff(before, values)
    if not changes:
        return row, "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    row.save(update_fields=list(values))
    audit_record(actor=actor, action="update", instance=row, source=source, changes=changes)
    return row, "updated"


@transaction.atomic
def policy_sync(*, actor, directory: Path | None = None, source: str = "web",
                only: set[str] | None = None) -> SyncOutcome:
    """Mirror the rules into the database: each shipped rule file, or the revision an officer
    published in its place (ADR 0150). ``only``: the policy ids to mirror (a publication).

    Rules that do not load refuse the whole sync (nothing is written). A budget may not drop
    below what is already committed."""
    directory = Path(directory or fetch.rulesets_dir())
    try:
        registry = fetch.rules_registry(directory)
    except RulesError as exc:
        raise ValidationFailed({"rules": [str(exc)]}, message=_("规则文件有误，未同步：%(m)s") % {
            "m": exc.message}, code=exc.code)
    outcome = SyncOutcome()
    now = timezone.now()
    seen: set[int] = set()
    texts = fetch.rule_texts(registry, directory)
    for order, policy in enumerate(registry.policies):
        if only is not None and policy.id not in only:
            continue
        text = texts.get(policy.id, "")
        raw = yaml.safe_load(text) if text else {}
        row, state = _upsert(Policy, {"code": policy.id}, {
            "title": policy.title, "issuer": policy.issuer, "area": policy.area,
            "tech_innovation": policy.tech_innovation, "illustrative": policy.illustrative,
            "source": policy.source[:300], "file": policy.file, "rules_text": text,
            "order": order,
        }, actor=actor, source=source)
        changed = state != "unchanged"
        raw_versions = raw.get("versions", []) if isinstance(raw, dict) else []
        for vi, version in enumerate(policy.versions):
            budget_total = _yuan(version.budget_fen)
            vrow, vstate = _upsert(PolicyVersion, {"policy": row,
                                                   "effective_from": version.effective_from}, {
                "effective_to": version.effective_to, "doc_number": version.doc_number,
                "budget": budget_total, "shares": [[lvl, n] for lvl, n in version.shares],
                "lane": version.lane, "materials": list(version.materials),
                "cap_per_enterprise": (None if version.cap_per_enterprise_fen is None
                                       else _yuan(version.cap_per_enterprise_fen)),
                "budget_shortfall": version.budget_shortfall,
                "cap_lifetime": (None if version.cap_lifetime_fen is None else _yuan(version.cap_lifetime_fen)),
            }, actor=actor, source=source)
            changed |= vstate != "unchanged"
            outcome.versions += 1
            budget = Budget.objects.select_for_update().filter(version=vrow).first()
            if budget is None:
                budget = Budget.objects.create(version=vrow, total=budget_total)
                audit_record(actor=actor, action="create", instance=budget, source=source,
                             changes={"total": [None, budget_total]})
            elif budget.total != budget_total:
                if budget_total < budget.committed:
                    raise Conflict(_("《%(t)s》的新预算 %(new)s 低于已承诺的 %(used)s，未同步") % {
                        "t": policy.title, "new": _wan(budget_total), "used": _wan(budget.committed)},
                        code=BUDGET_BELOW_COMMITTED)
                audit_record(actor=actor, action="update", instance=budget, source=source,
                             changes={"total": [budget.total, budget_total]})
                budget.total = budget_total
                budget.save(update_fields=["total"])
            raw_clauses = {}
            if vi < len(raw_versions) and isinstance(raw_versions[vi], dict):
                raw_clauses = {c.get("id"): c for c in raw_versions[vi].get("clauses", [])
                               if isinstance(c, dict)}
            for ci, clause in enumerate(version.clauses):
                rule = {k: _plain(v) for k, v in raw_clauses.get(clause.id, {}).items()
                        if k not in ("id", "title", "text", "article")}
                crow, cstate = _upsert(PolicyClause, {"version": vrow, "code": clause.id}, {
                    "title": clause.title, "text": clause.text, "rule": rule, "order": ci,
                    "retired": False, "family": clause.family, "article": clause.article[:100],
                }, actor=actor, source=source)
                seen.add(crow.pk)
                changed |= cstate != "unchanged"
                outcome.clauses += 1
        changed |= _drop_absent_versions(row, policy, actor=actor, source=source)
        if state == "created":
            outcome.policies_created += 1
        elif changed:
            outcome.policies_updated += 1
        else:
            outcome.unchanged += 1
        if changed:
            Policy.objects.filter(pk=row.pk).update(synced_at=now)
    stale = PolicyClause.objects.filter(retired=False).exclude(pk__in=seen)
    if only is not None:
        stale = stale.filter(version__policy__code__in=only)
    for gone in stale:
        # Rows point at it (eligibility, applications, ledger), so it is retired, not deleted.
        gone.retired = True
        gone.save(update_fields=["retired"])
        audit_record(actor=actor, action="update", instance=gone, source=source,
                     changes={"retired": [False, True]}, note="no longer in the rule files")
        outcome.retired += 1
    return outcome


def _drop_absent_versions(row: Policy, policy, *, actor, source: str) -> bool:
    """A version the rules no longer have (e.g. a file that moved a version's start date): gone
    when nothing points at it; otherwise kept for the rows that do, ended before the rules'
    versions begin so it answers for no year they cover (its clauses are retired by the sync).
    Audited either way."""
    starts = sorted(v.effective_from for v in policy.versions)
    changed = False
    for version in PolicyVersion.objects.filter(policy=row).exclude(effective_from__in=starts):
        used = (Application.objects.filter(clause__version=version).exists()
                or Eligibility.objects.filter(clause__version=version).exists()
                or LedgerEntry.objects.filter(version=version).exists())
        if not used:
            audit_record(actor=actor, action="delete", instance=version, source=source,
                         changes={"effective_from": [version.effective_from, None],
                                  "doc_number": [version.doc_number, None]},
                         note="no longer in the rules")
            PolicyClause.objects.filter(version=version).delete()
            Budget.objects.filter(version=version).delete()
            version.delete()
            changed = True
            continue
        later = [d for d in starts if d > version.effective_from]
        end = (min(later) if later else version.effective_from) - dt.timedelta(days=1)
        if version.effective_to is None or version.effective_to > end:
            audit_record(actor=actor, action="update", instance=version, source=source,
                         changes={"effective_to": [version.effective_to, end]},
                         note="no longer in the rules; kept for the records that point at it")
            version.effective_to = end
            version.save(update_fields=["effective_to"])
            changed = True
    return changed
