"""Every write of the policies app: sync from the rule files, scans, notices, applications in
both lanes, approvals under the budget lock, instalment payments and ledger reversals.

Each service is keyword-only, runs in one transaction, writes its audit entries there and sends
notifications (in-platform rows in the same transaction, external channels on commit).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core import money
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.jobs import job_start
from innolink.core.messages import choice_msg, money_msg, msg
from innolink.core.notifications import notify
from innolink.engines.rules import RulesError, scan as rules_scan, split_by_shares
from innolink.engines.rules.parse import rule_codes
from innolink.enterprises.models import Enterprise
from innolink.policies import claim_items, fetch
from innolink.policies import snapshot as population_snapshot
from innolink.policies.selectors import budget_proration, unpaid_eligibilities
from innolink.policies.models import (
    Application,
    ApplicationMaterial,
    Budget,
    DeclaredFact,
    CalendarDay,
    Eligibility,
    Lane,
    LedgerEntry,
    Policy,
    PolicyClause,
    PolicyVersion,
    Scan,
)
from innolink.policies.workdays import add_working_days
from innolink.core.ids import is_id, parse_id
from innolink.policies.errors import (
    ALREADY_APPLIED,
    ALREADY_REVERSED,
    BUDGET_BELOW_COMMITTED,
    BUDGET_EXCEEDED,
    CALENDAR_DAY_EXISTS,
    CASES_FAILING,
    CLAUSE_RETIRED,
    FACT_KNOWN,
    HAS_PAYMENTS,
    MATERIALS_MISSING,
    NOT_DECIDABLE,
    NOT_ELIGIBLE,
    NOT_OPEN,
    NOT_PAYABLE,
    REVISION_CLOSED,
    VERSION_REMOVED,
)

SCAN_KIND = "policies.scan"
CENT = Decimal("0.01")
MIN_YEAR = 2000


def _today() -> dt.date:
    return timezone.localdate()


# money helpers live in core.money (ADR 0793); the short names keep the ledger code readable
_fen, _yuan, _wan = money.to_fen, money.from_fen, money.money_text


def parse_money(value: Any, field_name: str, label: str) -> Decimal:
    """A positive amount in yuan with at most two decimals, or a ValidationFailed naming it
    (the platform's one money parser, bounded by the ledger's 16-digit columns).

    Examples:
        >>> parse_money("1,200.5", "amount", "拨付金额")
        Decimal('1200.50')
    """
    from innolink.core.money import MoneyInvalid
    from innolink.core.money import parse_money as parse

    try:
        return parse(value if value is not None else "", label=label, max_digits=16,
                     allow_zero=False, round_places=False)
    except MoneyInvalid as exc:
        raise ValidationFailed({field_name: [exc.message]}) from None


def check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": [_("政策年度应为四位年份，如 2025")]})
    if not MIN_YEAR <= year <= _today().year:
        raise ValidationFailed({"year": [_("政策年度应在 %(a)s 至 %(b)s 之间") % {
            "a": MIN_YEAR, "b": _today().year}]})
    return year


# --------------------------------------------------------------------------- sync

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


def _clause_map(year: int) -> dict[tuple[str, str], PolicyClause]:
    """(policy code, clause code) -> the clause row of the version in force for ``year``."""
    out = {}
    for clause in PolicyClause.objects.filter(retired=False).select_related("version__policy"):
        if clause.version.covers_year(year):
            out[(clause.version.policy.code, clause.code)] = clause
    return out


# --------------------------------------------------------------------------- scans

def scan_start(*, actor, year: Any) -> Scan:
    year = check_year(year)
    with transaction.atomic():
        job = job_start(kind=SCAN_KIND, title=N_("%(y)s 年度政策扫描（全企业库）"),
                        title_params={"y": year},
                        params={"year": year}, user=actor)
        scan = Scan.objects.create(year=year, job=job, created_by=actor
                                   if getattr(actor, "is_authenticated", False) else None)
        audit_record(actor=actor, action="create", instance=scan, changes={"year": [None, year]})
    return scan


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def scan_execute(*, scan: Scan, actor=None, progress=None, today: dt.date | None = None) -> Scan:
    """Scan the whole registry for ``scan.year`` and store who qualifies (payable amount > 0)
    per (clause, enterprise, year). Reading and computing happen outside the write
    transaction so progress is visible; the write is one transaction."""
    report = progress or (lambda *a, **k: None)
    today = today or _today()
    year = scan.year
    report(0, 3, N_("读取企业库"), force=True)
    registry = fetch.rules_registry()
    loaded = population_snapshot.load_population(year)  # stored snapshot + changes since
    ids, population = loaded.ids, loaded.population
    report(1, 3, N_("计算 %(n)s 家企业的符合条件情况"), params={"n": len(ids)}, force=True)
    result = rules_scan(registry, population)
    report(2, 3, N_("写入数据库"), force=True)
    with transaction.atomic():
        clauses = _clause_map(year)
        if any((c.policy_id, c.clause_id) not in clauses for c in result.clauses):
            policy_sync(actor=actor, source=f"scan:{scan.pk}")
            clauses = _clause_map(year)
        found: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
        for c in result.clauses:
            clause = clauses[(c.policy_id, c.clause_id)]
            for i, fen, gross in zip(c.index.tolist(), c.amount_fen.tolist(), c.gross_fen.tolist()):
                if fen > 0:
                    found[(clause.pk, ids[i])] = (_yuan(fen), _yuan(gross))
        existing = {(cid, eid): (pk, amount, active) for pk, cid, eid, amount, active in
                    Eligibility.objects.filter(year=year).values_list(
                        "pk", "clause_id", "enterprise_id", "amount", "active")}
        from innolink.core.bulk import insert_rows

        new_rows = [(cid, eid, year, amount, gross, today, scan.pk, True)
                    for (cid, eid), (amount, gross) in found.items() if (cid, eid) not in existing]
        insert_rows(Eligibility, ["clause", "enterprise", "year", "amount", "gross",
                                  "first_found_on", "last_scan", "active"], new_rows)
        changed = [Eligibility(pk=pk, amount=found[key][0], gross=found[key][1], active=True,
                               last_scan_id=scan.pk)
                   for key, (pk, amount, active) in existing.items()
                   if key in found and (amount != found[key][0] or not active)]
        Eligibility.objects.bulk_update(changed, ["amount", "gross", "active", "last_scan"],
                                        batch_size=500)
        # a pair found on an application from the enterprise's own declared figures is not
        # something the scan (platform data only) can see: it stays as the application found it
        declared = {(cid, eid) for cid, eid, facts in Application.objects.filter(year=year)
                    .values_list("clause_id", "enterprise_id", "declared") if facts}
        dropped = [pk for key, (pk, _a, active) in existing.items()
                   if active and key not in found and key not in declared]
        for chunk in _chunks(dropped):
            Eligibility.objects.filter(pk__in=chunk).update(active=False, last_scan=scan)
        totals = result.policy_totals()
        summary = {pid: {"enterprises": t["enterprises"], "total": str(t["total"]),
                         "budget": str(t["budget"]), "over_budget": t["over_budget"]}
                   for pid, t in totals.items()}
        before = snapshot(scan, ["enterprises", "eligible_pairs", "new_pairs", "dropped_pairs",
                                 "total"])
        scan.enterprises = len(ids)
        scan.eligible_pairs = len(found)
        scan.new_pairs = len(new_rows)
        scan.dropped_pairs = len(dropped)
        scan.total = sum((a for a, _g in found.values()), Decimal("0.00"))
        scan.summary = summary
        scan.finished_at = timezone.now()
        scan.save()
        audit_record(actor=actor, action="transition", instance=scan, source="job",
                     changes=audit_diff(before, snapshot(scan, list(before))),
                     note=f"changed {len(changed)}")
    report(3, 3, N_("完成：%(n)s 个（企业×条款）符合条件"), params={"n": len(found)},
           force=True)
    return scan


def scan_now(*, actor, year: int, today: dt.date | None = None) -> Scan:
    """A scan run in this process (management command and demo seed)."""
    with transaction.atomic():
        scan = Scan.objects.create(year=year, created_by=actor if getattr(
            actor, "is_authenticated", False) else None)
        audit_record(actor=actor, action="create", instance=scan, source="command",
                     changes={"year": [None, year]})
    return scan_execute(scan=scan, actor=actor, today=today)


# --------------------------------------------------------------------------- notices

@transaction.atomic
def eligibility_notify(*, actor, policy: Policy, year: int) -> int:
    """Push a notice to every enterprise user whose enterprise qualifies for ``policy`` in
    ``year``, has not claimed it yet and was not notified before. Returns the users notified."""
    rows = list(unpaid_eligibilities(policy=policy, year=year).filter(notified_at__isnull=True)
                .values_list("pk", "enterprise_id"))
    if not rows:
        return 0
    enterprise_ids = {eid for _pk, eid in rows}
    users = list(User.objects.filter(role=Role.ENTERPRISE, is_active=True,
                                     enterprise_id__in=enterprise_ids))
    from django.urls import reverse

    sent = notify(recipients=users, kind="policies.eligible",
                  title=N_("政策找企：您的企业符合《%(t)s》"),
                  body=N_("经 %(y)s 年度数据比对，贵企业符合该政策的兑现条件。请在「我能享受的政策」中查看金额与计算过程，并按提示确认领取或申请。"),
                  params={"t": policy.title, "y": year},
                  url=reverse("policies:mine"))
    now = timezone.now()
    for chunk in _chunks([pk for pk, _e in rows]):
        Eligibility.objects.filter(pk__in=chunk).update(notified_at=now)
    audit_record(actor=actor, action="transition", instance=policy,
                 changes={"notified_enterprises": [None, len(enterprise_ids)]},
                 note=f"eligibility notices for {year}: {len(sent)} users")
    return len(sent)


@transaction.atomic
def eligibility_notify_all(*, actor, year: int) -> int:
    """Push the notices of every policy for ``year`` (after a scan)."""
    return sum(eligibility_notify(actor=actor, policy=policy, year=year)
               for policy in Policy.objects.order_by("order", "pk"))


# --------------------------------------------------------------------------- applications

_ACCOUNT = re.compile(r"^\d{8,30}$")


@dataclass(frozen=True)
class ClaimForm:
    bank_name: str = ""
    bank_account: str = ""
    account_holder: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    statement: str = ""
    consent: bool = False


def _check_form(form: ClaimForm, lane: str) -> ClaimForm:
    errors: dict[str, list[str]] = {}
    bank_name = form.bank_name.strip()
    account = re.sub(r"[\s-]", "", form.bank_account or "")
    holder = form.account_holder.strip()
    if not bank_name:
        errors["bank_name"] = [_("开户银行：必填")]
    elif len(bank_name) > 100:
        errors["bank_name"] = [_("开户银行：不超过100个字")]
    if not account:
        errors["bank_account"] = [_("银行账号：必填")]
    elif not _ACCOUNT.match(account):
        errors["bank_account"] = [_("银行账号：应为8至30位数字")]
    if not holder:
        errors["account_holder"] = [_("账户名称：必填，应与企业名称一致")]
    elif len(holder) > 200:
        errors["account_holder"] = [_("账户名称：不超过200个字")]
    phone = (form.contact_phone or "").strip()
    if phone and not re.match(r"^[0-9+\-() ]{5,32}$", phone):
        errors["contact_phone"] = [_("联系电话：只能包含数字和 + - ( )")]
    if lane == Lane.AUTO and not form.consent:
        errors["consent"] = [_("免申即享需勾选同意：同意以平台已有数据核定并拨付")]
    if len(form.statement or "") > 2000:
        errors["statement"] = [_("申报说明：不超过2000字")]
    if errors:
        raise ValidationFailed(errors)
    return ClaimForm(bank_name=bank_name, bank_account=account, account_holder=holder,
                     contact_name=(form.contact_name or "").strip()[:64], contact_phone=phone,
                     statement=(form.statement or "").strip(), consent=bool(form.consent))


@transaction.atomic
def declared_facts_set(*, actor, enterprise: Enterprise, inputs, values: dict[str, Any]
                       ) -> list["DeclaredFact"]:
    """Record the yearly figures an enterprise typed in where its answer lacks data (all or
    nothing; audited). ``inputs``: the ``present.FactInput``s the page offered; ``values``:
    what was typed, by input name. Empty inputs are skipped; a figure the registry already has
    is refused (the registry wins; a correction goes through the registry)."""
    from innolink.enterprises.models import EnterpriseYear, IndicatorDefinition
    from innolink.policies.models import DeclaredFact
    from innolink.policies.present import parse_fact

    negative = set(IndicatorDefinition.objects.filter(allow_negative=True).values_list("code", flat=True))
    errors: dict[str, list[str]] = {}
    typed = []
    for item in inputs:
        raw = str(values.get(item.name) or "").strip()
        if not raw:
            continue
        if len(raw) > 32:
            errors[item.name] = [_("%(l)s：不超过32个字符") % {"l": item.label}]
            continue
        try:
            typed.append((item, parse_fact(raw, item, allow_negative=item.code in negative)))
        except ValueError as exc:
            errors[item.name] = [_("%(l)s：%(e)s") % {"l": item.label, "e": exc}]
    if not typed and not errors and inputs:
        errors[inputs[0].name] = [_("%(l)s：请填写") % {"l": inputs[0].label}]
    if errors:
        raise ValidationFailed(errors)
    known = {(y, code) for y, row in EnterpriseYear.objects.filter(
        enterprise=enterprise, year__in={i.year for i, _v in typed}).values_list("year", "values")
        for code, v in row.items() if v not in (None, "")}
    clash = [i for i, _v in typed if (i.year, i.code) in known]
    if clash:
        raise Conflict(_("平台已有%(l)s，以平台数据为准；如有误请联系政策咨询窗口更正") % {
            "l": clash[0].label}, code=FACT_KNOWN)
    out = []
    for item, value in typed:
        row = DeclaredFact.objects.select_for_update().filter(
            enterprise=enterprise, year=item.year, code=item.code).first()
        by = actor if getattr(actor, "is_authenticated", False) else None
        if row is None:
            row = DeclaredFact.objects.create(enterprise=enterprise, year=item.year, code=item.code,
                                              value=value, declared_by=by)
            audit_record(actor=actor, action="create", instance=row,
                         changes={"value": [None, value]}, note=f"{item.year} {item.code}")
        elif row.value != value:
            audit_record(actor=actor, action="update", instance=row,
                         changes={"value": [row.value, value]}, note=f"{item.year} {item.code}")
            row.value, row.declared_by = value, by
            row.save(update_fields=["value", "declared_by", "updated_at"])
        out.append(row)
    return out


def clause_answer(*, enterprise: Enterprise, clause: PolicyClause, year: int):
    """The engine's live answer for one clause of one enterprise (None when the policy does not
    apply in ``year``)."""
    return clause_answer_with_facts(enterprise=enterprise, clause=clause, year=year)[0]


def clause_answer_with_facts(*, enterprise: Enterprise, clause: PolicyClause, year: int,
                             items: list[dict[str, Any]] | None = None):
    """(the engine's answer for the clause or None, the record it used, the enterprise's own
    declared figures that went in ``{(code, year): value}``). ``items``: checked items typed on
    the claim form (``claim_items.parse``), added to those on record; nothing is written."""
    record, declared = fetch.record_with_declared(enterprise.pk, year)
    if record is None:
        return None, record, declared
    if items:
        spec = claim_items.spec_for(clause)
        if spec is not None:
            record = claim_items.with_items(record, spec, items, year)
    answer = fetch.explain_record(record, year, policy_ids={clause.version.policy.code})
    for item in (*answer.eligible, *answer.not_eligible):
        if item.clause_id == clause.code:
            return item, record, declared
    return None, record, declared


MATERIAL_EXTENSIONS = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls",
                       ".xlsx", ".zip")
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
OTHER_MATERIAL = "其他材料"


def _check_materials(version: PolicyVersion, materials) -> list[tuple[str, Any]]:
    """(material name, uploaded file) pairs, checked; errors name the material and the rule."""
    import os

    allowed = set(version.materials) | {OTHER_MATERIAL}
    errors: list[str] = []
    checked = []
    for name, upload in materials:
        name = (name or "").strip()
        label = name or _("材料")
        if name not in allowed:
            errors.append(_("材料名称「%(n)s」不在本政策的申报材料清单中") % {"n": label})
            continue
        ext = os.path.splitext(upload.name or "")[1].lower()
        if ext not in MATERIAL_EXTENSIONS:
            errors.append(_("%(n)s：文件类型应为 %(e)s") % {"n": label, "e": "、".join(MATERIAL_EXTENSIONS)})
        elif upload.size > MATERIAL_MAX_BYTES:
            errors.append(_("%(n)s：文件不能超过10MB") % {"n": label})
        elif upload.size == 0:
            errors.append(_("%(n)s：文件为空") % {"n": label})
        else:
            checked.append((name, upload))
    if errors:
        raise ValidationFailed({"materials": errors})
    return checked


def _save_materials(*, actor, application: Application, materials: list[tuple[str, Any]]) -> list:
    rows = []
    for name, upload in materials:
        row = ApplicationMaterial(application=application, name=name,
                                  original_name=(upload.name or "")[:200], size=upload.size,
                                  uploaded_by=actor if getattr(actor, "is_authenticated", False)
                                  else None)
        row.file.save(upload.name or "file", upload, save=False)
        row.save()
        audit_record(actor=actor, action="create", instance=row,
                     changes={"name": [None, name], "size": [None, upload.size]})
        rows.append(row)
    return rows


@transaction.atomic
def application_material_add(*, actor, application_id: int, materials) -> list[ApplicationMaterial]:
    """Add files to an application still under review (e.g. after a 暂缓 asking for them)."""
    application = _lock_applications([application_id])[0]
    if application.status not in Application.OPEN:
        raise Conflict(_("申请已审核，不能再补充材料"), code=NOT_OPEN)
    checked = _check_materials(application.clause.version, materials)
    if not checked:
        raise ValidationFailed({"materials": [_("请选择要上传的文件")]})
    return _save_materials(actor=actor, application=application, materials=checked)


@transaction.atomic
def application_submit(*, actor, enterprise: Enterprise, clause: PolicyClause, year: int,
                       form: ClaimForm, today: dt.date | None = None,
                       materials=(), items: list[dict[str, Any]] | None = None,
                       items_money_in: str = "万元") -> Application:
    """Step 2 of 免申即享 (consent + bank account) or a 快申快享 application. The amount is the
    engine's, computed now from the registry; the enterprise types nothing the platform knows,
    except the items a clause reads per item (``items``: ``[{"label": …, fact: typed}]``, money
    in 万元 as the form types it, or in 元 with ``items_money_in="元"`` as the API sends it), which
    are checked, counted in the amount and recorded with the application."""
    today = today or _today()
    year = check_year(year)
    version = clause.version
    if clause.retired:
        raise Conflict(_("该条款已从政策规则中移除，不能再申请"), code=CLAUSE_RETIRED)
    if not version.covers_year(year):
        raise ValidationFailed({"year": [_("该政策条款不适用于 %(y)s 年度") % {"y": year}]})
    form = _check_form(form, version.lane)
    spec = claim_items.spec_for(clause)
    if items and spec is None:
        raise ValidationFailed({"items": [_("该条款不按项目申报")]})
    checked_items = claim_items.parse(spec, list(items), year, money_in=items_money_in) if items else []
    checked_materials = _check_materials(version, materials)
    if Application.objects.filter(enterprise=enterprise, clause=clause, year=year).exists():
        raise Conflict(_("本年度该条款已提交过，请在「我的申请」中查看进度"), code=ALREADY_APPLIED)
    answer, _record, declared = clause_answer_with_facts(enterprise=enterprise, clause=clause,
                                                        year=year, items=checked_items)
    if answer is None or not answer.eligible or answer.amount <= 0:
        reasons = [m.message for m in answer.misses] if answer else []
        raise Conflict(_("按平台数据，贵企业暂不符合该条款：%(reasons)s") % {
            "reasons": _("；").join(reasons[:3])} if reasons else _("按平台数据，贵企业暂不符合该条款"),
                       code=NOT_ELIGIBLE, extra={"misses": reasons})
    eligibility, created = Eligibility.objects.get_or_create(
        clause=clause, enterprise=enterprise, year=year,
        defaults={"amount": answer.amount, "gross": answer.gross, "first_found_on": today})
    if created:
        audit_record(actor=actor, action="create", instance=eligibility,
                     changes={"amount": [None, answer.amount]}, note="found on application")
    application = Application.objects.create(
        enterprise=enterprise, clause=clause, year=year, lane=version.lane,
        amount_expected=answer.amount, bank_name=form.bank_name, bank_account=form.bank_account,
        account_holder=form.account_holder, contact_name=form.contact_name,
        contact_phone=form.contact_phone, statement=form.statement, consent=form.consent,
        declared=_declared_json(declared, clause.rule), eligible_since=eligibility.first_found_on,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_on=add_working_days(today, version.review_days))
    audit_record(actor=actor, action="create", instance=application, changes=audit_diff({}, {
        "status": application.status, "amount_expected": application.amount_expected,
        "lane": application.lane, "bank_account": application.bank_account,
        **({"declared": application.declared} if application.declared else {})}))
    _save_materials(actor=actor, application=application, materials=checked_materials)
    if checked_items:
        _save_items(actor=actor, application=application, spec=spec, items=checked_items)
    return application


def _save_items(*, actor, application: Application, spec, items: list[dict[str, Any]]) -> list:
    """The application's items as registry rows (source 申报, reference = the application), so
    the scan and the officer read what the amount was computed from; audited one by one."""
    from innolink.enterprises.models import EnterpriseItem

    rows = []
    for n, item in enumerate(items, start=1):
        row = EnterpriseItem.objects.create(
            enterprise=application.enterprise, kind=spec.kind, year=application.year,
            key=f"A{application.pk}-{n}", label=item["label"][:200], facts=item["facts"],
            source=EnterpriseItem.Source.APPLICATION, reference=str(application.pk))
        audit_record(actor=actor, action="create", instance=row, changes={
            "kind": [None, row.kind], "year": [None, row.year], "key": [None, row.key],
            "label": [None, row.label], "facts": [None, row.facts]}, note=f"申请 #{application.pk}")
        rows.append(row)
    return rows


def application_items(application: Application) -> list:
    """The items an application listed (for the officer, against the materials)."""
    from innolink.enterprises.models import EnterpriseItem

    return list(EnterpriseItem.objects.filter(
        enterprise_id=application.enterprise_id, source=EnterpriseItem.Source.APPLICATION,
        reference=str(application.pk)).order_by("id"))


def _declared_json(declared: dict[tuple[str, int], str], rule: Any) -> dict[str, dict[str, str]]:
    """The declared figures the clause's rule refers to, ``{"2025": {code: value}}``."""
    used = rule_codes(rule)
    out: dict[str, dict[str, str]] = {}
    for (code, year), value in sorted(declared.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if code in used:
            out.setdefault(str(year), {})[code] = value
    return out


def claim_staged(*, actor, clause: PolicyClause, year: int) -> list:
    from innolink.policies.models import StagedMaterial

    return list(StagedMaterial.objects.filter(user=actor, clause=clause, year=year).order_by("id"))


@transaction.atomic
def claim_stage(*, actor, clause: PolicyClause, year: int, materials) -> list:
    """Keep the material files of a claim form that is about to be checked, so a refused
    submission does not lose them (a file chosen again for the same material replaces it)."""
    from innolink.policies.models import StagedMaterial

    checked = _check_materials(clause.version, materials)
    for name, upload in checked:
        old = StagedMaterial.objects.filter(user=actor, clause=clause, year=year, name=name).first()
        if old is not None:
            stale = old.file.name
            old.delete()
            transaction.on_commit(lambda n=stale: _remove_file(n))
        row = StagedMaterial(user=actor, clause=clause, year=year, name=name,
                             original_name=(upload.name or "")[:200], size=upload.size)
        row.file.save(upload.name or "file", upload, save=False)
        row.save()
    return claim_staged(actor=actor, clause=clause, year=year)


def _remove_file(name: str) -> None:
    from django.core.files.storage import default_storage

    if name and default_storage.exists(name):
        default_storage.delete(name)


@transaction.atomic
def application_submit_staged(*, actor, enterprise: Enterprise, clause: PolicyClause, year: int,
                              form: ClaimForm, today: dt.date | None = None,
                              items: list[dict[str, Any]] | None = None) -> Application:
    """``application_submit`` with the materials staged for this claim; they become the
    application's materials and leave the staging area."""
    from django.core.files import File

    staged = claim_staged(actor=actor, clause=clause, year=year)
    files = [(row.name, File(row.file.open("rb"), name=row.original_name)) for row in staged]
    try:
        application = application_submit(actor=actor, enterprise=enterprise, clause=clause,
                                          year=year, form=form, today=today, materials=files,
                                          items=items)
    finally:
        for _name, handle in files:
            handle.close()
    for row in staged:
        name = row.file.name
        row.delete()
        transaction.on_commit(lambda n=name: _remove_file(n))
    return application


def _lock_applications(ids: list[int]) -> list[Application]:
    if not all(is_id(i) for i in ids):
        raise NotFound()
    rows = list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    found = {a.pk for a in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound()
    return list(Application.objects.filter(pk__in=ids).select_related(
        "clause__version__policy", "enterprise").order_by("pk"))


def _lock_budgets(version_ids: set[int]) -> dict[int, Budget]:
    return {b.version_id: b for b in
            Budget.objects.select_for_update().filter(version_id__in=version_ids).order_by("pk")}


def _post(*, actor, application: Application, kind: str, amount: Decimal, note: str,
          on: dt.date) -> uuid.UUID:
    posting = uuid.uuid4()
    version = application.clause.version
    shares = tuple((lvl, int(n)) for lvl, n in version.shares)
    rows = [LedgerEntry(posting=posting, version=version, application=application,
                        enterprise_id=application.enterprise_id, kind=kind, level=lvl,
                        amount=_yuan(fen), note=note[:300], booked_on=on,
                        created_by=actor if getattr(actor, "is_authenticated", False) else None)
            for lvl, fen in split_by_shares(_fen(amount), shares)]
    LedgerEntry.objects.bulk_create(rows)
    return posting


def _enterprise_users(enterprise_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id,
                                    is_active=True))


def _decidable(application: Application) -> None:
    if application.status not in Application.DECIDABLE:
        raise Conflict(_("申请 #%(n)s 当前状态为「%(s)s」，不能再审核") % {
            "n": application.pk, "s": application.get_status_display()}, code=NOT_DECIDABLE)


def missing_materials(application: Application, have: set[str] | None = None) -> list[str]:
    """The required materials of a 快申快享 application with no file attached yet (a 免申即享
    claim is decided on the platform's data and needs none). ``have``: the names attached, when
    the caller already read them."""
    version = application.clause.version
    if application.lane != Lane.APPLY or not version.materials:
        return []
    if have is None:
        have = set(application.materials.values_list("name", flat=True))
    return [name for name in version.materials if name not in have]


OVERRIDE_MIN_CHARS = 4


def _materials_gate(applications: list[Application], override_reason: str) -> dict[int, list[str]]:
    """Application id -> the required materials it lacks, for those approved by override; a
    refusal naming them when there is no override reason."""
    attached: dict[int, set[str]] = defaultdict(set)
    for application_id, name in ApplicationMaterial.objects.filter(
            application_id__in=[a.pk for a in applications]).values_list("application_id", "name"):
        attached[application_id].add(name)
    lacking = {a.pk: m for a in applications if (m := missing_materials(a, attached[a.pk]))}
    if not lacking:
        return {}
    reason = (override_reason or "").strip()
    if len(reason) >= OVERRIDE_MIN_CHARS:
        if len(reason) > 300:
            raise ValidationFailed({"override_reason": [_("越过材料检查的理由：不超过300字")]})
        return lacking
    if reason:
        raise ValidationFailed({"override_reason": [
            _("越过材料检查的理由：至少%(n)s个字") % {"n": OVERRIDE_MIN_CHARS}]})
    parts = [_("申请 #%(n)s 缺少：%(m)s") % {"n": pk, "m": "、".join(m)} for pk, m in lacking.items()]
    raise Conflict(_("必需材料未齐，未批准任何申请。%(list)s。请待企业补齐，或在单条申请上填写理由后越过此检查（记入审计）。") % {
        "list": "；".join(parts[:5]) + ("……" if len(parts) > 5 else "")},
        code=MATERIALS_MISSING, extra={"missing": {str(k): v for k, v in lacking.items()}})


def _prorations(applications: list[Application], budgets: dict[int, Budget]) -> dict:
    """version id -> Proration for the pro-rata versions whose budget is short now (read with
    the budget rows already locked, so concurrent approvals see each other's commitments)."""
    out = {}
    for application in applications:
        version = application.clause.version
        if version.pk in out or version.pk not in budgets:
            continue
        proration = budget_proration(version, budgets[version.pk])
        if proration is not None and proration.applies:
            out[version.pk] = proration
    return out


@transaction.atomic
def application_bulk_approve(*, actor, application_ids: list[int], note: str = "",
                             amounts: dict[int, Decimal] | None = None,
                             on: dt.date | None = None,
                             override_reason: str = "") -> list[Application]:
    """Approve applications and commit their amounts against each policy budget. All or
    nothing: if any application cannot be approved or any budget would be exceeded, nothing is
    written and the message says which and by how much.

    The budget rows are locked with SELECT … FOR UPDATE (in a fixed order), so concurrent
    approvals queue and the sum of commitments never exceeds the budget.

    For a ``pro_rata`` policy whose remaining budget is short of the outstanding demand, each
    amount is scaled by remaining / demand and rounded down to the fen (ADR 0122); an amount
    given by the officer may not exceed the scaled one.

    A 快申快享 application lacking one of its version's required materials is refused
    (``materials_missing``) unless the officer gives ``override_reason``; the override and the
    missing materials are then written into the application's audit entry."""
    on = on or _today()
    ids = sorted({parse_id(i) for i in application_ids})
    if not ids:
        raise ValidationFailed({"ids": [_("请至少选择一条申请")]})
    applications = _lock_applications(ids)
    amounts = amounts or {}
    for application in applications:
        _decidable(application)
    override = _materials_gate(applications, override_reason)
    budgets = _lock_budgets({a.clause.version_id for a in applications})
    prorations = _prorations(applications, budgets)
    need: dict[int, Decimal] = defaultdict(Decimal)
    granted: dict[int, Decimal] = {}
    for application in applications:
        proration = prorations.get(application.clause.version_id)
        ceiling = application.amount_expected
        if proration is not None:
            ceiling = _yuan(proration.scale(_fen(application.amount_expected)))
        amount = amounts.get(application.pk, ceiling)
        if amount <= 0 or amount > ceiling:
            if proration is not None:
                message = _("批准金额应大于0且不超过按比例核减后的 %(a)s 元（%(n)s，测算金额 %(e)s 元）") % {
                    "a": ceiling, "n": proration.notice, "e": application.amount_expected}
            else:
                message = _("批准金额应大于0且不超过测算金额 %(a)s 元") % {
                    "a": application.amount_expected}
            raise ValidationFailed({"amount": [message]})
        granted[application.pk] = amount
        need[application.clause.version_id] += amount
    for version_id, amount in need.items():
        budget = budgets[version_id]
        if budget.committed + amount > budget.total:
            version = applications[[a.clause.version_id for a in applications].index(version_id)].clause.version
            raise Conflict(_("预算不足：《%(t)s》剩余 %(left)s，本次需 %(need)s，未批准任何申请") % {
                "t": version.policy.title, "left": _wan(budget.total - budget.committed),
                "need": _wan(amount)}, code=BUDGET_EXCEEDED,
                extra={"policy": version.policy.code, "available": str(budget.total - budget.committed),
                       "requested": str(amount)})
    now = timezone.now()
    for version_id, amount in need.items():
        budget = budgets[version_id]
        audit_record(actor=actor, action="update", instance=budget,
                     changes={"committed": [budget.committed, budget.committed + amount]})
        budget.committed += amount
        budget.save(update_fields=["committed"])
    for application in applications:
        amount = granted[application.pk]
        proration = prorations.get(application.clause.version_id)
        scaled_note = ""
        if proration is not None:
            scaled_note = "；".join(proration.steps(_fen(application.amount_expected)))
        before = snapshot(application, ["status", "amount_approved", "decision_note"])
        application.status = Application.Status.APPROVED
        application.amount_approved = amount
        application.decided_at = now
        application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        application.decision_note = note[:500]
        application.save(update_fields=["status", "amount_approved", "decided_at", "decided_by",
                                        "decision_note"])
        _post(actor=actor, application=application, kind=LedgerEntry.Kind.COMMITMENT,
              amount=amount, note=_("批准承诺") + (f"（{proration.notice}）" if proration else ""),
              on=on)
        missing = override.get(application.pk)
        if missing:
            scaled_note = "；".join(filter(None, [scaled_note, "materials override: {} (missing: {})".format(
                override_reason.strip(), "、".join(missing))]))[:300]
        audit_record(actor=actor, action="transition", instance=application,
                     changes=audit_diff(before, snapshot(application, list(before))),
                     note=scaled_note)
        body, params = N_("批准金额 %(a)s，资金将按批次拨付。"), {"a": money_msg(amount)}
        if proration is not None:
            body = N_("批准金额 %(a)s（%(n)s，测算金额 %(e)s），资金将按批次拨付。")
            params.update(n=msg(proration.notice.msgid, **proration.notice.params),
                          e=money_msg(application.amount_expected))
        notify(recipients=_enterprise_users(application.enterprise_id), kind="policies.approved",
               title=N_("申请已批准：%(c)s"), body=body,
               params={"c": application.clause.title, **params},
               url=f"/policies/applications/{application.pk}/")
    return applications


def application_approve(*, actor, application_id: int, amount: Any = None,
                        note: str = "", on: dt.date | None = None,
                        override_reason: str = "") -> Application:
    """Approve one application; ``amount`` (yuan, text or Decimal; parsed here, for the page
    and the API alike) overrides the computed one."""
    if amount is not None:
        amount = parse_money(amount, "amount", _("批准金额"))
    amounts = {application_id: amount} if amount is not None else None
    return application_bulk_approve(actor=actor, application_ids=[application_id], note=note,
                                    amounts=amounts, on=on, override_reason=override_reason)[0]


def _reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed({"reason": [_("%(l)s：必填，至少2个字") % {"l": label}]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("%(l)s：不超过500字") % {"l": label}]})
    return reason


