"""Demo records: both years' lists computed; 2024 published (so 2025 shows the change against
last year) and 2025 under 公示 with one objection; a few submitted declarations with flags.

Idempotent: a second call finds the runs and declarations and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innolink.accounts.models import User
from innolink.core.errors import ApplicationError
from innolink.core.jobs import job_run
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.rankings import services
from innolink.rankings.models import Declaration, RankingEntry, RankingRun


def _computed_run(year: int, actor) -> RankingRun:
    with transaction.atomic():
        run = services.run_start(year=year, actor=actor)
    run.refresh_from_db()
    if run.status == RankingRun.Status.QUEUED:  # a queue backend: compute here, now
        job_run(run.job)
        run.refresh_from_db()
    return run


def _review_all(run: RankingRun, actor) -> None:
    for entry in RankingEntry.objects.filter(ranking_list__run=run,
                                             review=RankingEntry.Review.PENDING):
        services.entry_review(entry=entry, actor=actor, decision=RankingEntry.Review.CONFIRMED,
                              note="演示：已核对申报数据")
    services.run_mark_reviewed(run=run, actor=actor)


def _publish(year: int, actor) -> RankingRun:
    run = _computed_run(year, actor)
    _review_all(run, actor)
    services.run_open_notice(run=run, actor=actor,
                             closes_on=timezone.localdate() + dt.timedelta(days=7))
    services.run_close_notice(run=run, actor=actor)
    run = services.run_publish(run=run, actor=actor)
    first = run.lists.get(list_id="comprehensive_100")
    entry = first.entries.filter(in_list=True).select_related("enterprise").first()
    services.correction_add(ranking_list=first, actor=actor, enterprise_id=entry.enterprise_id,
                            description=f"{entry.enterprise.name}所属镇街登记有误，已更正"
                                        "（演示更正记录）")
    return run


def _notice(year: int, actor) -> RankingRun:
    run = _computed_run(year, actor)
    _review_all(run, actor)
    run = services.run_open_notice(run=run, actor=actor,
                                   closes_on=timezone.localdate() + dt.timedelta(days=7))
    first = run.lists.get(list_id="comprehensive_100")
    services.objection_submit(ranking_list=first, name="王建国", phone="0595-85600000",
                              organization="晋江市某鞋服企业",
                              content="本企业上年度纳税总额应含代扣代缴部分，请核实后更正名次。"
                                      "（演示异议）")
    return run


def _declarations(actor_year: int) -> int:
    """Three enterprises submit their figures; one with a jump against last year."""
    made = 0
    candidates = (Enterprise.objects.filter(is_demo=True, ownership="private", users__isnull=True)
                  .order_by("credit_code")[:3])
    for i, enterprise in enumerate(candidates):
        if Declaration.objects.filter(enterprise=enterprise, year=actor_year).exists():
            continue
        row = EnterpriseYear.objects.filter(enterprise=enterprise, year=actor_year).first()
        if row is None:
            continue
        values = {k: Decimal(v) for k, v in row.values.items()
                  if k in services.checks.FIELD_BY_CODE}
        if i == 0 and values.get("revenue"):
            values["revenue"] = (values["revenue"] * Decimal("2.6")).quantize(services.CENT)
        for code in services.checks.REQUIRED:
            values.setdefault(code, Decimal(0))
        if values.get("rd_expense") and values["rd_expense"] > values["revenue"]:
            values["rd_expense"] = values["revenue"]
        services.declaration_save(
            enterprise=enterprise, year=actor_year, values=values, actor=None, submit=True,
            attested_name=enterprise.legal_representative or "演示法定代表人", attest=True)
        made += 1
    return made


def seed(*, seed: int) -> str:
    actor = User.objects.filter(username="organizer").first()
    years = services.covered_years()
    if 2024 not in years or 2025 not in years:
        return "榜单：评价方法不含 2024/2025 年度，未生成演示榜单"
    done = []
    try:
        if not RankingRun.objects.filter(year=2024, status=RankingRun.Status.PUBLISHED).exists():
            with transaction.atomic():
                _publish(2024, actor)
            done.append("2024 年度已发布")
        if not RankingRun.objects.filter(year=2025).exclude(
                status=RankingRun.Status.FAILED).exists():
            with transaction.atomic():
                _notice(2025, actor)
            done.append("2025 年度公示中")
    except ApplicationError as exc:  # e.g. a small demo city: fewer enterprises than places
        done.append(f"未生成演示榜单（{exc.message[:60]}）")
    declared = _declarations(2025)
    if declared:
        done.append(f"演示申报 {declared} 份")
    return "榜单：" + ("，".join(done) if done else "已存在，无变化")
