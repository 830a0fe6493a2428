"""The policies' section of the leaders' overview (contract: ``innolink/dashboard/overview.py``).

Money promised (承诺) and paid (拨付) this year to date from the ledger tallies, eligible but
unpaid (应兑未兑) for the assessed year from the eligibility tallies, budget use from the
budget rows (one per policy version), by policy and by town; overdue reviews as late items.
A fixed number of queries, none over the ledger or the eligibilities themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.core.money import wan
from innolink.dashboard.overview import Figure, LateItem, Period, Section, Table, month_series
from innolink.dashboard.tallies import rollup

ZERO = Decimal(0)


def overview_section(*, today: dt.date) -> Section | None:
    from innolink.policies.models import Application, Budget, Policy

    period = Period.of(today)
    year = today.year - 1  # the assessed year (policies.selectors.default_year)
    metrics = ["policy.commitment", "policy.payment"]
    # three small grouped reads over the tallies (never the ledger): by month for the trend and
    # the comparison, by town and by policy for this year's months
    by_month = rollup(metrics, by=("metric", "period"), period_from=period.months[0],
                      period_to=period.end)
    by_town = rollup([f"{m}.town" for m in metrics], by=("metric", "town"),
                     period_from=period.start, period_to=period.end)
    by_key = rollup(metrics, by=("metric", "key"), period_from=period.start,
                    period_to=period.end)
    unpaid = rollup(["policy.unpaid", "policy.eligible"], by=("metric", "key", "town"),
                    period_from=str(year), period_to=str(year))
    titles = dict(Policy.objects.order_by("order", "code").values_list("pk", "title"))
    budgets: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for budget in Budget.objects.select_related("version"):
        if budget.version.covers_year(today.year):
            row = budgets[budget.version.policy_id]
            row[0] += budget.total
            row[1] += budget.committed
            row[2] += budget.paid

    def totals(metric: str):
        month = {p: a for (m, p), (_n, a) in by_month.items() if m == metric}
        ytd = sum((a for p, a in month.items() if period.this_year(p)), ZERO)
        prev = sum((a for p, a in month.items() if period.last_year(p)), ZERO)
        town = {t: a for (m, t), (_n, a) in by_town.items() if m == f"{metric}.town"}
        policy = {k: a for (m, k), (_n, a) in by_key.items() if m == metric}
        return ytd, prev, town, month, policy

    ledger = reverse("policies:ledger")
    figures = []
    by_policy = {}
    for metric, key, label, kind in (("policy.commitment", "committed", _("已承诺"), "commitment"),
                                     ("policy.payment", "paid", _("已拨付"), "payment")):
        ytd, prev, town, month, policy = totals(metric)
        by_policy[key] = defaultdict(lambda: ZERO, policy)
        this, last = month_series({m: wan(v) for m, v in month.items()}, period)
        figures.append(Figure(
            key=f"policies.{key}", label=label, value=wan(ytd), unit=_("万元"),
            url=f"{ledger}?kind={kind}&{period.query()}", previous=wan(prev),
            by_town={t: wan(v) for t, v in town.items() if t}, by_month=this,
            by_month_previous=last,
            definition=_("本年 1 月至今台账中的%(what)s金额（含冲正），按记账日期；同比为上年同期。")
            % {"what": label}))
    unpaid_town: dict[str, Decimal] = defaultdict(lambda: ZERO)
    unpaid_policy: dict[str, Decimal] = defaultdict(lambda: ZERO)
    unpaid_count = 0
    eligible_amount = ZERO
    for (m, key, t), (n, amount) in unpaid.items():
        if m == "policy.unpaid":
            unpaid_town[t] += amount
            unpaid_policy[key] += amount
            unpaid_count += n
        else:
            eligible_amount += amount
    unpaid_total = sum(unpaid_town.values(), ZERO)
    figures.append(Figure(
        key="policies.unpaid", label=_("应兑未兑"), value=wan(unpaid_total), unit=_("万元"),
        url=f"{reverse('dashboard:unpaid')}?year={year}",
        by_town={t: wan(v) for t, v in unpaid_town.items() if t},
        status="warn" if unpaid_total else "ok", higher_is_better=False,
        note=_("%(y)s 年度 %(n)s 户次") % {"y": year, "n": unpaid_count},
        definition=_("最近一次扫描认定符合条件、金额大于 0、尚未全额拨付（无“已拨付”申请）的企业×条款金额之和。")))
    total_budget = sum((b[0] for b in budgets.values()), ZERO)
    committed = sum((b[1] for b in budgets.values()), ZERO)
    used = (committed * 100 / total_budget).quantize(Decimal("0.1")) if total_budget else None
    figures.append(Figure(
        key="policies.budget_used", label=_("预算使用率"), value=used, unit="%",
        url=reverse("policies:ledger"),
        note=_("预算 %(b)s 万元，已承诺 %(c)s 万元") % {"b": wan(total_budget), "c": wan(committed)},
        status="bad" if used is not None and used >= 95 else "",
        definition=_("本年度有效政策版本的已承诺金额 ÷ 预算总额。")))
    rows = []
    for pk, title in titles.items():
        key = str(pk)
        budget = budgets.get(pk, [ZERO, ZERO, ZERO])
        rows.append((reverse("policies:unpaid", args=[pk]) + f"?year={year}", [
            title, wan(budget[0]), wan(by_policy["committed"].get(key, ZERO)),
            wan(by_policy["paid"].get(key, ZERO)), wan(unpaid_policy.get(key, ZERO)),
            (budget[1] * 100 / budget[0]).quantize(Decimal("0.1")) if budget[0] else None]))
    table = Table("policies.by_policy", _("按政策"), [
        _("政策"), _("本年预算（万元）"), _("本年承诺（万元）"), _("本年拨付（万元）"),
        _("应兑未兑（万元）"), _("预算使用率 %")], rows)
    late = []
    overdue_all = Application.objects.filter(status__in=Application.OPEN, due_on__lt=today)
    overdue = overdue_all.select_related("clause", "enterprise").order_by("due_on")[:10]
    for application in overdue:
        late.append(LateItem(
            title=f"{application.enterprise.name} · {application.clause.title}",
            url=reverse("policies:application", args=[application.pk]),
            owner=str(_("政策专员（审核）")), due=application.due_on,
            days_late=(today - application.due_on).days, kind=_("政策申请逾期未审")))
    return Section(key="policies", title=_("惠企政策兑现"), order=10, figures=figures,
                   late=late, tables=[table], url=reverse("policies:metrics"),
                   late_total=overdue_all.count(),
                   late_url=f"{reverse('policies:applications')}?overdue=on")
