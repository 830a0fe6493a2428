"""Scoped reads of the rankings app."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from innolink.core.errors import NotFound
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.rankings import checks
from innolink.accounts.roles import Role, has_role
from innolink.core.ids import is_id
from innolink.rankings.access import can_declare, can_manage_rankings
from innolink.rankings.models import (
    Declaration,
    Objection,
    RankingEntry,
    RankingList,
    RankingRun,
)

PUBLIC_STATUSES = (RankingRun.Status.NOTICE, RankingRun.Status.NOTICE_CLOSED,
                   RankingRun.Status.PUBLISHED)


LIST_ID = re.compile(r"^[a-z0-9_]{1,64}$")


_id_ok = is_id  # the one id check (innolink.core.ids)


def _list_id_ok(list_id: str) -> bool:
    return bool(LIST_ID.match(list_id or ""))


# ---------------------------------------------------------------- staff


def runs_visible_to(user) -> QuerySet[RankingRun]:
    if can_manage_rankings(user) or has_role(user, Role.LEADER):  # a leader reads them
        return RankingRun.objects.all()
    return RankingRun.objects.none()


def run_for_user(user, pk: int) -> RankingRun:
    run = runs_visible_to(user).filter(pk=pk).first() if _id_ok(pk) else None
    if run is None:
        raise NotFound()
    return run


def run_list_for_user(user, run_pk: int, list_id: str) -> RankingList:
    run = run_for_user(user, run_pk)
    ranking_list = run.lists.filter(list_id=list_id).first() if _list_id_ok(list_id) else None
    if ranking_list is None:
        raise NotFound()
    return ranking_list


def runs_overview(user) -> QuerySet[RankingRun]:
    return runs_visible_to(user).select_related("created_by", "job").annotate(
        list_count=Count("lists", distinct=True),
        pending=Count("lists__entries", filter=Q(lists__entries__review="pending")),
    )


def review_entries(run: RankingRun) -> QuerySet[RankingEntry]:
    """Every entry flagged for review (uncertain membership), by list and position."""
    return (RankingEntry.objects.filter(ranking_list__run=run, uncertain=True)
            .select_related("enterprise", "ranking_list", "reviewed_by")
            .order_by("ranking_list__order", "position"))


def entry_for_user(user, pk: int) -> RankingEntry:
    entry = None
    if can_manage_rankings(user) and _id_ok(pk):
        entry = RankingEntry.objects.select_related("ranking_list__run").filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    return entry


def objections_for_run(run: RankingRun) -> QuerySet[Objection]:
    return run.objections.select_related("ranking_list", "enterprise", "answered_by")


def objection_for_user(user, pk: int) -> Objection:
    objection = None
    if can_manage_rankings(user) and _id_ok(pk):
        objection = Objection.objects.select_related("run").filter(pk=pk).first()
    if objection is None:
        raise NotFound()
    return objection


# ---------------------------------------------------------------- public


def public_runs() -> dict[int, RankingRun]:
    """Per year, the run the public sees: published, else the one under 公示."""
    chosen: dict[int, RankingRun] = {}
    for run in RankingRun.objects.filter(status__in=PUBLIC_STATUSES).order_by("year", "-pk"):
        current = chosen.get(run.year)
        if current is None or (run.status == RankingRun.Status.PUBLISHED
                               and current.status != RankingRun.Status.PUBLISHED):
            chosen[run.year] = run
    return dict(sorted(chosen.items(), reverse=True))


def public_list(year: int, list_id: str) -> RankingList:
    run = public_runs().get(year) if _list_id_ok(list_id) else None
    ranking_list = run.lists.filter(list_id=list_id).select_related("run").first() if run else None
    if ranking_list is None:
        raise NotFound()
    return ranking_list


def public_index() -> list[tuple[RankingRun, list[RankingList]]]:
    runs = public_runs()
    lists = RankingList.objects.filter(run__in=runs.values()).order_by("order").only(
        "run_id", "list_id", "title_zh", "size", "order")
    by_run: dict[int, list[RankingList]] = {}
    for rl in lists:
        by_run.setdefault(rl.run_id, []).append(rl)
    return [(run, by_run.get(run.pk, [])) for run in runs.values()]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    unit: str
    money: bool  # shown in 万元
    registry: bool  # a registry field: the value shown is the registry's exact Decimal


@dataclass(frozen=True)
class Row:
    entry: RankingEntry
    values: list[str]
    previous_rank: int | None
    change: int | None  # previous rank − rank (positive = up); None = new or no last year
    new: bool
    threshold_value: Decimal | None = None  # the registry's value of the threshold field


def entry_threshold(rows: list[Row]) -> Decimal | None:
    """入围门槛: the smallest registry value of the threshold field among members (exact)."""
    values = [r.threshold_value for r in rows if r.entry.in_list and r.threshold_value is not None]
    return min(values) if values else None


def key_columns(ranking_list: RankingList, *, count: int = 3) -> list[Column]:
    """The threshold field first, then the heaviest indicators (for the public table)."""
    from innolink.engines.ranking.fields import get_field
    from innolink.rankings.methods import indicator_word

    info = ranking_list.result.get("indicator_info", {})
    threshold = ranking_list.result.get("threshold_field", "revenue")
    names = [threshold] + [n for n, _ in sorted(info.items(), key=lambda kv: -kv[1]["weight"])
                           if n != threshold]
    columns = []
    for name in names[:count]:
        spec = get_field(name)
        if name in info:
            label, unit = info[name].get("label_zh", name), info[name].get("unit", "")
        else:
            label, unit = (spec.label_zh, spec.unit) if spec is not None else (name, "")
        money = unit == "元"
        columns.append(Column(name, indicator_word(str(label)),
                              indicator_word("万元" if money else unit), money, spec is not None))
    return columns


def _format(value: Any, column: Column) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if column.money:
        from innolink.core.money import wan_number

        return wan_number(value)
    number = Decimal(str(value))
    if number == number.to_integral_value() and abs(number) >= 10:
        return f"{int(number):,}"
    return f"{number.quantize(Decimal('0.01')):,}"


def previous_edition(ranking_list: RankingList) -> RankingList | None:
    """Last year's edition of the same list, as published."""
    return (RankingList.objects.filter(list_id=ranking_list.list_id,
                                       run__year=ranking_list.run.year - 1,
                                       run__status=RankingRun.Status.PUBLISHED)
            .order_by("-run__published_at").first())


