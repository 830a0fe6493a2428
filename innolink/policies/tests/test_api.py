"""The policies API, step by step, with the one error shape and tenant isolation."""

from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import ValidationFailed
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.policies import services
from innolink.policies.models import Application, LedgerEntry, Policy
from innolink.policies.tests.factories import (
    YEAR, clause, high_tech_enterprise, rd_enterprise, submitted,
)

pytestmark = pytest.mark.django_db

CLAIM = {"bank_name": "中国银行", "bank_account": "6217000012345678",
         "account_holder": "测试企业", "consent": True}


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_gets_401(client):
    assert_json_error(client.get("/api/policies/answers/mine"), 401, "not_authenticated")


def test_policies_are_listed_with_versions_and_clause_texts(client, synced):
    login(client, make_user(Role.ENTERPRISE))
    items = assert_json_success(client.get("/api/policies"))
    assert len(items) == 12
    p02 = next(p for p in items if p["code"] == "p02_rd_investment_award")
    detail = assert_json_success(client.get(f"/api/policies/{p02['id']}"))
    latest = detail["versions"][-1]
    assert latest["shares"] == [["省", 8], ["市", 1], ["县", 1]]
    assert latest["budget"] == "120000000.00"
    assert "单个企业年度最高补助600万元" in latest["clauses"][0]["text"]


def test_the_whole_enterprise_flow_through_the_api(client, synced):
    # step 1: the enterprise reads what it can get
    enterprise = high_tech_enterprise()
    owner = make_user(Role.ENTERPRISE, enterprise=enterprise)
    login(client, owner)
    answer = assert_json_success(client.get("/api/policies/answers/mine", {"year": YEAR}))
    award = next(a for a in answer["eligible"] if a["clause_id"] == "high_tech_award")
    assert award["amount"] == "200000.00" and award["lane"] == "auto"
    assert any("20万元" in s for s in award["steps"])
    assert all(a["misses"] for a in answer["not_eligible"])
    # step 2: it confirms with consent and a bank account
    created = assert_json_success(client.post("/api/policies/applications", {
        **CLAIM, "clause_id": award["clause_pk"], "year": YEAR}, content_type="application/json"),
        201)
    assert created["status"] == "submitted" and created["amount_expected"] == "200000.00"
    # step 3: an officer approves and pays
    login(client, make_user(Role.POLICY_OFFICER))
    approved = assert_json_success(client.post(
        f"/api/policies/applications/{created['id']}/approve", {"note": "数据核定无误"},
        content_type="application/json"))
    assert approved["status"] == "approved"
    paid = assert_json_success(client.post(f"/api/policies/applications/{created['id']}/pay",
                                           {"amount": "200000"}, content_type="application/json"))
    assert paid["status"] == "paid" and paid["paid_total"] == "200000.00"
    ledger = assert_json_success(client.get("/api/policies/ledger"))
    assert ledger["count"] == 2 and {i["kind"] for i in ledger["items"]} == {"commitment", "payment"}
    metrics = assert_json_success(client.get("/api/policies/metrics", {"year": YEAR}))
    assert metrics["total"]["paid"] == 1 and metrics["total"]["paid_amount"] == "200000.00"


def test_scan_notify_and_unpaid_list(client, synced, django_capture_on_commit_callbacks):
    enterprise = rd_enterprise()
    make_user(Role.ENTERPRISE, enterprise=enterprise)
    login(client, make_user(Role.POLICY_OFFICER))
    with django_capture_on_commit_callbacks(execute=True):
        scan = assert_json_success(client.post("/api/policies/scans", {"year": YEAR},
                                               content_type="application/json"), 202)
    assert scan["job_id"]
    policy = Policy.objects.get(code="p02_rd_investment_award")
    unpaid = assert_json_success(client.get(f"/api/policies/{policy.pk}/unpaid", {"year": YEAR}))
    assert unpaid["count"] == 2  # the provincial award and the city bonus on top of it (4% of 350万)
    assert {i["amount"] for i in unpaid["items"]} == {"210000.00", "140000.00"}
    sent = assert_json_success(client.post(f"/api/policies/{policy.pk}/notify", {"year": YEAR},
                                           content_type="application/json"))
    assert sent == {"notified_users": 1}


