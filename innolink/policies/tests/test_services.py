"""Services: sync, scans, claims in both lanes, approvals under the budget, instalments, the
append-only ledger and reversals. Failure paths assert that nothing was written."""

import datetime as dt
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.policies import fetch, services
from innolink.policies.models import (
    Application, Budget, Eligibility, LedgerEntry, Policy, PolicyClause, PolicyVersion, Scan,
)
from innolink.policies.services import ClaimForm
from innolink.policies.tests.factories import (
    FORM, YEAR, clause, high_tech_enterprise, rd_enterprise, submitted,
)

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------- sync

def test_sync_mirrors_the_rule_files_and_is_idempotent():
    # when
    first = services.policy_sync(actor=None, source="test")
    entries = AuditEntry.objects.count()
    second = services.policy_sync(actor=None, source="test")
    # then
    assert first.policies_created == 12 and Policy.objects.count() == 12
    assert second.unchanged == 12 and AuditEntry.objects.count() == entries
    p02 = Policy.objects.get(code="p02_rd_investment_award")
    version = p02.versions.get(effective_from=dt.date(2024, 1, 1))
    assert version.doc_number.startswith("闽政办《关于支持企业加大研发投入加强研发活动的若干措施》")
    assert version.budget == Decimal("120000000.00")
    assert version.shares == [["省", 8], ["市", 1], ["县", 1]]
    assert version.budget_row.total == Decimal("120000000.00")
    rd = version.clauses.get(code="rd_increment_award")
    assert "增长100万元以上" in rd.text
    assert rd.rule["benefit"]["rate"] == "6%"
    assert p02.rules_text.startswith("#") or "id: p02_rd_investment_award" in p02.rules_text


def test_a_clause_removed_from_the_files_is_retired_not_deleted(tmp_path):
    import shutil

    from innolink.policies import fetch
    services.policy_sync(actor=None, source="test")
    shutil.copy(fetch.rulesets_dir() / "p01_high_tech_award.yaml", tmp_path)
    outcome = services.policy_sync(actor=None, directory=tmp_path)
    assert outcome.retired == PolicyClause.objects.exclude(version__policy__code="p01_high_tech_award").count()
    assert not PolicyClause.objects.filter(version__policy__code="p01_high_tech_award",
                                           retired=True).exists()
    enterprise = rd_enterprise()
    with pytest.raises(Conflict) as error:
        submitted(enterprise, "p02_rd_investment_award", "rd_increment_award")
    assert error.value.code == "clause_retired"
    # back in the files, back in force
    assert services.policy_sync(actor=None).retired == 0
    assert not PolicyClause.objects.filter(retired=True).exists()


def test_sync_refuses_a_broken_rule_file_and_writes_nothing(tmp_path):
    # given a directory with one policy using an unknown indicator
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ntitle: 坏政策\nissuer: x\narea: x\ntech_innovation: false\nillustrative: true\n"
        "source: x\nversions:\n  - effective_from: 2024-01-01\n    doc_number: x\n"
        "    budget: 1万元\n    shares: {县: 1}\n    lane: auto\n    materials: []\n    clauses:\n"
        "      - id: c\n        title: c\n        text: c\n        conditions:\n"
        "          all:\n            - {field: no_such_thing, op: 以上, value: 1万元}\n"
        "        benefit: {fixed: 1万元}\n", encoding="utf-8")
    # when / then
    with pytest.raises(ValidationFailed) as error:
        services.policy_sync(actor=None, directory=tmp_path)
    assert error.value.code == "rules.unknown_field"
    assert Policy.objects.count() == 0 and AuditEntry.objects.count() == 0


# ----------------------------------------------------------------------------- scans

