"""Reads of the registry, each scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from innolink.accounts.roles import Role, can_read_registry, has_role
from innolink.core.errors import NotFound
from innolink.core.ids import parse_id
from innolink.enterprises.models import Enterprise, EnterpriseYear, IndicatorDefinition




def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    if can_read_registry(user):
        return Enterprise.objects.all()
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return Enterprise.objects.filter(pk=user.enterprise_id)
    return Enterprise.objects.none()


def enterprise_for_user(user, pk: int) -> Enterprise:
    """The enterprise if the user may see it; otherwise the same 404 as for a missing one."""
    enterprise = enterprises_visible_to(user).filter(pk=parse_id(pk)).first()
    if enterprise is None:
        raise NotFound()
    return enterprise


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    town: str = ""
    section: str = ""
    ownership: str = ""
    size_class: str = ""
    tag: str = ""


def enterprise_search(user, filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    qs = enterprises_visible_to(user)
    q = filters.q.replace("\x00", "").strip()
    if q:
        if len(q) == 18 and q.isalnum():
            qs = qs.filter(credit_code=q.upper())
        elif q.isascii() and q.isalnum() and q[:1].isdigit():
            qs = qs.filter(credit_code__startswith=q.upper())
        else:
            qs = qs.filter(Q(name__icontains=q) | Q(credit_code__istartswith=q))
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.section:
        qs = qs.filter(industry_code__startswith=filters.section)
    if filters.ownership:
        qs = qs.filter(ownership=filters.ownership)
    if filters.size_class:
        qs = qs.filter(size_class=filters.size_class)
    if filters.tag:
        qs = qs.filter(tags__tag=filters.tag)
    return qs.order_by("name", "id")


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    unit: str
    kind: str
    values: list[Decimal | None]  # one per year, in the order of ``years``


@dataclass(frozen=True)
class IndicatorTable:
    years: list[int]
    rows: list[IndicatorRow]


def enterprise_indicator_table(enterprise: Enterprise) -> IndicatorTable:
    """Years as columns (oldest first), indicators as rows; missing values stay None."""
    year_rows = sorted(EnterpriseYear.objects.filter(enterprise=enterprise), key=lambda y: y.year)
    years = [y.year for y in year_rows]
    rows = []
    for definition in IndicatorDefinition.objects.all():
        values = [y.value(definition.code) for y in year_rows]
        if any(v is not None for v in values):
            rows.append(IndicatorRow(definition.code, definition.name, definition.unit,
                                     definition.kind, values))
    return IndicatorTable(years=years, rows=rows)
