"""Pages: what each role sees, the enterprise's answer, claims, officer actions, tenant
isolation (another tenant gets the same 404 as a missing record) and pinned query counts."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.policies import services
from innolink.policies.models import Application, Eligibility, LedgerEntry, Policy
from innolink.policies.tests.factories import (
    YEAR, clause, high_tech_enterprise, rd_enterprise, submitted,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_enterprise_sees_what_it_gets_how_much_and_why_not(client, synced):
    # given an enterprise whose R&D grew 350万 and which is not a high-tech enterprise
    enterprise = rd_enterprise()
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    # when
    response = login(client, user).get(reverse("policies:mine"), {"year": YEAR})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    view = response.context["view"]
    eligible = {(r.answer.policy_id, r.answer.clause_id) for r in view.eligible}
    assert ("p02_rd_investment_award", "rd_increment_award") in eligible
    assert "21 万元" in html  # 21万元 with the arithmetic
    assert "研发经费支出较上年增量 350万元 × 6% = 21万元" in html
    # and the nearest misses come with the actual value, threshold and gap
    assert view.not_eligible and view.not_eligible[0].answer.misses
    assert "缺少数据" in html or "还差" in html


def test_enterprise_page_asks_for_nothing_and_offers_the_claim(client, synced):
    enterprise = high_tech_enterprise()
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    response = login(client, user).get(reverse("policies:mine"), {"year": YEAR})
    award = clause("p01_high_tech_award", "high_tech_award")
    assert reverse("policies:claim", args=[award.pk]).encode() in response.content
    # nothing to fill in for what it gets: no claim form on the page, and the only inputs are
    # those of figures the registry lacks (inside the forms that re-answer with them)
    main = response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert 'name="bank_account"' not in main
    outside = main
    for form in main.split('<form method="post" action="/policies/mine/facts/"')[1:]:
        outside = outside.replace(form.split("</form>")[0], "")
    assert "<input" not in outside.replace('<input name="next"', "")
    # and no rule internals reach the enterprise
    assert "high_tech_award" not in main and "rulesets/" not in main and "p01_" not in main


def test_claim_form_is_prefilled_and_submits_in_one_step(client, synced):
    enterprise = high_tech_enterprise(name="晋江安泰鞋业有限公司")
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    award = clause("p01_high_tech_award", "high_tech_award")
    url = reverse("policies:claim", args=[award.pk]) + f"?year={YEAR}"
    login(client, user)
    form = client.get(url).context["form"]
    assert form.initial["account_holder"] == "晋江安泰鞋业有限公司"
    assert form.initial["consent"] is True
    response = client.post(url, {"account_holder": "晋江安泰鞋业有限公司", "bank_name": "农业银行",
                                 "bank_account": "6228480000000000", "consent": "on",
                                 "year": YEAR})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:application", args=[application.pk])
    # the next claim is prefilled with the bank account just used
    assert Application.objects.count() == 1
    from innolink.policies.selectors import claim_prefill
    assert claim_prefill(user, enterprise)["bank_account"] == "6228480000000000"


def test_claim_with_bad_account_shows_the_field_error_and_writes_nothing(client, synced):
    enterprise = high_tech_enterprise()
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    award = clause("p01_high_tech_award", "high_tech_award")
    response = login(client, user).post(
        reverse("policies:claim", args=[award.pk]),
        {"account_holder": "x", "bank_name": "农业银行", "bank_account": "12", "year": YEAR})
    assert response.status_code == 422
    assert "银行账号：应为8至30位数字" in response.content.decode()
    assert "免申即享需勾选同意" in response.content.decode()
    assert Application.objects.count() == 0


def test_staff_cannot_use_the_enterprise_pages(client, synced):
    login(client, make_user(Role.POLICY_OFFICER))
    assert client.get(reverse("policies:mine")).status_code == 404
    award = clause("p01_high_tech_award", "high_tech_award")
    assert client.get(reverse("policies:claim", args=[award.pk])).status_code == 404


def test_another_tenant_gets_the_same_404_as_a_missing_application(client, synced):
    application = submitted(high_tech_enterprise())
    stranger = make_user(Role.ENTERPRISE)
    login(client, stranger)
    theirs = client.get(reverse("policies:application", args=[application.pk]))
    missing = client.get(reverse("policies:application", args=[application.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.context["error"].as_dict() == missing.context["error"].as_dict()
    assert application.enterprise.name.encode() not in theirs.content


def test_enterprise_user_cannot_act_as_officer(client, synced):
    application = submitted(high_tech_enterprise())
    owner = make_user(Role.ENTERPRISE, enterprise=application.enterprise)
    login(client, owner)
    response = client.post(reverse("policies:application-approve", args=[application.pk]))
    assert response.status_code == 403
    assert client.post(reverse("policies:bulk-approve"), {"ids": [application.pk]}).status_code == 403
    assert client.post(reverse("policies:scans"), {"year": YEAR}).status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted" and LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.REVIEWER, Role.DEPT_HANDLER])
def test_other_roles_are_refused_officer_pages(client, synced, role):
    login(client, make_user(role))
    for name in ("policies:applications", "policies:ledger", "policies:metrics", "policies:scans"):
        assert client.get(reverse(name)).status_code == 403, name


def test_organizer_reads_metrics_and_ledger_but_cannot_approve(client, synced):
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.ORGANIZER))
    assert client.get(reverse("policies:metrics")).status_code == 200
    assert client.get(reverse("policies:ledger")).status_code == 200
    response = client.post(reverse("policies:application-approve", args=[application.pk]))
    assert response.status_code == 403


def test_officer_approves_pays_and_the_ledger_and_metrics_move(client, synced):
    enterprise = high_tech_enterprise()
    services.scan_now(actor=None, year=YEAR)
    application = submitted(enterprise)
    login(client, make_user(Role.POLICY_OFFICER))
    client.post(reverse("policies:application-approve", args=[application.pk]))
    client.post(reverse("policies:application-pay", args=[application.pk]),
                {"amount": "200000.00"})
    application.refresh_from_db()
    assert application.status == "paid"
    ledger = client.get(reverse("policies:ledger"))
    assert ledger.context["page"].paginator.count == 2
    metrics = client.get(reverse("policies:metrics"), {"year": YEAR}).context["m"]
    assert metrics.total.paid == 1 and metrics.total.eligible >= 1
    p01 = next(r for r in metrics.by_policy if r.label == "晋江市高新技术企业认定奖励")
    assert p01.rate == 100.0 and p01.paid_amount == 200000


def test_a_budget_conflict_is_shown_as_a_message_and_nothing_written(client, synced):
    application = submitted(high_tech_enterprise())
    from innolink.policies.models import Budget
    Budget.objects.filter(version=application.clause.version).update(total=1000)
    login(client, make_user(Role.POLICY_OFFICER))
    response = client.post(reverse("policies:application-approve", args=[application.pk]))
    assert response.status_code == 409
    assert "预算不足" in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_leader_reads_applications_without_a_write_form(client, synced):
    """The leader reads the applications, the ledger and the figures city-wide (ADR 0760) and
    gets no approve form, not even the empty bulk form; posting is refused, nothing written."""
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.LEADER))
    for name in ("policies:applications", "policies:ledger", "policies:metrics"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        main = html[html.index("<main"):html.index("</main>")]
        assert 'method="post"' not in main, name
    assert f"#{application.pk}" in client.get(reverse("policies:applications")).content.decode()
    assert client.post(reverse("policies:bulk-approve"), {"ids": [application.pk]}).status_code == 403
    assert client.post(reverse("policies:application-approve",
                               args=[application.pk])).status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted" and LedgerEntry.objects.count() == 0
    login(client, make_user(Role.POLICY_OFFICER))  # the officer's copy has the form
    assert 'id="bulk-form"' in client.get(reverse("policies:applications")).content.decode()


def test_bulk_approve_from_the_list(client, synced):
    apps = [submitted(high_tech_enterprise()) for _ in range(3)]
    login(client, make_user(Role.POLICY_OFFICER))
    response = client.post(reverse("policies:bulk-approve"), {"ids": [a.pk for a in apps]})
    assert response.status_code == 302
    assert set(Application.objects.values_list("status", flat=True)) == {"approved"}


def test_scan_page_starts_a_job_and_unpaid_list_notifies(client, synced,
                                                         django_capture_on_commit_callbacks):
    enterprise = high_tech_enterprise()
    make_user(Role.ENTERPRISE, enterprise=enterprise)
    login(client, make_user(Role.POLICY_OFFICER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("policies:scans"), {"year": YEAR})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job_page = client.get(response["Location"])
    assert "新发现" in job_page.content.decode()
    policy = Policy.objects.get(code="p01_high_tech_award")
    unpaid = client.get(reverse("policies:unpaid", args=[policy.pk]), {"year": YEAR})
    assert [e.enterprise_id for e in unpaid.context["page"]] == [enterprise.pk]
    client.post(reverse("policies:unpaid", args=[policy.pk]), {"year": YEAR})
    assert Eligibility.objects.get(enterprise=enterprise).notified_at is not None


def test_scan_with_a_bad_year_is_refused(client, synced):
    login(client, make_user(Role.POLICY_OFFICER))
    response = client.post(reverse("policies:scans"), {"year": "20x5"})
    assert response.status_code == 422 and "政策年度" in response.content.decode()


def test_policy_detail_shows_rules_next_to_the_legal_text_to_officers_only(client, synced):
    policy = Policy.objects.get(code="p02_rd_investment_award")
    login(client, make_user(Role.POLICY_OFFICER))
    html = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "单个企业年度最高补助600万元" in html
    assert "rd_expense.yoy_increase" in html and "以上" in html
    # an enterprise reads the legal text, not the rule, the clause ids or the rule file
    login(client, make_user(Role.ENTERPRISE))
    html = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "单个企业年度最高补助600万元" in html
    assert "rd_expense" not in html and "rd_increment_award" not in html
    assert "rulesets/" not in html and ".yaml" not in html


def test_application_list_has_a_fixed_number_of_queries(client, synced, django_assert_num_queries):
    for _ in range(12):
        submitted(high_tech_enterprise())
    login(client, make_user(Role.POLICY_OFFICER))
    # session, user, unread badge, count, page, policies for the filter, pro-rata versions
    # with open applications (two more per such version whose budget is short, never per row)
    with django_assert_num_queries(7):
        response = client.get(reverse("policies:applications"))
    assert len(response.context["rows"]) == 12


def test_unpaid_list_has_a_fixed_number_of_queries(client, synced, django_assert_num_queries):
    for _ in range(12):
        high_tech_enterprise()
    services.scan_now(actor=None, year=YEAR)
    policy = Policy.objects.get(code="p01_high_tech_award")
    login(client, make_user(Role.POLICY_OFFICER))
    # session, user, unread badge, policy, count, page, the years with registry data
    with django_assert_num_queries(7):
        response = client.get(reverse("policies:unpaid", args=[policy.pk]), {"year": YEAR})
    assert response.context["page"].paginator.count == 12


def test_ledger_list_has_a_fixed_number_of_queries(client, synced, django_assert_num_queries):
    for _ in range(5):
        services.application_approve(actor=None, application_id=submitted(high_tech_enterprise()).pk)
    login(client, make_user(Role.POLICY_OFFICER))
    with django_assert_num_queries(8):
        response = client.get(reverse("policies:ledger"))
    assert response.context["page"].paginator.count == 5


def test_countdown_warns_when_overdue(client, synced):
    application = submitted(high_tech_enterprise())
    Application.objects.filter(pk=application.pk).update(due_on="2020-01-06")
    login(client, make_user(Role.POLICY_OFFICER))
    html = client.get(reverse("policies:applications")).content.decode()
    assert "已超期" in html and "overdue-row" in html
    overdue_only = client.get(reverse("policies:applications"), {"overdue": "on"})
    assert [a.pk for a, _cd in overdue_only.context["rows"]] == [application.pk]


def test_policy_list_shows_the_years_budget_in_wan(client, synced):
    login(client, make_user(Role.ENTERPRISE))
    response = client.get(reverse("policies:list"), {"year": YEAR})
    rows = response.context["rows"]
    active = [r for r in rows if r["version"]]
    assert len(rows) == 12 and active
    total = response.context["total"]
    assert total == sum(r["version"].budget for r in active)
    from innolink.core.money import money_text

    assert f"项政策，资金总额 {money_text(total, language='zh-hans')}。" in response.content.decode()
    english = client.get(reverse("policies:list"), {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en")
    assert f"with total funding of {money_text(total, language='en')}." in english.content.decode()


def test_scan_page_lists_the_latest_scan_per_policy(client, synced):
    high_tech_enterprise()
    services.scan_now(actor=None, year=YEAR)
    login(client, make_user(Role.POLICY_OFFICER))
    response = client.get(reverse("policies:scans"))
    summary = {r["title"]: r for r in response.context["summary"]}
    assert summary["晋江市高新技术企业认定奖励"]["enterprises"] == 1
    assert summary["晋江市高新技术企业认定奖励"]["total"] == "200000.00"


def test_officer_approves_a_lower_amount_and_all_policies_notify(client, synced):
    enterprise = high_tech_enterprise()
    owner = make_user(Role.ENTERPRISE, enterprise=enterprise)
    services.scan_now(actor=None, year=YEAR)
    login(client, make_user(Role.POLICY_OFFICER))
    client.post(reverse("policies:scans"), {"year": YEAR, "notify": "1"})
    assert owner.notifications.count() == 1
    application = submitted(enterprise, actor=owner)
    too_much = client.post(reverse("policies:application-approve", args=[application.pk]),
                           {"amount": "200000.01"})
    assert too_much.status_code == 422 and LedgerEntry.objects.count() == 0
    client.post(reverse("policies:application-approve", args=[application.pk]),
                {"amount": "150000"})
    application.refresh_from_db()
    assert application.amount_approved == 150000 and application.status == "approved"


def test_enterprise_workspace_shows_what_it_can_get(client, synced):
    enterprise = high_tech_enterprise()
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    response = client.get(reverse("dashboard:workspace"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="workspace-policies"><strong class="stat">20 万元</strong>' in html


def test_metrics_page_has_a_fixed_number_of_queries(client, synced, django_assert_num_queries):
    for _ in range(6):
        services.application_approve(actor=None, application_id=submitted(high_tech_enterprise()).pk)
    services.scan_now(actor=None, year=YEAR)
    login(client, make_user(Role.ORGANIZER))
    # session, user, badge, policies, eligibility, applications, paid applications, budgets,
    # the years with registry data
    with django_assert_num_queries(9):
        response = client.get(reverse("policies:metrics"), {"year": YEAR})
    assert response.context["m"].total.approved == 6


def test_a_bad_amount_comes_back_at_its_field_with_what_was_typed(client, synced):
    application = submitted(high_tech_enterprise())
    login(client, make_user(Role.POLICY_OFFICER))
    # a typo in the approval amount: the same page, the error at the field, the text kept
    typo = client.post(reverse("policies:application-approve", args=[application.pk]),
                       {"amount": "20万", "note": "同意"})
    body = typo.content.decode()
    assert typo.status_code == 422 and 'id="approve-form"' in body
    assert 'id="id_amount-error"' in body and "批准金额：应为金额数字" in body
    assert 'value="20万"' in body and 'value="同意"' in body and "amount：" not in body
    assert LedgerEntry.objects.count() == 0
    client.post(reverse("policies:application-approve", args=[application.pk]))
    # an instalment above what is left: again at the field
    over = client.post(reverse("policies:application-pay", args=[application.pk]),
                       {"amount": "200000.01", "note": "第一期"})
    body = over.content.decode()
    assert over.status_code == 422 and 'id="pay-form"' in body
    assert "不能超过未拨付余额 200,000.00 元" in body or "不能超过未拨付余额 200000.00 元" in body
    assert 'value="200000.01"' in body
    assert LedgerEntry.objects.filter(kind="payment").count() == 0
    # a reason too short for a rejection: shown at the reason field
    other = submitted(high_tech_enterprise())
    short = client.post(reverse("policies:application-reject", args=[other.pk]), {"reject-reason": "不"})
    assert short.status_code == 422 and 'id="id_reject-reason-error"' in short.content.decode()
    other.refresh_from_db()
    assert other.status == "submitted"


def test_the_year_select_offers_only_years_with_registry_data(client, synced):
    """Issue 16 (ADR 0795): a year the registry holds no indicators for is not offered."""
    from django.utils import timezone

    from innolink.enterprises.models import EnterpriseYear

    this = timezone.localdate().year
    login(client, make_user(Role.POLICY_OFFICER))

    def offered(query: str = "") -> list[int]:
        html = client.get(reverse("policies:list") + query).content.decode()
        select = html.split('id="policy-year"')[1].split("</select>")[0]
        return [y for y in range(this - 5, this + 1) if f'<option value="{y}"' in select]

    assert not EnterpriseYear.objects.exists()
    assert offered() == [this - 1]  # nothing held: last year alone, not three empty years
    enterprise = high_tech_enterprise()
    EnterpriseYear.objects.filter(enterprise=enterprise).update(year=this - 2)
    assert offered(f"?year={this - 2}") == [this - 2]


def test_a_year_asked_for_in_the_address_stays_the_selected_one(client, synced):
    """A year outside the offered ones (an old link) is shown as the selected year, not
    silently replaced in the select by another (ADR 0795)."""
    login(client, make_user(Role.POLICY_OFFICER))
    html = client.get(reverse("policies:list") + "?year=2019").content.decode()
    assert '<option value="2019" selected>2019</option>' in html
    year_select = html.split('id="policy-year"')[1].split("</select>")[0]
    assert year_select.count(" selected") == 1
