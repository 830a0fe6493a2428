"""An officer's decisions on applications: approval under the budget lock (pro rata when the
budget is short), rejection, deferral, instalment payments and ledger reversals."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.messages import choice_msg, money_msg, msg
from innolink.core.notifications import notify
from innolink.engines.rules import split_by_shares
from innolink.policies.selectors import budget_proration
from innolink.policies.models import (
    Application,
    ApplicationMaterial,
    Budget,
    Lane,
    LedgerEntry,
)
from innolink.core.ids import parse_id
from innolink.policies.errors import (
    ALREADY_REVERSED,
    BUDGET_EXCEEDED,
    HAS_PAYMENTS,
    MATERIALS_MISSING,
    NOT_DECIDABLE,
    NOT_PAYABLE,
)
from innolink.policies.services._common import (
    _fen,
    _lock_applications,
    _today,
    _wan,
    _yuan,
    parse_money,
)


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
