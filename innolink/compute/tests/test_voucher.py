"""算力券 end to end: confirmed bookings become the contract amount the policy clause reads; the
enterprise's application is approved against the policy budget; usage reported per booking pays
the clause's 30% up to what is left; suspicious usage is held and never paid twice."""

import datetime as dt
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.compute import services, voucher
from innolink.compute.models import Booking, UsageReport, VoucherPayment
from innolink.compute.tests.conftest import provider_user, workload
from innolink.core.errors import NotFound, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.core.testing import make_user
from innolink.policies import services as policy_services
from innolink.policies.models import Application, Budget, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(today):
    """A confirmed 100,000-yuan booking (8,000 card-hours at 12.50) moved into the past, so
    usage can be reported for it, and the enterprise's 算力券 application approved."""
    policy_services.policy_sync(actor=None, source="test")
    provider = provider_user()
    resource = services.resource_save(
        actor=provider, name="A800", accelerator="A800", cards_per_node=8, nodes=2, memory_gb=80,
        price="12.50", region="jinjiang", windows=[(today - dt.timedelta(days=60),
                                                     today + dt.timedelta(days=60))])
    user = make_user(Role.ENTERPRISE)
    request = workload(user, today, card_hours=8000, deadline=today + dt.timedelta(days=29))
    booking = services.booking_create(actor=user, request_id=request.pk, resource_id=resource.pk)
    assert booking.amount == Decimal("100000.00")
    days = (booking.end - booking.start).days
    start = today - dt.timedelta(days=days + 1)
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(days=days))
    services.booking_decide(actor=provider, booking_id=booking.pk, confirm=True)
    year = start.year
    terms = voucher.terms(year)
    assert (terms.rate, terms.cap, terms.threshold) == (Decimal("0.3000"), Decimal("500000.00"),
                                                        Decimal("100000.00"))
    booking.refresh_from_db()
    return {"provider": provider, "user": user, "booking": booking, "year": year,
            "resource": resource}


def _apply_and_approve(setting):
    clause = voucher.clause_row(setting["year"])
    application = policy_services.application_submit(
        actor=setting["user"], enterprise=setting["user"].enterprise, clause=clause,
        year=setting["year"], form=policy_services.ClaimForm(
            bank_name="晋江农商银行", bank_account="6222000011112222", account_holder="测试企业"))
    assert application.amount_expected == Decimal("30000.00")  # 30% of the 100,000 contract
    officer = make_user(Role.POLICY_OFFICER)
    # the contract and the usage are on the compute platform, not uploaded (ADR 0152 override)
    return policy_services.application_approve(actor=officer, application_id=application.pk,
                                               override_reason="合同与用量由算力平台核验")


def _report(setting, hours, invoice, start=None, end=None):
    booking = setting["booking"]
    return services.usage_report(actor=setting["provider"], booking_id=booking.pk,
                                 period_start=start or booking.start,
                                 period_end=end or booking.end, card_hours=hours,
                                 invoice_number=invoice)


def test_usage_pays_the_voucher_share_into_the_ledger(setting):
    application = _apply_and_approve(setting)
    budget = Budget.objects.get(version=application.clause.version)
    committed, paid = budget.committed, budget.paid
    usage = _report(setting, "1000", "FJ-2026-00000001")
    assert usage.status == UsageReport.Status.ACCEPTED
    assert usage.amount == Decimal("12500.00") and usage.voucher_paid == Decimal("3750.00")
    application.refresh_from_db()
    assert application.paid_total == Decimal("3750.00")
    assert application.status == Application.Status.PARTIALLY_PAID
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (committed, paid + Decimal("3750.00"))
    payments = LedgerEntry.objects.filter(application=application, kind="payment")
    assert sum(e.amount for e in payments) == Decimal("3750.00")
    assert "FJ-2026-00000001" in payments.first().note
    assert VoucherPayment.objects.get(usage=usage).amount == Decimal("3750.00")
    assert AuditEntry.objects.filter(model="policies.application", object_id=str(application.pk),
                                     action="transition").exists()
    # settling again pays nothing: each usage report pays once
    assert services.voucher_settle(actor=setting["user"], enterprise_id=usage.enterprise_id,
                                   year=setting["year"]) == 0
    assert VoucherPayment.objects.count() == 1


