"""Every write of the compute platform: providers and their approval, resources, workload
requests, bookings (capacity checked under a row lock), usage reports and the 算力券's payments
through the policy ledger, and the AI-scenario catalogue.

Each service is keyword-only, runs in one transaction and writes its audit entries there.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.compute import access, fetch, voucher
from innolink.compute.models import (
    SCENARIO_KINDS,
    AvailabilityWindow,
    Booking,
    Provider,
    ProviderMember,
    Resource,
    ScenarioMatch,
    ScenarioNeed,
    Solution,
    Tally,
    UsageReport,
    VoucherPayment,
    VoucherTopUp,
    WorkloadRequest,
)
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.messages import choice_msg
from innolink.core.notifications import notify
from innolink.core.money import MoneyInvalid, column_limits, parse_money
from innolink.engines.compute import ACCELERATORS, CLASSES, HOURS_PER_DAY, KINDS, MAX_WINDOW_DAYS, REGIONS
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.core.ids import parse_id
from innolink.compute.errors import (
    ALREADY_DECIDED,
    ALREADY_MATCHED,
    ALREADY_REGISTERED,
    BELOW_BOOKINGS,
    BOOKING_NOT_CONFIRMED,
    BOOKING_NOT_PENDING,
    CAPACITY_TAKEN,
    MATCH_DECIDED,
    NEED_NOT_OPEN,
    OFFER_DOES_NOT_FIT,
    PROVIDER_NOT_APPROVED,
    REQUEST_NOT_OPEN,
    USAGE_NOT_HELD,
)

CENT = Decimal("0.01")
_INVOICE = re.compile(r"^[0-9A-Za-z\-]{8,40}$")


def _today() -> dt.date:
    return timezone.localdate()


_id = parse_id  # the one id helper (innolink.core.ids)


def _text(value: Any, field: str, label: str, errors: dict, *, required: bool = True,
          limit: int = 120) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        errors[field] = [_("%(l)s：必填") % {"l": label}]
    elif len(text) > limit:
        errors[field] = [_("%(l)s：不超过%(n)s字") % {"l": label, "n": limit}]
    return text


def _int(value: Any, field: str, label: str, errors: dict, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
        if not low <= number <= high:
            raise ValueError
        return number
    except (TypeError, ValueError):
        errors[field] = [_("%(l)s：应为 %(a)s 至 %(b)s 之间的整数") % {"l": label, "a": low, "b": high}]
        return low


def _date(value: Any, field: str, label: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[field] = [_("%(l)s：应为日期，如 2026-12-01") % {"l": label}]
        return None


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _tally(*, month: str, town: str, **increments) -> None:
    row, _created = Tally.objects.get_or_create(month=month, town=town or "")
    Tally.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in increments.items()})


# ------------------------------------------------------------------------------ providers

def _provider_of(actor) -> Provider:
    provider = access.provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("请先登记服务商信息"))
    return provider


def _approved_provider(actor) -> Provider:
    provider = _provider_of(actor)
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(_("服务商资质尚在审核中，审核通过后才能发布资源和方案"), code=PROVIDER_NOT_APPROVED)
    return provider


@transaction.atomic
def provider_register(*, actor, name: str, kind: str, description: str = "",
                      region: str = "jinjiang") -> Provider:
    """A provider account registers its company; staff approve it before it can list."""
    if not access.is_provider(actor):
        raise PermissionDenied()
    if access.provider_of(actor) is not None:
        raise Conflict(_("该账号已关联服务商"), code=ALREADY_REGISTERED)
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", _("服务商名称"), errors)
    description = _text(description, "description", _("简介"), errors, required=False, limit=2000)
    if kind not in Provider.Kind.values:
        errors["kind"] = [_("请选择服务商类型")]
    if region not in REGIONS:
        errors["region"] = [_("请选择所在地")]
    if name and Provider.objects.filter(name=name).exists():
        errors["name"] = [_("该名称已登记")]
    if errors:
        raise ValidationFailed(errors)
    provider = Provider.objects.create(name=name, kind=kind, description=description,
                                       region=region)
    ProviderMember.objects.create(user=actor, provider=provider)
    audit_record(actor=actor, action="create", instance=provider,
                 changes=audit_diff({}, {"name": name, "kind": kind, "status": provider.status}))
    return provider


@transaction.atomic
def provider_decide(*, actor, provider_id: Any, approve: bool, note: str = "") -> Provider:
    if not access.is_staff(actor):
        raise PermissionDenied()
    provider = Provider.objects.select_for_update().filter(pk=_id(provider_id)).first()
    if provider is None:
        raise NotFound()
    if provider.status != Provider.Status.PENDING:
        raise Conflict(_("该服务商已审核（%(s)s）") % {"s": provider.get_status_display()},
                       code=ALREADY_DECIDED)
    note = (note or "").strip()[:300]
    if not approve and len(note) < 2:
        raise ValidationFailed({"note": [_("不予通过须填写理由")]})
    before = snapshot(provider, ["status", "decision_note"])
    provider.status = Provider.Status.APPROVED if approve else Provider.Status.REJECTED
    provider.decided_at, provider.decided_by, provider.decision_note = timezone.now(), actor, note
    provider.save()
    audit_record(actor=actor, action="transition", instance=provider,
                 changes=audit_diff(before, snapshot(provider, list(before))))
    notify(recipients=User.objects.filter(provider_membership__provider=provider),
           kind="compute.provider_decided",
           title=N_("服务商审核结果：%(s)s"), params={"s": choice_msg(provider, "status")}, note=note,
           url="/compute/provider/")
    return provider


# ------------------------------------------------------------------------------ resources

@transaction.atomic
def resource_save(*, actor, resource_id: Any = None, name: str, accelerator: str,
                  cards_per_node: Any, nodes: Any, memory_gb: Any, price: Any, region: str,
                  windows: list[tuple[Any, Any]], description: str = "",
                  active: bool = True) -> Resource:
    """List or change a compute resource with its availability windows. Cards may not shrink
    below what existing bookings hold on any day."""
    provider = _approved_provider(actor)
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", _("资源名称"), errors)
    description = _text(description, "description", _("说明"), errors, required=False, limit=300)
    if accelerator not in ACCELERATORS:
        errors["accelerator"] = [_("请选择加速卡型号")]
    cards_per_node = _int(cards_per_node, "cards_per_node", _("每节点卡数"), errors, 1, 16)
    nodes = _int(nodes, "nodes", _("节点数"), errors, 1, 4096)
    memory_gb = _int(memory_gb, "memory_gb", _("单卡显存（GB）"), errors, 4, 512)
    try:
        price = Decimal(str(price).strip())
        if price <= 0 or price > 10000 or price != price.quantize(CENT):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["price"] = [_("单价：应为大于0的金额（元/卡时），最多两位小数")]
        price = Decimal("0")
    if region not in REGIONS:
        errors["region"] = [_("请选择数据处理地")]
    spans = []
    for i, (start, end) in enumerate(windows):
        if not start and not end:
            continue
        s = _date(start, "windows", _("可用开始日期"), errors)
        e = _date(end, "windows", _("可用结束日期"), errors)
        if s and e:
            if e < s:
                errors["windows"] = [_("可用时段的结束日期不能早于开始日期")]
            elif (e - s).days > 366:
                errors["windows"] = [_("一个可用时段最长一年")]
            else:
                spans.append((s, e))
    if not spans and "windows" not in errors:
        errors["windows"] = [_("至少填写一个可用时段")]
    if errors:
        raise ValidationFailed(errors)
    values = {"name": name, "accelerator": accelerator, "cards_per_node": cards_per_node,
              "nodes": nodes, "memory_gb": memory_gb, "price": price, "region": region,
              "description": description, "active": bool(active)}
    if resource_id is None:
        resource = Resource.objects.create(provider=provider, **values)
        before = {}
    else:
        resource = Resource.objects.select_for_update().filter(
            pk=_id(resource_id), provider=provider).first()
        if resource is None:
            raise NotFound()
        before = snapshot(resource, list(values))
        for key, value in values.items():
            setattr(resource, key, value)
        resource.save()
        resource.windows.all().delete()
    AvailabilityWindow.objects.bulk_create([AvailabilityWindow(resource=resource, start=s, end=e)
                                            for s, e in spans])
    if before:
        held = fetch.held_cards_peak(resource)
        if held > resource.total_cards:
            raise Conflict(_("已有预订在某天占用 %(n)s 张卡，资源卡数不能少于此数") % {"n": held},
                           code=BELOW_BOOKINGS)
    audit_record(actor=actor, action="update" if before else "create", instance=resource,
                 changes=audit_diff(before, values), note=f"windows {spans}"[:300])
    return resource


# ------------------------------------------------------------------------------ requests

@transaction.atomic
def request_create(*, actor, title: str, kind: str, card_hours: Any, accelerator_class: str,
                   earliest: Any, deadline: Any, residency: str,
                   min_memory_gb: Any = 0) -> WorkloadRequest:
    if not access.is_enterprise(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", _("用途"), errors)
    if kind not in KINDS:
        errors["kind"] = [_("请选择负载类型")]
    card_hours = _int(card_hours, "card_hours", _("所需卡时"), errors, 1, 10_000_000)
    if accelerator_class not in CLASSES:
        errors["accelerator_class"] = [_("请选择加速卡等级")]
    min_memory_gb = _int(min_memory_gb or 0, "min_memory_gb", _("单卡显存"), errors, 0, 512)
    if residency not in REGIONS:
        errors["residency"] = [_("请选择数据驻留要求")]
    earliest = _date(earliest, "earliest", _("最早开始"), errors)
    deadline = _date(deadline, "deadline", _("最晚完成"), errors)
    if earliest and deadline:
        if earliest < _today():
            errors["earliest"] = [_("最早开始不能早于今天")]
        if deadline < earliest:
            errors["deadline"] = [_("最晚完成不能早于最早开始")]
        elif (deadline - earliest).days + 1 > MAX_WINDOW_DAYS:
            errors["deadline"] = [_("一次需求的时间窗口最长 %(n)s 天") % {"n": MAX_WINDOW_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    request = WorkloadRequest.objects.create(
        enterprise_id=actor.enterprise_id, title=title, kind=kind, card_hours=card_hours,
        accelerator_class=accelerator_class, min_memory_gb=min_memory_gb, earliest=earliest,
        deadline=deadline, residency=residency, created_by=actor)
    audit_record(actor=actor, action="create", instance=request, changes=audit_diff({}, {
        "kind": kind, "card_hours": card_hours, "earliest": earliest, "deadline": deadline}))
    return request


# ------------------------------------------------------------------------------ bookings

@transaction.atomic
def booking_create(*, actor, request_id: Any, resource_id: Any) -> Booking:
    """Book the plan the engine finds on this resource for the request. The resource row is
    locked (SELECT … FOR UPDATE) while its free cards are recomputed, so of two enterprises
    booking the last free cards at once exactly one wins; the other gets a clear refusal."""
    if not access.is_enterprise(actor):
        raise PermissionDenied()
    request = WorkloadRequest.objects.select_for_update().filter(
        pk=_id(request_id), enterprise_id=actor.enterprise_id).first()
    if request is None:
        raise NotFound()
    if request.status != WorkloadRequest.Status.OPEN:
        raise Conflict(_("该需求已预订或已关闭"), code=REQUEST_NOT_OPEN)
    resource = (Resource.objects.select_for_update().filter(
        pk=_id(resource_id), active=True, provider__status=Provider.Status.APPROVED)
        .select_related("provider").first())
    if resource is None:
        raise NotFound()
    from innolink.engines.compute import check, plan

    workload = fetch.workload(request)
    misses = check(workload, fetch.offer(resource, workload))
    if misses:
        raise Conflict("；".join(misses), code=OFFER_DOES_NOT_FIT)
    found = plan(workload, fetch.offer(resource, workload))
    if found is None:
        raise Conflict(_("该资源在 %(a)s 至 %(b)s 已没有足够的空闲卡，请选择其他资源或调整时间") % {
            "a": request.earliest, "b": request.deadline}, code=CAPACITY_TAKEN)
    booking = Booking.objects.create(
        request=request, resource=resource, provider=resource.provider,
        enterprise_id=request.enterprise_id, cards=found.cards, start=found.start, end=found.end,
        card_hours=found.card_hours, price=resource.price, amount=found.cost)
    request.status = WorkloadRequest.Status.BOOKED
    request.save(update_fields=["status"])
    audit_record(actor=actor, action="create", instance=booking, changes=audit_diff({}, {
        "resource": resource.pk, "cards": found.cards, "start": found.start, "end": found.end,
        "card_hours": found.card_hours, "amount": found.cost, "status": booking.status}))
    notify(recipients=User.objects.filter(provider_membership__provider=resource.provider),
           kind="compute.booking_requested", title=N_("新的算力预订待确认：%(r)s"),
           body=N_("%(c)s 卡，%(a)s 至 %(b)s"),
           params={"r": resource.name, "c": found.cards, "a": found.start, "b": found.end},
           url=f"/compute/bookings/{booking.pk}/")
    return booking


def _lock_booking(booking_id: Any) -> Booking:
    booking = (Booking.objects.select_for_update().filter(pk=_id(booking_id))
               .select_related("enterprise", "resource", "request").first())
    if booking is None:
        raise NotFound()
    return booking


@transaction.atomic
def booking_confirm(*, actor, booking_id: Any, note: str = "") -> Booking:
    """The provider confirms: the contract counts toward the enterprise's 算力券."""
    return _booking_decide(actor=actor, booking_id=booking_id, confirm=True, note=note)