def test_claim_errors_name_the_field_in_chinese_and_write_nothing(client, synced):
    enterprise = high_tech_enterprise()
    login(client, make_user(Role.ENTERPRISE, enterprise=enterprise))
    award = clause("p01_high_tech_award", "high_tech_award")
    body = assert_json_error(client.post("/api/policies/applications", {
        **CLAIM, "consent": False, "bank_account": "abc", "clause_id": award.pk, "year": YEAR},
        content_type="application/json"), 422, "invalid")
    assert set(body["extra"]["fields"]) == {"bank_account", "consent"}
    assert Application.objects.count() == 0


def test_a_clause_not_qualified_for_is_a_409_with_the_misses(client, synced):
    enterprise = rd_enterprise(rd="2000000", rd_prev="900000")  # exactly 200万: 高于 is strict
    login(client, make_user(Role.ENTERPRISE, enterprise=enterprise))
    rd = clause("p02_rd_investment_award", "rd_increment_award")
    body = assert_json_error(client.post("/api/policies/applications", {
        **CLAIM, "clause_id": rd.pk, "year": YEAR}, content_type="application/json"),
        409, "not_eligible")
    assert body["extra"]["misses"]
    assert Application.objects.count() == 0


@pytest.mark.parametrize("suffix", ["", "/approve", "/pay"])
def test_another_tenant_learns_nothing(client, synced, suffix):
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.ENTERPRISE))
    method = client.get if not suffix else (
        lambda url: client.post(url, {"amount": "1", "note": ""}, content_type="application/json"))
    theirs = method(f"/api/policies/applications/{application.pk}{suffix}")
    missing = method(f"/api/policies/applications/{application.pk + 999}{suffix}")
    assert assert_json_error(theirs, 404, "not_found") == assert_json_error(missing, 404, "not_found")


def test_another_enterprises_answer_is_not_found(client, synced):
    other = high_tech_enterprise()
    login(client, make_user(Role.ENTERPRISE))
    theirs = client.get(f"/api/policies/answers/{other.pk}")
    missing = client.get("/api/policies/answers/987654321")
    assert assert_json_error(theirs, 404, "not_found") == assert_json_error(missing, 404, "not_found")


def test_owner_cannot_approve_its_own_application(client, synced):
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.ENTERPRISE, enterprise=application.enterprise))
    assert_json_error(client.post(f"/api/policies/applications/{application.pk}/approve", {},
                                  content_type="application/json"), 403, "permission_denied")
    assert_json_error(client.post("/api/policies/scans", {"year": YEAR},
                                  content_type="application/json"), 403, "permission_denied")
    assert LedgerEntry.objects.count() == 0


def test_organizer_reads_metrics_but_cannot_scan(client, synced):
    login(client, make_user(Role.ORGANIZER))
    assert_json_success(client.get("/api/policies/metrics"))
    assert_json_error(client.post("/api/policies/scans", {"year": YEAR},
                                  content_type="application/json"), 403, "permission_denied")


def test_bulk_approve_beyond_budget_is_409_and_nothing_written(client, synced):
    apps = [submitted(high_tech_enterprise()) for _ in range(2)]
    from innolink.policies.models import Budget
    Budget.objects.filter(version=apps[0].clause.version).update(total=300000)
    login(client, make_user(Role.POLICY_OFFICER))
    body = assert_json_error(client.post("/api/policies/applications/bulk-approve",
                                         {"ids": [a.pk for a in apps]},
                                         content_type="application/json"), 409, "budget_exceeded")
    assert body["extra"]["available"] == "300000.00" and body["extra"]["requested"] == "400000.00"
    assert LedgerEntry.objects.count() == 0
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}