def test_the_voucher_stops_at_what_is_left(setting):
    application = _apply_and_approve(setting)
    _report(setting, "7000", "FJ-2026-00000002")  # 87,500 yuan → 26,250 of 30,000
    last = _report(setting, "1000", "FJ-2026-00000003")  # share 3,750 but 3,750 left
    assert last.voucher_paid == Decimal("3750.00")
    application.refresh_from_db()
    assert application.paid_total == Decimal("30000.00") and application.status == "paid"


@pytest.mark.parametrize("case", ["repeat_invoice", "beyond_booking", "outside_period",
                                  "beyond_capacity"])
def test_suspicious_usage_is_held_and_not_paid(setting, case):
    application = _apply_and_approve(setting)
    booking = setting["booking"]
    if case == "repeat_invoice":
        _report(setting, "100", "FJ-2026-00000009")
        usage = _report(setting, "100", "fj-2026-00000009")
    elif case == "beyond_booking":
        usage = _report(setting, "8000.01", "FJ-2026-00000010")
    elif case == "outside_period":
        usage = _report(setting, "10", "FJ-2026-00000011", start=booking.start - dt.timedelta(days=3))
    else:
        one_day = booking.start
        usage = _report(setting, str(16 * 24 + 1), "FJ-2026-00000012", start=one_day, end=one_day)
    assert usage.status == UsageReport.Status.HELD and usage.hold_reasons
    assert usage.voucher_paid == 0 and not VoucherPayment.objects.filter(usage=usage).exists()
    paid_before = Application.objects.get(pk=application.pk).paid_total
    staff = make_user(Role.ORGANIZER)
    if case == "repeat_invoice":
        rejected = services.usage_review(actor=staff, usage_id=usage.pk, release=False,
                                         note="重复开票")
        assert rejected.status == "rejected"
        assert Application.objects.get(pk=application.pk).paid_total == paid_before
    else:
        released = services.usage_review(actor=staff, usage_id=usage.pk, release=True,
                                         note="已核实合同补充协议")
        assert released.status == "released"
        assert VoucherPayment.objects.filter(usage=usage).exists()
        with pytest.raises(Exception):
            services.usage_review(actor=staff, usage_id=usage.pk, release=True, note="再次")
        assert VoucherPayment.objects.filter(usage=usage).count() == 1


def test_usage_before_approval_is_paid_once_the_voucher_is_approved(setting):
    usage = _report(setting, "400", "FJ-2026-00000020")
    assert usage.status == "accepted" and usage.voucher_paid == 0 and usage.voucher_note
    _apply_and_approve(setting)
    paid = services.voucher_settle(actor=setting["user"], enterprise_id=usage.enterprise_id,
                                   year=setting["year"])
    assert paid == Decimal("1500.00")
    assert services.voucher_settle(actor=setting["user"], enterprise_id=usage.enterprise_id,
                                   year=setting["year"]) == 0


def test_usage_input_and_access(setting):
    before = (UsageReport.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        _report(setting, "-3", "bad invoice!")
    assert set(caught.value.fields) == {"card_hours", "invoice_number"}
    other = provider_user("别家")
    with pytest.raises(NotFound):
        services.usage_report(actor=other, booking_id=setting["booking"].pk,
                              period_start=setting["booking"].start,
                              period_end=setting["booking"].end, card_hours="1",
                              invoice_number="FJ-2026-00000030")
    assert (UsageReport.objects.count(), AuditEntry.objects.count()) == before


def test_overview_reads_the_tallies(setting, django_assert_max_num_queries):
    from innolink.compute.overview import overview_section

    _apply_and_approve(setting)
    _report(setting, "1000", "FJ-2026-00000040")
    with django_assert_max_num_queries(6):
        section = overview_section(today=setting["booking"].end)
    figures = {f.key: f for f in section.figures}
    assert figures["compute.card_hours_booked"].value == 8000
    assert figures["compute.card_hours_used"].value == 1000
    assert figures["compute.voucher_paid"].value == Decimal("0.38")
    assert "compute.voucher_budget_share" in figures