def _decide(*, actor, application_id: int, status: str, reason: str, label: str,
            allowed: tuple) -> Application:
    reason = _reason(reason, label)
    application = _lock_applications([application_id])[0]
    if application.status not in allowed:
        raise Conflict(_("申请 #%(n)s 当前状态为「%(s)s」，不能执行此操作") % {
            "n": application.pk, "s": application.get_status_display()}, code=NOT_DECIDABLE)
    before = snapshot(application, ["status", "decision_note"])
    application.status = status
    application.decision_note = reason
    application.decided_at = timezone.now()
    application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    application.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    audit_record(actor=actor, action="transition", instance=application,
                 changes=audit_diff(before, snapshot(application, list(before))))
    notify(recipients=_enterprise_users(application.enterprise_id), kind=f"policies.{status}",
           title=N_("申请%(s)s：%(c)s"), params={"s": choice_msg(application, "status"),
                                                "c": application.clause.title},
           note=reason, url=f"/policies/applications/{application.pk}/")
    return application


@transaction.atomic
def application_reject(*, actor, application_id: int, reason: str) -> Application:
    return _decide(actor=actor, application_id=application_id, status=Application.Status.REJECTED,
                   reason=reason, label=_("不予通过的理由"), allowed=Application.DECIDABLE)


@transaction.atomic
def application_defer(*, actor, application_id: int, reason: str) -> Application:
    return _decide(actor=actor, application_id=application_id, status=Application.Status.DEFERRED,
                   reason=reason, label=_("暂缓的理由"), allowed=(Application.Status.SUBMITTED,))