@transaction.atomic
def booking_decline(*, actor, booking_id: Any, note: str = "") -> Booking:
    """The provider declines: the cards are free again and the request reopens."""
    return _booking_decide(actor=actor, booking_id=booking_id, confirm=False, note=note)


def _booking_decide(*, actor, booking_id: Any, confirm: bool, note: str = "") -> Booking:
    """Confirm or decline (inside the caller's transaction)."""
    provider = _provider_of(actor)
    booking = _lock_booking(booking_id)
    if booking.provider_id != provider.pk:
        raise NotFound()
    if booking.status != Booking.Status.REQUESTED:
        raise Conflict(_("该预订当前为「%(s)s」，不能再确认或拒绝") % {"s": booking.get_status_display()},
                       code=BOOKING_NOT_PENDING)
    before = snapshot(booking, ["status", "note"])
    booking.status = Booking.Status.CONFIRMED if confirm else Booking.Status.DECLINED
    booking.decided_at, booking.note = timezone.now(), (note or "").strip()[:300]
    booking.save()
    if confirm:
        _tally(month=_month(booking.start), town=booking.enterprise.town,
               card_hours_booked=Decimal(booking.card_hours))
        contract_sync(actor=actor, enterprise=booking.enterprise, year=booking.start.year)
    else:
        WorkloadRequest.objects.filter(pk=booking.request_id).update(
            status=WorkloadRequest.Status.OPEN)
    audit_record(actor=actor, action="transition", instance=booking,
                 changes=audit_diff(before, snapshot(booking, list(before))))
    notify(recipients=User.objects.filter(role=Role.ENTERPRISE, enterprise=booking.enterprise,
                                          is_active=True),
           kind="compute.booking_decided", title=N_("算力预订%(s)s：%(r)s"), params={
               "s": choice_msg(booking, "status"), "r": booking.resource.name},
           note=booking.note, url=f"/compute/bookings/{booking.pk}/")
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking_id: Any) -> Booking:
    """The enterprise withdraws a booking the provider has not confirmed yet."""
    if not access.is_enterprise(actor):
        raise PermissionDenied()
    booking = _lock_booking(booking_id)
    if booking.enterprise_id != actor.enterprise_id:
        raise NotFound()
    if booking.status != Booking.Status.REQUESTED:
        raise Conflict(_("服务商已确认的预订不能在线取消，请与服务商协商"), code=BOOKING_NOT_PENDING)
    booking.status = Booking.Status.CANCELLED
    booking.decided_at = timezone.now()
    booking.save(update_fields=["status", "decided_at"])
    WorkloadRequest.objects.filter(pk=booking.request_id).update(status=WorkloadRequest.Status.OPEN)
    audit_record(actor=actor, action="transition", instance=booking,
                 changes={"status": [Booking.Status.REQUESTED, Booking.Status.CANCELLED]})
    return booking