def test_reject_without_reason_and_bad_pay_amount(client, synced):
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.POLICY_OFFICER))
    body = assert_json_error(client.post(f"/api/policies/applications/{application.pk}/reject",
                                         {"reason": ""}, content_type="application/json"),
                             422, "invalid")
    assert "reason" in body["extra"]["fields"]
    services.application_approve(actor=None, application_id=application.pk)
    body = assert_json_error(client.post(f"/api/policies/applications/{application.pk}/pay",
                                         {"amount": "1e3"}, content_type="application/json"),
                             422, "invalid")
    assert "amount" in body["extra"]["fields"]


@pytest.mark.parametrize("suffix, body", [
    ("/approve", {"amount": "100000", "note": "", "approved_by_mistake": True}),
    ("/reject", {"reason": "材料不全", "reasn": "拼错的字段"}),
    ("/defer", {"reason": "请补充材料", "deadline": "2025-01-01"}),
])
def test_an_undeclared_body_field_is_refused_not_ignored(client, synced, suffix, body):
    """ADR 0380: a key the operation does not take is a 422 naming it, and nothing changes."""
    from innolink.core.models import AuditEntry

    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.POLICY_OFFICER))
    audit = AuditEntry.objects.count()
    refused = assert_json_error(client.post(f"/api/policies/applications/{application.pk}{suffix}",
                                            body, content_type="application/json"), 422, "invalid")
    extra_key = list(body)[-1]
    assert extra_key in refused["extra"]["fields"]
    application.refresh_from_db()
    assert application.status == "submitted" and LedgerEntry.objects.count() == 0
    assert AuditEntry.objects.count() == audit


def test_ledger_reversal_through_the_api(client, synced):
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    services.application_pay(actor=None, application_id=application.pk, amount="5000")
    payment = LedgerEntry.objects.get(kind="payment")
    login(client, make_user(Role.POLICY_OFFICER))
    reversal = assert_json_success(client.post(f"/api/policies/ledger/{payment.posting}/reverse",
                                               {"reason": "金额录错"}, content_type="application/json"))
    assert [r["amount"] for r in reversal] == ["-5000.00"]
    assert_json_error(client.post(f"/api/policies/ledger/{payment.posting}/reverse",
                                  {"reason": "再来"}, content_type="application/json"),
                      409, "already_reversed")


def test_out_of_range_ids_are_404(client, synced):
    login(client, make_user(Role.POLICY_OFFICER))
    assert_json_error(client.get(f"/api/policies/applications/{2**70}"), 404, "not_found")
    assert_json_error(client.get(f"/api/policies/{2**70}"), 404, "not_found")


def test_api_actions_are_audited_with_source_api(client, synced):
    from innolink.core.models import AuditEntry

    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.POLICY_OFFICER))
    assert_json_success(client.post(f"/api/policies/applications/{application.pk}/reject",
                                    {"reason": "材料不全"}, content_type="application/json"))
    entry = AuditEntry.objects.filter(model="policies.application",
                                      object_id=str(application.pk)).latest("id")
    assert entry.source == "api" and entry.changes["status"][1] == "rejected"


def test_the_approved_amount_is_parsed_once_in_the_service_for_page_and_api(client, synced):
    """The page posts text, the API a number: ``application_approve`` parses both with the
    one money parser; a bad amount is a 422 naming ``amount`` and nothing is written."""
    application = submitted(high_tech_enterprise())
    with pytest.raises(ValidationFailed) as refused:
        services.application_approve(actor=None, application_id=application.pk, amount="12 万")
    assert "amount" in refused.value.extra["fields"]
    login(client, make_user(Role.POLICY_OFFICER))
    body = assert_json_error(client.post(f"/api/policies/applications/{application.pk}/approve",
                                         {"amount": "0.001"}, content_type="application/json"),
                             422, "invalid")
    assert "amount" in body["extra"]["fields"]
    assert LedgerEntry.objects.count() == 0
    application.refresh_from_db()
    assert application.status == "submitted"
    approved = services.application_approve(actor=None, application_id=application.pk,
                                            amount="150,000.5")
    assert approved.amount_approved == Decimal("150000.50")