@transaction.atomic
def application_pay(*, actor, application_id: int, amount: Any, note: str = "",
                    on: dt.date | None = None) -> Application:
    """Record one instalment. The sum of instalments never exceeds the approved amount."""
    on = on or _today()
    amount = parse_money(amount, "amount", _("拨付金额"))
    application = _lock_applications([application_id])[0]
    if application.status not in Application.PAYABLE:
        raise Conflict(_("申请 #%(n)s 当前状态为「%(s)s」，不能拨付") % {
            "n": application.pk, "s": application.get_status_display()}, code=NOT_PAYABLE)
    if amount > application.remaining:
        raise ValidationFailed({"amount": [_("拨付金额：不能超过未拨付余额 %(r)s 元") % {
            "r": application.remaining}]})
    budget = _lock_budgets({application.clause.version_id})[application.clause.version_id]
    audit_record(actor=actor, action="update", instance=budget,
                 changes={"paid": [budget.paid, budget.paid + amount]})
    budget.paid += amount
    budget.save(update_fields=["paid"])
    before = snapshot(application, ["status", "paid_total", "paid_on"])
    application.paid_total += amount
    if application.remaining == 0:
        application.status = Application.Status.PAID
        application.paid_on = on
    else:
        application.status = Application.Status.PARTIALLY_PAID
    application.save(update_fields=["status", "paid_total", "paid_on"])
    _post(actor=actor, application=application, kind=LedgerEntry.Kind.PAYMENT, amount=amount,
          note=note or _("拨付"), on=on)
    audit_record(actor=actor, action="transition", instance=application,
                 changes=audit_diff(before, snapshot(application, list(before))))
    notify(recipients=_enterprise_users(application.enterprise_id), kind="policies.paid",
           title=N_("资金已拨付：%(c)s"), body=N_("本次拨付 %(a)s，累计 %(t)s。"),
           params={"c": application.clause.title, "a": money_msg(amount),
                   "t": money_msg(application.paid_total)},
           url=f"/policies/applications/{application.pk}/")
    return application