def contract_sync(*, actor, enterprise: Enterprise, year: int) -> Decimal:
    """Keep the registry's 算力服务合同额 (``compute_contract``) of ``year`` equal to the
    enterprise's confirmed bookings on the platform, so the policy engine's 算力券 clause sees the
    contracts the platform holds (audited; the policy scan's snapshot sees the change)."""
    total = (Booking.objects.filter(enterprise=enterprise, status=Booking.Status.CONFIRMED,
                                    start__year=year).aggregate(s=Sum("amount"))["s"]
             or Decimal("0")).quantize(CENT)
    row, created = EnterpriseYear.objects.select_for_update().get_or_create(
        enterprise=enterprise, year=year, defaults={"values": {}})
    old = row.values.get(voucher.CONTRACT_FIELD)
    if old != str(total):
        row.values = {**row.values, voucher.CONTRACT_FIELD: str(total)}
        row.save()
        audit_record(actor=actor, action="create" if created else "update", instance=row,
                     changes={voucher.CONTRACT_FIELD: [old, str(total)]},
                     note="compute platform contracts", source="compute")
    return total


# ------------------------------------------------------------------------------ usage

def _hours(value: Any, errors: dict) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
        if hours <= 0 or hours != hours.quantize(CENT) or hours > Decimal("10000000"):
            raise InvalidOperation
        return hours
    except (InvalidOperation, ValueError):
        errors["card_hours"] = [_("使用卡时：应为大于0的数，最多两位小数")]
        return Decimal("0")


