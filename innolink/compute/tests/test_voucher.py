"""算力券 end to end: confirmed bookings become the contract amount the policy clause reads; the
enterprise's application is approved against the policy budget; usage reported per booking pays
the clause's 30% up to what is left; suspicious usage is held and never paid twice."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from django.db.models import F

from innolink.compute import selectors, services, voucher
from innolink.compute.models import Booking, UsageReport, VoucherPayment, VoucherTopUp
from innolink.compute.tests.conftest import provider_user, workload
from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user
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
    services.booking_confirm(actor=provider, booking_id=booking.pk)
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


# ------------------------------------------------------------------ retroactive top-ups

def _raise_rate(monkeypatch, rate):
    """The clause as an amended policy version would state it: same cap, a higher rate."""
    real = voucher.terms

    def amended(year):
        found = real(year)
        return None if found is None else dataclasses.replace(found, rate=Decimal(rate))

    monkeypatch.setattr(voucher, "terms", amended)


def _raise_approved(application, amount):
    """The policy office raises the approved amount (the policies app records the amendment:
    the commitment grows against the budget and the application can pay again)."""
    application.refresh_from_db()
    extra = Decimal(amount) - application.amount_approved
    Budget.objects.filter(version=application.clause.version).update(
        committed=F("committed") + extra)
    Application.objects.filter(pk=application.pk).update(
        amount_approved=Decimal(amount), status=Application.Status.PARTIALLY_PAID, paid_on=None)


def _ledger_paid(application):
    return sum(e.amount for e in LedgerEntry.objects.filter(application=application,
                                                            kind="payment"))


def test_a_raised_rate_tops_up_usage_already_paid_once(setting, monkeypatch):
    application = _apply_and_approve(setting)
    usage = _report(setting, "1000", "FJ-2026-00000030")  # 12,500 yuan, 30% = 3,750
    assert usage.voucher_paid == Decimal("3750.00")
    budget_paid = Budget.objects.get(version=application.clause.version).paid
    _raise_rate(monkeypatch, "0.40")
    view = selectors.voucher_view(setting["user"], setting["year"])
    assert view.unpaid_usage == 1  # the enterprise sees one report not fully paid
    paid = services.voucher_settle(actor=setting["user"], enterprise_id=usage.enterprise_id,
                                   year=setting["year"])
    assert paid == Decimal("1250.00")  # 40% of 12,500 = 5,000, less the 3,750 paid
    usage.refresh_from_db()
    assert usage.voucher_paid == Decimal("5000.00") and "补兑" in usage.voucher_note
    top_up = VoucherTopUp.objects.get(usage=usage)
    assert (top_up.amount, top_up.rate, top_up.paid_before) == (
        Decimal("1250.00"), Decimal("0.40"), Decimal("3750.00"))
    application.refresh_from_db()
    assert application.paid_total == _ledger_paid(application) == Decimal("5000.00")
    assert Budget.objects.get(version=application.clause.version).paid == budget_paid + Decimal("1250.00")
    assert AuditEntry.objects.filter(model="compute.usagereport", object_id=str(usage.pk),
                                     note__startswith="top-up").count() == 1
    # once only: settling again, by the enterprise or staff, pays nothing more
    assert services.voucher_settle(actor=setting["user"], enterprise_id=usage.enterprise_id,
                                   year=setting["year"]) == 0
    assert services.voucher_settle_all(actor=make_user(Role.ORGANIZER),
                                       year=setting["year"]) == (0, Decimal("0"))
    assert VoucherTopUp.objects.count() == 1 and _ledger_paid(application) == Decimal("5000.00")
    assert selectors.voucher_view(setting["user"], setting["year"]).unpaid_usage == 0


def test_a_lowered_rate_claws_nothing_back(setting, monkeypatch):
    application = _apply_and_approve(setting)
    _report(setting, "1000", "FJ-2026-00000031")
    _raise_rate(monkeypatch, "0.20")
    assert services.voucher_settle(actor=setting["user"], enterprise_id=setting["user"].enterprise_id,
                                   year=setting["year"]) == 0
    application.refresh_from_db()
    assert application.paid_total == Decimal("3750.00") and not VoucherTopUp.objects.exists()


def test_a_raised_cap_pays_the_share_that_was_cut_short(setting):
    officer_amount = Decimal("28000.00")
    clause = voucher.clause_row(setting["year"])
    application = policy_services.application_submit(
        actor=setting["user"], enterprise=setting["user"].enterprise, clause=clause,
        year=setting["year"], form=policy_services.ClaimForm(
            bank_name="晋江农商银行", bank_account="6222000011112222", account_holder="测试企业"))
    policy_services.application_approve(actor=make_user(Role.POLICY_OFFICER),
                                        application_id=application.pk, amount=officer_amount,
                                        override_reason="合同与用量由算力平台核验")
    _report(setting, "7000", "FJ-2026-00000032")  # 87,500 → 26,250
    short = _report(setting, "1000", "FJ-2026-00000033")  # share 3,750, 1,750 left
    assert short.voucher_paid == Decimal("1750.00") and "剩余额度" in short.voucher_note
    application.refresh_from_db()
    assert application.status == Application.Status.PAID
    staff = make_user(Role.ORGANIZER)
    # nothing to pay while the cap is spent: no empty instalments
    before = (LedgerEntry.objects.count(), AuditEntry.objects.count())
    assert services.voucher_settle(actor=staff, enterprise_id=short.enterprise_id,
                                   year=setting["year"]) == 0
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == before
    _raise_approved(application, "30000.00")
    assert services.voucher_settle_all(actor=staff, year=setting["year"]) == (1, Decimal("2000.00"))
    short.refresh_from_db()
    assert short.voucher_paid == Decimal("3750.00")
    top_up = VoucherTopUp.objects.get()
    assert (top_up.usage_id, top_up.amount, top_up.paid_before) == (
        short.pk, Decimal("2000.00"), Decimal("1750.00"))
    application.refresh_from_db()
    assert application.paid_total == _ledger_paid(application) == Decimal("30000.00")
    assert application.status == Application.Status.PAID
    # the first instalment stays the report's payment; the top-up is a second ledger posting
    assert VoucherPayment.objects.get(usage=short).amount == Decimal("1750.00")
    assert services.voucher_settle(actor=staff, enterprise_id=short.enterprise_id,
                                   year=setting["year"]) == 0


def test_a_raised_cap_pays_no_more_than_the_new_cap(setting, monkeypatch):
    application = _apply_and_approve(setting)  # 30,000
    _report(setting, "7000", "FJ-2026-00000034")  # 26,250
    _raise_rate(monkeypatch, "0.40")  # owed now 35,000: 8,750 more, but only 3,750 left
    assert services.voucher_settle(actor=setting["user"], enterprise_id=setting["user"].enterprise_id,
                                   year=setting["year"]) == Decimal("3750.00")
    application.refresh_from_db()
    assert application.paid_total == Decimal("30000.00")
    _raise_approved(application, "32000.00")
    assert services.voucher_settle(actor=setting["user"], enterprise_id=setting["user"].enterprise_id,
                                   year=setting["year"]) == Decimal("2000.00")
    assert services.voucher_settle(actor=setting["user"], enterprise_id=setting["user"].enterprise_id,
                                   year=setting["year"]) == 0
    assert sorted(t.amount for t in VoucherTopUp.objects.all()) == [Decimal("2000.00"),
                                                                     Decimal("3750.00")]
    assert _ledger_paid(application) == Decimal("32000.00")


def test_only_staff_settle_every_enterprise(setting):
    before = (LedgerEntry.objects.count(), AuditEntry.objects.count())
    for actor in (setting["user"], setting["provider"]):
        with pytest.raises(PermissionDenied):
            services.voucher_settle_all(actor=actor, year=setting["year"])
    other = make_user(Role.ENTERPRISE)
    with pytest.raises(PermissionDenied):
        services.voucher_settle(actor=other, enterprise_id=setting["user"].enterprise_id,
                                year=setting["year"])
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == before