def test_scan_stores_eligibility_per_clause_and_keeps_the_first_found_date(synced):
    # given
    first_time = high_tech_enterprise(first=True)
    renewed = high_tech_enterprise(first=False)
    nobody = make_enterprise(years={YEAR: {"revenue": "1000"}})
    rd = rd_enterprise()
    # when
    scan = services.scan_now(actor=None, year=YEAR, today=dt.date(2026, 3, 2))
    # then
    award = clause("p01_high_tech_award", "high_tech_award")
    rows = {e.enterprise_id: e for e in Eligibility.objects.filter(clause=award, year=YEAR)}
    assert rows[first_time.pk].amount == Decimal("200000.00")
    assert rows[renewed.pk].amount == Decimal("100000.00")
    assert nobody.pk not in rows
    rd_row = Eligibility.objects.get(clause=clause("p02_rd_investment_award", "rd_increment_award"),
                                     enterprise=rd)
    assert rd_row.amount == Decimal("210000.00")  # (550万 − 200万) × 6%
    assert scan.enterprises == 4 and scan.eligible_pairs == Eligibility.objects.count()
    assert scan.summary["p01_high_tech_award"]["enterprises"] == 2
    # when the registry changes and a later scan runs
    renewed.tags.all().delete()
    later = services.scan_now(actor=None, year=YEAR, today=dt.date(2026, 4, 1))
    # then the first-found date is kept and the dropped pair is inactive, not deleted
    assert later.new_pairs == 0 and later.dropped_pairs == 1
    assert Eligibility.objects.get(clause=award, enterprise=first_time).first_found_on == \
        dt.date(2026, 3, 2)
    assert not Eligibility.objects.get(clause=award, enterprise=renewed).active