@transaction.atomic
def usage_report(*, actor, booking_id: Any, period_start: Any, period_end: Any,
                 card_hours: Any, invoice_number: str) -> UsageReport:
    """The provider reports usage of one booking with its invoice. Usage beyond the booking,
    beyond the resource's listed capacity over the period, or with an invoice number already
    used is held for staff review and not paid; otherwise the 算力券 pays its share now."""
    provider = _provider_of(actor)
    Provider.objects.select_for_update().filter(pk=provider.pk).first()  # serialises invoices
    booking = _lock_booking(booking_id)
    if booking.provider_id != provider.pk:
        raise NotFound()
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict(_("只能为已确认的预订报告使用量"), code=BOOKING_NOT_CONFIRMED)
    errors: dict[str, list[str]] = {}
    start = _date(period_start, "period_start", _("计量开始"), errors)
    end = _date(period_end, "period_end", _("计量结束"), errors)
    hours = _hours(card_hours, errors)
    invoice = (invoice_number or "").strip().upper()
    if not _INVOICE.match(invoice):
        errors["invoice_number"] = [_("发票号码：8至40位字母、数字或连字符")]
    if start and end and end < start:
        errors["period_end"] = [_("计量结束不能早于计量开始")]
    if start and end and end > _today():
        errors["period_end"] = [_("不能报告未来的使用量")]
    if errors:
        raise ValidationFailed(errors)
    amount = (hours * booking.price).quantize(CENT, rounding=ROUND_HALF_UP)
    reasons = []
    if start < booking.start or end > booking.end:
        reasons.append(_("计量期间 %(a)s 至 %(b)s 超出预订期间 %(c)s 至 %(d)s") % {
            "a": start, "b": end, "c": booking.start, "d": booking.end})
    if booking.used_card_hours + hours > booking.card_hours:
        reasons.append(_("累计使用 %(u)s 卡时超过预订的 %(b)s 卡时") % {
            "u": booking.used_card_hours + hours, "b": booking.card_hours})
    days = (end - start).days + 1
    capacity = Decimal(booking.resource.total_cards * HOURS_PER_DAY * days)
    overlapping = (UsageReport.objects.filter(
        booking__resource=booking.resource, status__in=UsageReport.PAYABLE,
        period_start__lte=end, period_end__gte=start).aggregate(s=Sum("card_hours"))["s"]
        or Decimal("0"))
    if overlapping + hours > capacity:
        reasons.append(_("该资源在此期间最多提供 %(c)s 卡时（%(n)s 卡 × %(d)s 天），已报告 %(u)s 卡时") % {
            "c": capacity, "n": booking.resource.total_cards, "d": days, "u": overlapping + hours})
    if UsageReport.objects.filter(provider=provider, invoice_number=invoice).exists():
        reasons.append(_("发票号码 %(i)s 已被使用过") % {"i": invoice})
    usage = UsageReport.objects.create(
        booking=booking, provider=provider, enterprise=booking.enterprise, period_start=start,
        period_end=end, card_hours=hours, amount=amount, invoice_number=invoice,
        status=UsageReport.Status.HELD if reasons else UsageReport.Status.ACCEPTED,
        hold_reasons=reasons, reported_by=actor)
    audit_record(actor=actor, action="create", instance=usage, changes=audit_diff({}, {
        "booking": booking.pk, "card_hours": hours, "amount": amount, "invoice_number": invoice,
        "status": usage.status}), note="；".join(reasons)[:300])
    if not reasons:
        _accept(actor=actor, usage=usage, booking=booking)
    return usage


