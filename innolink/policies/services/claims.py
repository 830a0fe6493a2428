"""An enterprise's claims: the claim form, declared figures, live answers, materials (staged
and attached) and the submission of an application in either lane."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import Conflict, ValidationFailed
from innolink.engines.rules.parse import rule_codes
from innolink.enterprises.models import Enterprise
from innolink.policies import claim_items, fetch
from innolink.policies.models import (
    Application,
    ApplicationMaterial,
    DeclaredFact,
    Eligibility,
    Lane,
    PolicyClause,
    PolicyVersion,
)
from innolink.policies.workdays import add_working_days
from innolink.policies.errors import (
    ALREADY_APPLIED,
    CLAUSE_RETIRED,
    FACT_KNOWN,
    NOT_ELIGIBLE,
    NOT_OPEN,
)
from innolink.policies.services._common import (
    _lock_applications,
    _today,
    check_year,
)


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
