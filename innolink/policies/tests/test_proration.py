"""「资金不足时按比例核减」: a pro-rata policy scales approvals by remaining budget / outstanding
demand, rounded down to the fen, and says so to the officer and the enterprise; a first-come
policy is unchanged (see test_services). Failure paths assert that nothing was written."""

import datetime as dt
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_user
from innolink.policies import selectors, services
from innolink.policies.models import (
    Application, Budget, Eligibility, LedgerEntry, Scan,
)
from innolink.policies.tests.factories import YEAR, clause, submitted, upgrader

pytestmark = pytest.mark.django_db
POLICY, CLAUSE = "p06_tech_upgrade", "general_upgrade"


@pytest.fixture
def short(synced):
    """Three claims of 80万, 120万 and 160万 (360万) against 300万 left: 83.33%."""
    version = clause(POLICY, CLAUSE).version
    budget = Budget.objects.get(version=version)
    Budget.objects.filter(pk=budget.pk).update(committed=budget.total - Decimal("3000000.00"))
    apps = [submitted(upgrader(e), POLICY, CLAUSE) for e in ("10000000", "15000000", "20000000")]
    assert [a.amount_expected for a in apps] == [Decimal("800000.00"), Decimal("1200000.00"),
                                                 Decimal("1600000.00")]
    return apps


def _written():
    return (LedgerEntry.objects.count(), AuditEntry.objects.count(),
            list(Budget.objects.values_list("committed", flat=True).order_by("pk")),
            list(Application.objects.values_list("status", flat=True).order_by("pk")))


def test_the_rule_file_option_is_mirrored(synced):
    version = clause(POLICY, CLAUSE).version
    assert version.budget_shortfall == "pro_rata"
    assert clause("p01_high_tech_award", "high_tech_award").version.budget_shortfall == "first_come"


def test_bulk_approval_scales_every_award_and_never_exceeds_the_budget(short):
    officer = make_user(Role.POLICY_OFFICER)
    budget = Budget.objects.get(version=short[0].clause.version)
    done = services.application_bulk_approve(actor=officer, application_ids=[a.pk for a in short])
    # floor(amount × 300万 / 360万) to the fen
    assert [a.amount_approved for a in done] == [Decimal("666666.66"), Decimal("1000000.00"),
                                                 Decimal("1333333.33")]
    budget.refresh_from_db()
    assert budget.committed == budget.total - Decimal("0.01")  # one fen left over, never beyond
    entry = LedgerEntry.objects.filter(application=done[0]).first()
    assert "预算不足,按 83.33% 比例核减" in entry.note
    audit = AuditEntry.objects.get(model="policies.application", object_id=str(done[0].pk),
                                   action="transition")
    assert "可用预算 300万元 ÷ 符合条件的待兑现金额合计 360万元 = 83.33%" in audit.note
    body = Notification.objects.filter(kind="policies.approved").order_by("pk").first().body
    assert "按 83.33% 比例核减" in body and "测算金额 80 万元" in body


def test_one_at_a_time_the_factor_follows_what_is_left_and_the_sum_still_fits(short):
    for application in short:
        services.application_approve(actor=None, application_id=application.pk)
    approved = list(Application.objects.filter(pk__in=[a.pk for a in short])
                    .order_by("pk").values_list("amount_approved", flat=True))
    assert approved[0] == Decimal("666666.66")
    assert sum(approved) <= Decimal("3000000.00")
    budget = Budget.objects.get(version=short[0].clause.version)
    assert budget.committed <= budget.total


def test_unclaimed_eligibility_found_by_a_scan_counts_as_demand(short):
    version = short[0].clause.version
    other = upgrader("15000000")
    Eligibility.objects.create(clause=clause(POLICY, CLAUSE), enterprise=other, year=YEAR,
                               amount=Decimal("1200000.00"), gross=Decimal("1200000.00"),
                               first_found_on=dt.date(2026, 3, 1))
    p = selectors.budget_proration(version)
    assert (p.available_fen, p.demand_fen) == (300_000_000, 480_000_000)
    done = services.application_approve(actor=None, application_id=short[0].pk)
    assert done.amount_approved == Decimal("500000.00")  # 80万 × 300/480


def test_an_officer_amount_above_the_scaled_one_is_refused_and_nothing_written(short):
    before = _written()
    with pytest.raises(ValidationFailed) as error:
        services.application_approve(actor=None, application_id=short[0].pk,
                                     amount=Decimal("700000.00"))
    message = error.value.fields["amount"][0]
    assert "按比例核减后的 666666.66 元" in message and "83.33%" in message
    assert _written() == before
    lower = services.application_approve(actor=None, application_id=short[0].pk,
                                         amount=Decimal("600000.00"))
    assert lower.amount_approved == Decimal("600000.00")


def test_no_scaling_while_the_budget_covers_the_demand(synced):
    application = submitted(upgrader("10000000"), POLICY, CLAUSE)
    assert selectors.application_proration(application) is None
    done = services.application_approve(actor=None, application_id=application.pk)
    assert done.amount_approved == Decimal("800000.00")
    assert LedgerEntry.objects.filter(application=done).first().note == "批准承诺"


def test_the_officer_sees_the_factor_before_approving(short, officer_client):
    page = officer_client.get(f"/policies/applications/{short[0].pk}/").content.decode()
    assert "预算不足,按 83.33% 比例核减" in page
    assert 'value="666666.66"' in page  # the approval form proposes the scaled amount
    listing = officer_client.get("/policies/applications/").content.decode()
    assert "工业企业技术改造补助" in listing and "预算不足,按 83.33% 比例核减" in listing


def test_the_enterprise_sees_the_scaled_estimate_and_the_unscaled_amount(short, client):
    user = make_user(Role.ENTERPRISE, enterprise=short[1].enterprise)
    client.force_login(user)
    page = client.get(f"/policies/mine/?year={YEAR}").content.decode()
    assert "预算不足,按 83.33% 比例核减" in page
    assert "预计兑现 100.00 万元（测算金额 120.00 万元）" in page
    assert "本条测算金额 120万元 × 核减比例 = 100万元,向下取整到分" in page
    detail = client.get(f"/policies/applications/{short[1].pk}/").content.decode()
    assert "预算不足,按 83.33% 比例核减" in detail


def test_the_scan_summary_shows_the_factor_of_a_pro_rata_policy(synced, officer_client):
    Scan.objects.create(year=YEAR, finished_at=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
                        summary={
                            POLICY: {"enterprises": 3, "total": "3600000.00",
                                     "budget": "3000000.00", "over_budget": True},
                            "p01_high_tech_award": {"enterprises": 9, "total": "900.00",
                                                    "budget": "800.00", "over_budget": True}})
    page = officer_client.get("/policies/scans/").content.decode()
    assert "预算不足,按 83.33% 比例核减" in page
    assert "超出预算，需决策" in page  # the first-come policy still needs a decision
