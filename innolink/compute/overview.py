"""The compute platform's section of the leaders' overview, read from the ``Tally`` rows the
services keep current (and the 算力券 policy budget row): a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innolink.core.money import wan
from innolink.dashboard.overview import Figure, LateItem, Section

HELD_DAYS = 5


def _series(rows, field: str) -> tuple[Decimal, dict, list]:
    total, by_town, by_month = Decimal("0"), defaultdict(Decimal), defaultdict(Decimal)
    for row in rows:
        value = getattr(row, field)
        total += value
        if row.town:
            by_town[row.town] += value
        by_month[row.month] += value
    return total, dict(by_town), sorted(by_month.items())


def overview_section(*, today: datetime.date) -> Section | None:
    from innolink.compute import voucher
    from innolink.compute.models import Tally, UsageReport
    from innolink.policies.models import Budget

    rows = list(Tally.objects.filter(month__startswith=f"{today.year:04d}-"))
    held = list(UsageReport.objects.filter(status=UsageReport.Status.HELD)
                .select_related("provider", "enterprise").order_by("created_at")[:20])
    clause = voucher.clause_row(today.year)
    budget = Budget.objects.filter(version_id=clause.version_id).first() if clause else None
    if not rows and not held and budget is None:
        return None
    booked, booked_town, booked_month = _series(rows, "card_hours_booked")
    used, used_town, used_month = _series(rows, "card_hours_used")
    paid, paid_town, paid_month = _series(rows, "voucher_paid")
    matched = sum(r.scenarios_matched for r in rows)
    signed = sum(r.scenarios_signed for r in rows)
    by_town_signed = defaultdict(int)
    for r in rows:
        if r.town:
            by_town_signed[r.town] += r.scenarios_signed
    figures = [
        Figure("compute.card_hours_booked", _("算力预订（卡时）"), booked.quantize(Decimal("1")),
               _("卡时"), "/compute/", by_town=booked_town, by_month=booked_month,
               definition=_("本年度服务商已确认的预订卡时")),
        Figure("compute.card_hours_used", _("算力使用（卡时）"), used.quantize(Decimal("1")),
               _("卡时"), "/compute/", by_town=used_town, by_month=used_month,
               definition=_("本年度核验通过的使用量（待复核的不计）")),
        Figure("compute.voucher_paid", _("算力券兑付"), wan(paid),
               _("万元"), "/policies/ledger/", by_town={k: wan(v) for k, v in paid_town.items()},
               by_month=[(m, wan(v)) for m, v in paid_month],
               definition=_("按使用量和发票兑付的算力券，计入政策资金台账")),
    ]
    if budget is not None and budget.total:
        share = (paid / budget.total * 100).quantize(Decimal("0.1"))
        figures.append(Figure(
            "compute.voucher_budget_share", _("算力券兑付占政策预算"), share, "%",
            "/policies/ledger/", status="warn" if budget.committed > budget.total * Decimal("0.9")
            else "ok", definition=_("算力券兑付 ÷ 政策资金总额（总额 %(t)s 万元，已承诺 %(c)s 万元）") % {
                "t": wan(budget.total), "c": wan(budget.committed)}))
    figures += [
        Figure("compute.scenarios_matched", _("AI 场景对接"), matched, _("对"),
               "/compute/scenarios/", definition=_("本年度推荐对接的场景需求与解决方案")),
        Figure("compute.scenarios_signed", _("AI 场景签约"), signed, _("项"), "/compute/scenarios/",
               by_town=dict(by_town_signed), definition=_("对接后企业确认签约的场景")),
    ]
    late = []
    for usage in held:
        waited = (today - timezone.localtime(usage.created_at).date()).days
        if waited > HELD_DAYS:
            late.append(LateItem(
                title=f"{usage.provider} · {usage.enterprise.name} · 发票 {usage.invoice_number}",
                url="/compute/", owner=str(_("平台运营（组织方）")),
                due=timezone.localtime(usage.created_at).date() + datetime.timedelta(days=HELD_DAYS),
                days_late=waited - HELD_DAYS, kind=_("算力使用量待复核")))
    return Section("compute", _("产业AI算力服务"), 70, figures, late)