@transaction.atomic
def ledger_reverse(*, actor, posting: uuid.UUID, reason: str, on: dt.date | None = None
                   ) -> list[LedgerEntry]:
    """Correct a posting with reversing entries (the original entries are never touched).

    Reversing a payment lowers what was paid; reversing a commitment (only when nothing of it
    was paid) returns the application to review and frees the budget."""
    on = on or _today()
    reason = _reason(reason, _("冲正原因"))
    entries = list(LedgerEntry.objects.filter(posting=posting).order_by("pk"))
    if not entries:
        raise NotFound()
    if any(e.reverses_id for e in entries):
        raise Conflict(_("冲正分录不能再次冲正"), code=ALREADY_REVERSED)
    if LedgerEntry.objects.filter(reverses__in=entries).exists():
        raise Conflict(_("该批次已冲正"), code=ALREADY_REVERSED)
    total = sum((e.amount for e in entries), Decimal("0.00"))
    kind = entries[0].kind
    application = _lock_applications([entries[0].application_id])[0]
    budget = _lock_budgets({entries[0].version_id})[entries[0].version_id]
    before_app = snapshot(application, ["status", "amount_approved", "paid_total", "paid_on"])
    before_budget = snapshot(budget, ["committed", "paid"])
    if kind == LedgerEntry.Kind.PAYMENT:
        budget.paid -= total
        application.paid_total -= total
        application.paid_on = None
        application.status = (Application.Status.PARTIALLY_PAID if application.paid_total > 0
                              else Application.Status.APPROVED)
    else:
        if application.paid_total > 0:
            raise Conflict(_("该承诺已有拨付，请先冲正拨付分录"), code=HAS_PAYMENTS)
        budget.committed -= total
        application.amount_approved = None
        application.status = Application.Status.SUBMITTED
        application.decision_note = reason[:500]
    budget.save(update_fields=["committed", "paid"])
    application.save(update_fields=["status", "amount_approved", "paid_total", "paid_on",
                                    "decision_note"])
    new_posting = uuid.uuid4()
    by = actor if getattr(actor, "is_authenticated", False) else None
    reversals = LedgerEntry.objects.bulk_create([
        LedgerEntry(posting=new_posting, version_id=e.version_id, application_id=e.application_id,
                    enterprise_id=e.enterprise_id, kind=e.kind, level=e.level, amount=-e.amount,
                    reverses=e, note=(_("冲正：") + reason)[:300], booked_on=on, created_by=by)
        for e in entries])
    audit_record(actor=actor, action="update", instance=budget,
                 changes=audit_diff(before_budget, snapshot(budget, list(before_budget))),
                 note=f"reversal of {posting}")
    audit_record(actor=actor, action="transition", instance=application,
                 changes=audit_diff(before_app, snapshot(application, list(before_app))),
                 note=f"reversal of {posting}: {reason}"[:300])
    return reversals