def test_scan_job_reports_progress_and_result(synced, django_capture_on_commit_callbacks):
    high_tech_enterprise()
    officer = make_user(Role.POLICY_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        scan = services.scan_start(actor=officer, year=YEAR)
    scan.refresh_from_db()
    job = scan.job
    assert job.status == "succeeded", job.error
    assert job.result["eligible_pairs"] == scan.eligible_pairs >= 1
    assert job.done == job.total == 3


def test_scan_refuses_a_future_year_and_writes_nothing(synced):
    with pytest.raises(ValidationFailed) as error:
        services.scan_start(actor=None, year=2999)
    assert "year" in error.value.fields
    assert Scan.objects.count() == 0


def test_notices_reach_enterprise_users_once(synced):
    enterprise = high_tech_enterprise()
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    make_user(Role.ENTERPRISE)  # an enterprise that does not qualify
    services.scan_now(actor=None, year=YEAR)
    policy = Policy.objects.get(code="p01_high_tech_award")
    assert services.eligibility_notify(actor=None, policy=policy, year=YEAR) == 1
    assert services.eligibility_notify(actor=None, policy=policy, year=YEAR) == 0
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [user.pk]


# ----------------------------------------------------------------------------- claims

def test_auto_lane_claim_takes_the_engines_amount_and_a_deadline(synced):
    enterprise = high_tech_enterprise()
    application = submitted(enterprise)
    assert application.lane == "auto" and application.status == "submitted"
    assert application.amount_expected == Decimal("200000.00")
    assert application.bank_account == "6217000012345678"
    assert application.due_on > application.submitted_at.date()
    assert AuditEntry.objects.filter(model="policies.application",
                                     object_id=str(application.pk)).exists()


def test_auto_lane_claim_without_consent_is_refused_and_nothing_written(synced):
    enterprise = high_tech_enterprise()
    form = ClaimForm(**{**FORM.__dict__, "consent": False, "bank_account": "12ab"})
    with pytest.raises(ValidationFailed) as error:
        services.application_submit(actor=None, enterprise=enterprise,
                                    clause=clause("p01_high_tech_award", "high_tech_award"),
                                    year=YEAR, form=form)
    assert set(error.value.fields) == {"consent", "bank_account"}
    assert "8至30位数字" in error.value.fields["bank_account"][0]
    assert Application.objects.count() == 0 and Eligibility.objects.count() == 0


def test_a_clause_the_enterprise_does_not_qualify_for_is_refused_with_the_reason(synced):
    enterprise = rd_enterprise(rd="2900000", rd_prev="2000000")  # increase 90万 < 100万
    with pytest.raises(Conflict) as error:
        submitted(enterprise, "p02_rd_investment_award", "rd_increment_award")
    assert error.value.code == "not_eligible"
    assert any("还差10万元" in m for m in error.value.extra["misses"])
    assert Application.objects.count() == 0


def test_a_second_claim_for_the_same_clause_and_year_is_a_conflict(synced):
    enterprise = high_tech_enterprise()
    submitted(enterprise)
    with pytest.raises(Conflict):
        submitted(enterprise)
    assert Application.objects.count() == 1


# ----------------------------------------------------------------------------- approvals

def test_approval_commits_per_funding_level_and_moves_the_budget(synced):
    enterprise = rd_enterprise()
    officer = make_user(Role.POLICY_OFFICER)
    application = submitted(enterprise, "p02_rd_investment_award", "rd_increment_award")
    approved = services.application_approve(actor=officer, application_id=application.pk)
    assert approved.status == "approved" and approved.amount_approved == Decimal("210000.00")
    entries = {e.level: e.amount for e in LedgerEntry.objects.filter(application=application)}
    assert entries == {"省": Decimal("168000.00"), "市": Decimal("21000.00"),
                       "县": Decimal("21000.00")}
    budget = Budget.objects.get(version=application.clause.version)
    assert budget.committed == Decimal("210000.00")


def test_approval_beyond_the_budget_is_refused_and_nothing_written(synced):
    enterprise = high_tech_enterprise()
    application = submitted(enterprise)
    budget = Budget.objects.get(version=application.clause.version)
    Budget.objects.filter(pk=budget.pk).update(committed=budget.total - Decimal("100000.00"))
    entries_before = AuditEntry.objects.count()
    with pytest.raises(Conflict) as error:
        services.application_approve(actor=None, application_id=application.pk)
    assert error.value.code == "budget_exceeded"
    assert "剩余 10 万元" in error.value.message
    application.refresh_from_db()
    assert application.status == "submitted"
    assert LedgerEntry.objects.count() == 0 and AuditEntry.objects.count() == entries_before


def test_bulk_approval_is_all_or_nothing(synced):
    apps = [submitted(high_tech_enterprise()) for _ in range(3)]
    services.application_reject(actor=None, application_id=apps[2].pk, reason="材料不全")
    with pytest.raises(Conflict):
        services.application_bulk_approve(actor=None, application_ids=[a.pk for a in apps])
    assert LedgerEntry.objects.count() == 0
    done = services.application_bulk_approve(actor=None, application_ids=[apps[0].pk, apps[1].pk])
    assert [a.status for a in done] == ["approved", "approved"]
    assert Budget.objects.get(version=apps[0].clause.version).committed == Decimal("400000.00")


def test_reject_and_defer_need_a_reason(synced):
    application = submitted(high_tech_enterprise())
    with pytest.raises(ValidationFailed) as error:
        services.application_reject(actor=None, application_id=application.pk, reason=" ")
    assert "reason" in error.value.fields
    deferred = services.application_defer(actor=None, application_id=application.pk,
                                          reason="待核实认定证书")
    assert deferred.status == "deferred"
    approved = services.application_approve(actor=None, application_id=application.pk)
    assert approved.status == "approved"
    with pytest.raises(Conflict):
        services.application_reject(actor=None, application_id=application.pk, reason="重复")


def test_unknown_application_is_not_found():
    with pytest.raises(NotFound):
        services.application_approve(actor=None, application_id=999999)


# ----------------------------------------------------------------------------- payments

def test_instalments_until_paid_and_never_beyond_the_approved_amount(synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    first = services.application_pay(actor=None, application_id=application.pk, amount="120000",
                                     on=dt.date(2026, 5, 1))
    assert first.status == "partially_paid" and first.remaining == Decimal("80000.00")
    with pytest.raises(ValidationFailed) as error:
        services.application_pay(actor=None, application_id=application.pk, amount="80000.01")
    assert "未拨付余额 80000.00" in error.value.fields["amount"][0]
    paid = services.application_pay(actor=None, application_id=application.pk, amount="80000")
    assert paid.status == "paid" and paid.paid_on is not None
    budget = Budget.objects.get(version=application.clause.version)
    assert budget.paid == budget.committed == Decimal("200000.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 2


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001"])
def test_bad_payment_amounts_are_refused(synced, amount):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    with pytest.raises(ValidationFailed) as error:
        services.application_pay(actor=None, application_id=application.pk, amount=amount)
    assert "拨付金额" in error.value.fields["amount"][0]
    assert LedgerEntry.objects.filter(kind="payment").count() == 0


def test_payment_before_approval_is_a_conflict(synced):
    application = submitted(high_tech_enterprise())
    with pytest.raises(Conflict):
        services.application_pay(actor=None, application_id=application.pk, amount="100")
    assert LedgerEntry.objects.count() == 0


# ----------------------------------------------------------------------------- ledger

def test_ledger_entries_cannot_be_edited_or_deleted(synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    entry = LedgerEntry.objects.first()
    entry.amount = Decimal("1.00")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_a_payment_is_corrected_by_a_reversing_entry(synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    services.application_pay(actor=None, application_id=application.pk, amount="200000")
    payment = LedgerEntry.objects.get(kind="payment")
    reversals = services.ledger_reverse(actor=None, posting=payment.posting, reason="账号错误")
    assert [r.amount for r in reversals] == [Decimal("-200000.00")]
    assert reversals[0].reverses_id == payment.pk
    payment.refresh_from_db()
    assert payment.amount == Decimal("200000.00")  # the original is untouched
    application.refresh_from_db()
    assert application.status == "approved" and application.paid_total == 0
    assert Budget.objects.get(version=application.clause.version).paid == 0
    with pytest.raises(Conflict):
        services.ledger_reverse(actor=None, posting=payment.posting, reason="再次")


def test_a_commitment_with_payments_cannot_be_reversed(synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    services.application_pay(actor=None, application_id=application.pk, amount="1000")
    commitment = LedgerEntry.objects.get(kind="commitment")
    count = LedgerEntry.objects.count()
    with pytest.raises(Conflict):
        services.ledger_reverse(actor=None, posting=commitment.posting, reason="错批")
    assert LedgerEntry.objects.count() == count


def test_reversing_a_commitment_frees_the_budget_and_reopens_review(synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    commitment = LedgerEntry.objects.get(kind="commitment")
    services.ledger_reverse(actor=None, posting=commitment.posting, reason="错批")
    application.refresh_from_db()
    assert application.status == "submitted" and application.amount_approved is None
    assert Budget.objects.get(version=application.clause.version).committed == 0


def test_a_version_the_rules_no_longer_have_goes_or_ends(synced, tmp_path):
    """A rule file that moves a version's start: the old version row goes when nothing points
    at it, and is ended before the new one (answering for no year it covers) when rows do."""
    import shutil

    from innolink.policies.tests.factories import high_tech_enterprise, submitted

    directory = tmp_path / "rules"
    shutil.copytree(fetch.rulesets_dir(), directory)
    submitted(high_tech_enterprise())  # an application on p01's 2024 version
    for name, old, new in (("p01_high_tech_award.yaml", "effective_from: 2024-01-01", "effective_from: 2025-01-01"),
                           ("p12_parks_talent.yaml", "effective_from: 2024-01-01", "effective_from: 2024-03-01")):
        path = directory / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    services.policy_sync(actor=None, directory=directory, source="test")
    p01 = {v.effective_from: v for v in PolicyVersion.objects.filter(policy__code="p01_high_tech_award")}
    assert p01[dt.date(2024, 1, 1)].effective_to == dt.date(2024, 12, 31)  # kept, ended
    assert dt.date(2025, 1, 1) in p01
    p12 = set(PolicyVersion.objects.filter(policy__code="p12_parks_talent").values_list("effective_from", flat=True))
    assert dt.date(2024, 1, 1) not in p12 and dt.date(2024, 3, 1) in p12  # nothing pointed at it
    assert AuditEntry.objects.filter(model="policies.policyversion", action="delete").count() == 1
