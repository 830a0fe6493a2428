"""Scoped reads of the compute platform: a provider sees its own resources, bookings and usage;
an enterprise its own requests, bookings, vouchers and needs; staff everything. Another tenant's
record is the same 404 as a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.compute import access, voucher
from innolink.compute.models import (
    Booking,
    Provider,
    Resource,
    ScenarioMatch,
    ScenarioNeed,
    Solution,
    UsageReport,
    WorkloadRequest,
)
from innolink.core.errors import NotFound, PermissionDenied
from innolink.core.ids import parse_id


_valid_id = parse_id  # the one id helper (innolink.core.ids)


def _one(qs: QuerySet, pk: Any):
    row = qs.filter(pk=_valid_id(pk)).first()
    if row is None:
        raise NotFound()
    return row


def requests_for(user) -> QuerySet[WorkloadRequest]:
    if access.is_staff(user):
        return WorkloadRequest.objects.select_related("enterprise")
    if access.is_enterprise(user):
        return WorkloadRequest.objects.filter(enterprise_id=user.enterprise_id)
    raise PermissionDenied()


def request_for_user(user, pk: Any) -> WorkloadRequest:
    return _one(requests_for(user), pk)


def bookings_for(user) -> QuerySet[Booking]:
    qs = Booking.objects.select_related("resource", "provider", "enterprise", "request")
    if access.is_staff(user):
        return qs
    if access.is_enterprise(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    provider = access.provider_of(user)
    if provider is not None:
        return qs.filter(provider=provider)
    raise PermissionDenied()


def booking_for_user(user, pk: Any) -> Booking:
    return _one(bookings_for(user), pk)


def resources_for(user) -> QuerySet[Resource]:
    provider = access.provider_of(user)
    if provider is not None:
        return Resource.objects.filter(provider=provider).prefetch_related("windows")
    if access.is_staff(user):
        return Resource.objects.select_related("provider").prefetch_related("windows")
    raise PermissionDenied()


def resource_for_provider(user, pk: Any) -> Resource:
    provider = access.provider_of(user)
    if provider is None:
        raise PermissionDenied()
    return _one(Resource.objects.filter(provider=provider), pk)


def usage_for(user) -> QuerySet[UsageReport]:
    qs = UsageReport.objects.select_related("booking__resource", "enterprise", "provider")
    if access.is_staff(user):
        return qs
    provider = access.provider_of(user)
    if provider is not None:
        return qs.filter(provider=provider)
    if access.is_enterprise(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    raise PermissionDenied()


def pending_providers(user) -> QuerySet[Provider]:
    if not access.is_staff(user):
        raise PermissionDenied()
    return Provider.objects.filter(status=Provider.Status.PENDING)


def held_usage(user) -> QuerySet[UsageReport]:
    if not access.is_staff(user):
        raise PermissionDenied()
    return usage_for(user).filter(status=UsageReport.Status.HELD)


@dataclass(frozen=True)
class VoucherView:
    year: int
    terms: voucher.VoucherTerms | None
    contract: Decimal
    clause: Any
    application: Any
    answer: Any
    paid: Decimal
    unpaid_usage: int


def voucher_view(user, year: int | None = None) -> VoucherView:
    """The enterprise's 算力券 for a year: terms, contract amount, the engine's answer, its
    application and what the usage reports have been paid."""
    if not access.is_enterprise(user):
        raise PermissionDenied()
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        from innolink.core.errors import ValidationFailed

        raise ValidationFailed({"year": [_("年度应在 2000 至 2100 之间")]})
    enterprise = user.enterprise
    contract = (Booking.objects.filter(enterprise=enterprise, status=Booking.Status.CONFIRMED,
                                       start__year=year).aggregate(s=Sum("amount"))["s"]
                or Decimal("0")).quantize(Decimal("0.01"))
    clause = voucher.clause_row(year)
    answer = None
    if clause is not None:
        from innolink.policies.services import clause_answer

        answer = clause_answer(enterprise=enterprise, clause=clause, year=year)
    usage = UsageReport.objects.filter(enterprise=enterprise, period_end__year=year)
    return VoucherView(
        year=year, terms=voucher.terms(year), contract=contract, clause=clause,
        application=voucher.application_for(enterprise.pk, year), answer=answer,
        paid=(usage.aggregate(s=Sum("voucher_paid"))["s"] or Decimal("0")).quantize(Decimal("0.01")),
        unpaid_usage=_outstanding(usage, voucher.terms(year)))


def _outstanding(usage, terms) -> int:
    """Accepted usage reports paid less than their share at the clause's rate in force."""
    if terms is None:
        return 0
    return sum(1 for amount, paid in usage.filter(status__in=UsageReport.PAYABLE)
               .values_list("amount", "voucher_paid")
               if (amount * terms.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) > paid)


def needs_for(user) -> QuerySet[ScenarioNeed]:
    qs = ScenarioNeed.objects.select_related("enterprise")
    if access.is_staff(user) or access.provider_of(user) is not None:
        return qs
    if access.is_enterprise(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    raise PermissionDenied()


def need_for_user(user, pk: Any) -> ScenarioNeed:
    return _one(needs_for(user), pk)


def solutions_for(user) -> QuerySet[Solution]:
    qs = Solution.objects.select_related("provider")
    provider = access.provider_of(user)
    if provider is not None:
        from django.db.models import Q

        return qs.filter(Q(published=True, provider__status=Provider.Status.APPROVED)
                         | Q(provider=provider))
    if access.is_staff(user) or access.is_enterprise(user):
        return qs.filter(published=True, provider__status=Provider.Status.APPROVED)
    raise PermissionDenied()


def solution_for_user(user, pk: Any) -> Solution:
    return _one(solutions_for(user), pk)


def matches_for_need(need: ScenarioNeed) -> QuerySet[ScenarioMatch]:
    return need.matches.select_related("solution__provider")


def matches_for(user) -> QuerySet[ScenarioMatch]:
    qs = ScenarioMatch.objects.select_related("need__enterprise", "solution__provider")
    if access.is_staff(user):
        return qs
    provider = access.provider_of(user)
    if provider is not None:
        return qs.filter(solution__provider=provider)
    if access.is_enterprise(user):
        return qs.filter(need__enterprise_id=user.enterprise_id)
    raise PermissionDenied()