# --------------------------------------------------------------------------- working-day calendar

CALENDAR_MAX_RANGE_DAYS = 31


def _calendar_date(value: Any, field_name: str, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed({field_name: [_("%(l)s：应为日期，如 2027-10-01") % {"l": label}]})


def _calendar_changed() -> None:
    from innolink.policies.workdays import reset_cache

    reset_cache()
    transaction.on_commit(reset_cache)


@transaction.atomic
def calendar_days_add(*, actor, start: Any, end: Any = None, kind: str, name: str
                      ) -> list[CalendarDay]:
    """Add public holidays (a range, e.g. 国庆节 10-01 to 10-07) or make-up working days (调休上班,
    each a Saturday or Sunday) to the working-day calendar. All or nothing: a date that is
    already in the calendar (as either kind) refuses the whole request."""
    start = _calendar_date(start, "start", _("开始日期"))
    end = start if end in (None, "") else _calendar_date(end, "end", _("结束日期"))
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = [_("类别：应为放假或调休上班")]
    if not name:
        errors["name"] = [_("节日名称：必填，如 国庆节")]
    elif len(name) > 32:
        errors["name"] = [_("节日名称：不超过32个字")]
    if end < start:
        errors["end"] = [_("结束日期不能早于开始日期")]
    elif (end - start).days >= CALENDAR_MAX_RANGE_DAYS:
        errors["end"] = [_("一次最多登记 %(n)s 天") % {"n": CALENDAR_MAX_RANGE_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if kind == CalendarDay.Kind.WORKDAY:
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            raise ValidationFailed({"start": [
                _("调休上班日应为周六或周日；%(d)s 本来就是工作日") % {"d": weekdays[0].isoformat()}]})
    existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(
        date__in=days)}
    clashes = []
    for day in days:
        row = existing.get(day)
        if row is None:
            continue
        if row.kind != kind:
            clashes.append(_("%(d)s 已登记为「%(k)s」（%(n)s），不能同时为「%(new)s」") % {
                "d": day.isoformat(), "k": row.get_kind_display(), "n": row.name,
                "new": CalendarDay.Kind(kind).label})
        else:
            clashes.append(_("%(d)s 已登记为「%(k)s」（%(n)s）") % {
                "d": day.isoformat(), "k": row.get_kind_display(), "n": row.name})
    if clashes:
        raise Conflict("；".join(clashes[:3]), code=CALENDAR_DAY_EXISTS,
                       extra={"dates": [d.isoformat() for d in days if d in existing]})
    rows = [CalendarDay.objects.create(date=day, kind=kind, name=name) for day in days]
    for row in rows:
        audit_record(actor=actor, action="create", instance=row, changes={
            "date": [None, row.date], "kind": [None, row.kind], "name": [None, row.name]})
    _calendar_changed()
    return rows


@transaction.atomic
def calendar_day_delete(*, actor, day_id: Any) -> CalendarDay:
    """Remove one day from the calendar (a holiday or make-up day entered by mistake)."""
    row = CalendarDay.objects.select_for_update().filter(pk=parse_id(day_id)).first()
    if row is None:
        raise NotFound()
    audit_record(actor=actor, action="delete", instance=row, changes={
        "date": [row.date, None], "kind": [row.kind, None], "name": [row.name, None]})
    row.delete()
    _calendar_changed()
    return row


# --------------------------------------------------------------------------- rule revisions (ADR 0150)

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