def list_rows(ranking_list: RankingList, *, members_only: bool = True) -> tuple[list[Column], list[Row]]:
    """The list's rows with key indicators (money from the registry's Decimal values) and the
    change against last year's published edition. Four queries whatever the list size."""
    columns = key_columns(ranking_list)
    threshold = ranking_list.result.get("threshold_field", "revenue")
    query = ranking_list.entries.select_related("enterprise").order_by("-in_list", "position")
    entries = list(query.filter(in_list=True) if members_only else query)
    ids = [e.enterprise_id for e in entries]
    source = dict(EnterpriseYear.objects.filter(
        year=ranking_list.run.year, enterprise_id__in=ids).values_list("enterprise_id", "values"))
    previous = previous_edition(ranking_list)
    prev_rank: dict[int, int] = {}
    if previous is not None:
        prev_rank = {e["enterprise_id"]: e["rank"] for e in previous.result.get("entries", [])}
    rows = []
    for e in entries:
        values = []
        for c in columns:
            if c.registry:
                values.append(_format(source.get(e.enterprise_id, {}).get(c.name), c))
            else:
                values.append(_format(e.indicators.get(c.name), c))
        pr = prev_rank.get(e.enterprise_id)
        raw = source.get(e.enterprise_id, {}).get(threshold)
        rows.append(Row(e, values, pr, None if pr is None else pr - e.rank,
                        previous is not None and pr is None,
                        None if raw is None else Decimal(raw)))
    return columns, rows


# ---------------------------------------------------------------- declarations


def declarations_visible_to(user) -> QuerySet[Declaration]:
    if can_manage_rankings(user) or has_role(user, Role.LEADER):
        return Declaration.objects.all()
    if can_declare(user):
        return Declaration.objects.filter(enterprise_id=user.enterprise_id)
    return Declaration.objects.none()


def declaration_for_user(user, pk: int) -> Declaration:
    declaration = (declarations_visible_to(user).select_related("enterprise").filter(pk=pk)
                   .first() if _id_ok(pk) else None)
    if declaration is None:
        raise NotFound()
    return declaration


def declaration_prefill(enterprise: Enterprise, year: int) -> tuple[Declaration | None, dict]:
    """The enterprise's declaration for ``year`` if any, else the registry's figures."""
    declaration = Declaration.objects.filter(enterprise=enterprise, year=year).first()
    if declaration is not None:
        return declaration, declaration.values
    row = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).first()
    return None, (row.values if row else {})


def sector_peer_ratios(*, enterprise: Enterprise, year: int) -> dict[str, list[float]]:
    """Same-year ratios of the other enterprises in the same GB/T 4754 division (one query)."""
    division = enterprise.industry_code[:3]
    peers: dict[str, list[float]] = {name: [] for name in checks.RATIOS}
    rows = EnterpriseYear.objects.filter(
        year=year, enterprise__industry_code__startswith=division).exclude(
        enterprise=enterprise).values_list("values", flat=True)
    for values in rows.iterator(chunk_size=2000):
        for name, value in checks.ratios({k: values.get(k) for k in
                                          ("revenue", "employees", "tax_paid", "rd_expense",
                                           "energy_consumption")}).items():
            peers[name].append(value)
    return peers