def _accept(*, actor, usage: UsageReport, booking: Booking) -> None:
    Booking.objects.filter(pk=booking.pk).update(
        used_card_hours=F("used_card_hours") + usage.card_hours,
        used_amount=F("used_amount") + usage.amount)
    _tally(month=_month(usage.period_end), town=booking.enterprise.town,
           card_hours_used=usage.card_hours)
    _settle(actor=actor, usage=usage)


def _owed(usage: UsageReport, rate: Decimal) -> Decimal:
    return (usage.amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _settle(*, actor, usage: UsageReport) -> Decimal:
    """Pay what the 算力券 still owes on one accepted usage report: its share at the clause's
    rate in force (rate × amount) less what was already paid on it, up to what is left of the
    enterprise's approved vouchers of the year, as an instalment of the application (the policies
    app's ``application_pay`` posts it to the ledger under the budget lock and audits it).

    The first instalment is the report's ``VoucherPayment``; a later one (the rate was raised,
    or the approved amount was raised or another grant approved after the share was cut short)
    is a ``VoucherTopUp``. The caller holds the report's row lock; ``voucher_paid`` is the
    running total, so a settled share is never paid again."""
    from innolink.policies.services import application_pay

    if usage.status not in UsageReport.PAYABLE:
        return Decimal("0")
    year = usage.period_end.year
    found = voucher.terms(year)
    applications = voucher.payable_applications(usage.enterprise_id, year)
    if found is None or not applications:
        if usage.voucher_paid == 0:
            note = _("尚无已批准的 %(y)s 年度算力券，批准后可结算") % {"y": year}
            UsageReport.objects.filter(pk=usage.pk).update(voucher_note=note)
            usage.voucher_note = note
        return Decimal("0")
    share = _owed(usage, found.rate)
    outstanding = share - usage.voucher_paid
    if outstanding <= 0:  # fully paid (a lowered rate never claws back)
        return Decimal("0")
    total = Decimal("0")
    for application in applications:
        pay = min(outstanding - total, application.remaining)
        if pay <= 0:
            continue
        paid_before = usage.voucher_paid + total
        first = paid_before == 0 and not hasattr(usage, "payment")
        application_pay(actor=actor, application_id=application.pk, amount=pay,
                        note=(_("算力券：发票 %(i)s，使用 %(h)s 卡时，金额 %(a)s 元 × %(r)s") if first
                              else _("算力券补兑：发票 %(i)s，金额 %(a)s 元 × %(r)s，此前已兑付 %(b)s 元"))
                        % {"i": usage.invoice_number, "h": usage.card_hours, "a": usage.amount,
                           "r": found.rate, "b": paid_before})
        if first:
            usage.payment = VoucherPayment.objects.create(usage=usage, application=application,
                                                          amount=pay, rate=found.rate)
        else:
            VoucherTopUp.objects.create(usage=usage, application=application, amount=pay,
                                        rate=found.rate, paid_before=paid_before)
        total += pay
        if total == outstanding:
            break
    if total == 0:
        note = _("本年度算力券额度已用完") + (
            _("（已兑付 %(p)s 元，按比例应兑 %(s)s 元）") % {"p": usage.voucher_paid, "s": share}
            if usage.voucher_paid else "")
        UsageReport.objects.filter(pk=usage.pk).update(voucher_note=note[:300])
        usage.voucher_note = note[:300]
        return Decimal("0")
    before = usage.voucher_paid
    paid = before + total
    note = _("算力券兑付 %(p)s 元") % {"p": paid} + (
        _("（按比例应兑 %(s)s 元，受剩余额度限制）") % {"s": share} if paid < share else "") + (
        _("，其中补兑 %(t)s 元") % {"t": total} if before else "")
    UsageReport.objects.filter(pk=usage.pk).update(voucher_paid=paid, voucher_note=note[:300])
    usage.voucher_paid, usage.voucher_note = paid, note[:300]
    _tally(month=_month(usage.period_end), town=usage.enterprise.town, voucher_paid=total)
    audit_record(actor=actor, action="transition", instance=usage,
                 changes={"voucher_paid": [str(before), str(paid)]},
                 note=("top-up " if before else "") + "applications "
                 + ",".join(str(a.pk) for a in applications))
    return total


@transaction.atomic
def voucher_settle(*, actor, enterprise_id: Any, year: int) -> Decimal:
    """Pay what the voucher still owes on every accepted usage report of ``year``: reports
    not paid yet (the voucher was approved after the usage) and reports paid less than their
    share (the rate was raised, or the approved amount was raised or another grant approved
    after the voucher ran out), oldest first, up to what is left. Idempotent: a report paid its
    full share is never paid again."""
    if not (access.is_staff(actor) or (access.is_enterprise(actor)
                                        and actor.enterprise_id == _id(enterprise_id))):
        raise PermissionDenied()
    total = Decimal("0")
    for usage in (UsageReport.objects.select_for_update(of=("self",))
                  .filter(enterprise_id=_id(enterprise_id), period_end__year=year,
                          status__in=UsageReport.PAYABLE)
                  .select_related("enterprise").order_by("period_end", "pk")):
        total += _settle(actor=actor, usage=usage)
    return total


@transaction.atomic
def voucher_settle_all(*, actor, year: int) -> tuple[int, Decimal]:
    """Staff: settle every enterprise with accepted usage in ``year`` (after the clause's rate or
    a voucher's approved amount was raised). Returns (enterprises paid, total paid)."""
    if not access.is_staff(actor):
        raise PermissionDenied()
    count, total = 0, Decimal("0")
    for enterprise_id in (UsageReport.objects.filter(period_end__year=year,
                                                     status__in=UsageReport.PAYABLE)
                          .order_by().values_list("enterprise_id", flat=True).distinct()):
        paid = voucher_settle(actor=actor, enterprise_id=enterprise_id, year=year)
        if paid:
            count, total = count + 1, total + paid
    return count, total


@transaction.atomic
def usage_review(*, actor, usage_id: Any, release: bool, note: str) -> UsageReport:
    """Staff decide a held usage report: released (counted and paid like any other) or
    rejected (never paid)."""
    if not access.is_staff(actor):
        raise PermissionDenied()
    usage = UsageReport.objects.select_for_update().filter(pk=_id(usage_id)).select_related(
        "enterprise").first()
    if usage is None:
        raise NotFound()
    if usage.status != UsageReport.Status.HELD:
        raise Conflict(_("该使用量不在待复核状态"), code=USAGE_NOT_HELD)
    note = (note or "").strip()
    if len(note) < 2 or len(note) > 300:
        raise ValidationFailed({"note": [_("复核意见：必填，2至300字")]})
    booking = _lock_booking(usage.booking_id)
    before = snapshot(usage, ["status", "review_note"])
    usage.status = UsageReport.Status.RELEASED if release else UsageReport.Status.REJECTED
    usage.reviewed_by, usage.review_note = actor, note
    usage.save(update_fields=["status", "reviewed_by", "review_note"])
    audit_record(actor=actor, action="transition", instance=usage,
                 changes=audit_diff(before, snapshot(usage, list(before))))
    if release:
        _accept(actor=actor, usage=usage, booking=booking)
    return usage


# ------------------------------------------------------------------------------ scenarios

@transaction.atomic
def need_create(*, actor, kind: str, title: str, description: str, data_available: str = "",
                expected_gain: str = "", budget: Any = None) -> ScenarioNeed:
    if not access.is_enterprise(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if kind not in SCENARIO_KINDS:
        errors["kind"] = [_("请选择场景类型")]
    title = _text(title, "title", _("场景名称"), errors)
    description = _text(description, "description", _("场景描述"), errors, limit=3000)
    data_available = _text(data_available, "data_available", _("现有数据"), errors,
                           required=False, limit=2000)
    expected_gain = _text(expected_gain, "expected_gain", _("预期成效"), errors, required=False,
                          limit=300)
    amount = None
    if budget not in (None, ""):
        try:  # the platform's money parser: bounded by the column, never a database error
            amount = parse_money(budget, label=_("预算"), allow_zero=False,
                                 **column_limits(ScenarioNeed, "budget"))
        except MoneyInvalid as exc:
            errors["budget"] = [exc.message]
    if errors:
        raise ValidationFailed(errors)
    need = ScenarioNeed.objects.create(enterprise_id=actor.enterprise_id, kind=kind, title=title,
                                       description=description, data_available=data_available,
                                       expected_gain=expected_gain, budget=amount,
                                       created_by=actor)
    audit_record(actor=actor, action="create", instance=need,
                 changes=audit_diff({}, {"kind": kind, "title": title}))
    return need


@transaction.atomic
def solution_save(*, actor, solution_id: Any = None, title: str, kinds: list[str],
                  description: str, cases: str = "", published: bool = True) -> Solution:
    provider = _approved_provider(actor)
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", _("方案名称"), errors)
    description = _text(description, "description", _("方案说明"), errors, limit=3000)
    cases = _text(cases, "cases", _("应用案例"), errors, required=False, limit=3000)
    kinds = [k for k in SCENARIO_KINDS if k in (kinds or [])]
    if not kinds:
        errors["kinds"] = [_("至少选择一个适用场景")]
    if errors:
        raise ValidationFailed(errors)
    values = {"title": title, "kinds": kinds, "description": description, "cases": cases,
              "published": bool(published)}
    if solution_id is None:
        solution = Solution.objects.create(provider=provider, **values)
        audit_record(actor=actor, action="create", instance=solution, changes=audit_diff({}, values))
        return solution
    solution = Solution.objects.select_for_update().filter(pk=_id(solution_id),
                                                           provider=provider).first()
    if solution is None:
        raise NotFound()
    before = snapshot(solution, list(values))
    for key, value in values.items():
        setattr(solution, key, value)
    solution.save()
    audit_record(actor=actor, action="update", instance=solution,
                 changes=audit_diff(before, values))
    return solution


@transaction.atomic
def match_propose(*, actor, need_id: Any, solution_id: Any) -> ScenarioMatch:
    """Put a need and a solution in touch (the need's enterprise, the solution's provider or
    staff), keeping the engine's score and explanation of the pair."""
    need = ScenarioNeed.objects.filter(pk=_id(need_id)).select_related("enterprise").first()
    solution = Solution.objects.filter(pk=_id(solution_id), published=True).select_related(
        "provider").first()
    if need is None or solution is None:
        raise NotFound()
    provider = access.provider_of(actor)
    allowed = (access.is_staff(actor)
               or (access.is_enterprise(actor) and actor.enterprise_id == need.enterprise_id)
               or (provider is not None and provider.pk == solution.provider_id))
    if not allowed:
        raise NotFound()
    if need.status != ScenarioNeed.Status.OPEN:
        raise Conflict(_("该场景需求已签约或关闭"), code=NEED_NOT_OPEN)
    if ScenarioMatch.objects.filter(need=need, solution=solution).exists():
        raise Conflict(_("已经推荐过这对需求与方案"), code=ALREADY_MATCHED)
    score, explanation = fetch.pair_explanation(need, solution)
    match = ScenarioMatch.objects.create(need=need, solution=solution, score=score,
                                         explanation=explanation, created_by=actor)
    _tally(month=_month(_today()), town=need.enterprise.town, scenarios_matched=1)
    audit_record(actor=actor, action="create", instance=match,
                 changes={"need": [None, need.pk], "solution": [None, solution.pk],
                          "score": [None, round(score, 4)]})
    recipients = list(User.objects.filter(provider_membership__provider=solution.provider)) + \
        list(User.objects.filter(role=Role.ENTERPRISE, enterprise=need.enterprise))
    notify(recipients=[u for u in recipients if u.pk != getattr(actor, "pk", None)],
           kind="compute.scenario_match", title=N_("AI 场景对接：%(n)s ↔ %(s)s"), params={
               "n": need.title, "s": solution.title},
           note=explanation.get("summary", ""), url=f"/compute/scenarios/needs/{need.pk}/")
    return match


@transaction.atomic
def match_decide(*, actor, match_id: Any, signed: bool) -> ScenarioMatch:
    """The need's enterprise records the outcome: signed (the need is fulfilled) or not."""
    match = ScenarioMatch.objects.select_for_update().filter(pk=_id(match_id)).select_related(
        "need__enterprise").first()
    if match is None:
        raise NotFound()
    if not (access.is_enterprise(actor) and actor.enterprise_id == match.need.enterprise_id) \
            and not access.is_staff(actor):
        raise NotFound()
    if match.state != ScenarioMatch.State.PROPOSED:
        raise Conflict(_("该对接已有结果"), code=MATCH_DECIDED)
    before = snapshot(match, ["state"])
    match.state = ScenarioMatch.State.SIGNED if signed else ScenarioMatch.State.DECLINED
    match.signed_at = timezone.now() if signed else None
    match.save(update_fields=["state", "signed_at"])
    if signed:
        ScenarioNeed.objects.filter(pk=match.need_id).update(status=ScenarioNeed.Status.SIGNED)
        _tally(month=_month(_today()), town=match.need.enterprise.town, scenarios_signed=1)
    audit_record(actor=actor, action="transition", instance=match,
                 changes=audit_diff(before, snapshot(match, ["state"])))
    return match
