"""Answers people can act on: a figure the registry lacks is asked for where the answer needs
it, the platform answers again at once, and the enterprise applies in the same place without
losing what it typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.policies import services
from innolink.policies.models import Application, DeclaredFact, Eligibility
from innolink.policies.tests.factories import YEAR, clause, material_files

pytestmark = pytest.mark.django_db

FIELD = f"fact-software_hardware_investment-{YEAR}"
BANK = {"account_holder": "测试企业", "bank_name": "中国银行晋江支行",
        "bank_account": "6217000012345678", "contact_name": "林会计", "year": YEAR}


def manufacturer():
    """A manufacturer (C1953) whose registry has no 软件系统、硬件设备投入金额: p04's 数字化改造
    补助 (20%, 快申快享) cannot be decided without it."""
    enterprise = make_enterprise(years={YEAR: {"revenue": "50000000"}})
    return make_user(Role.ENTERPRISE, enterprise=enterprise)


def _card(view, code):
    return next(r for r in (*view.eligible, *view.not_eligible) if r.answer.clause_id == code)


def test_the_missing_figure_is_asked_for_on_the_clause(client, synced):
    user = manufacturer()
    client.force_login(user)
    page = client.get(reverse("policies:mine"), {"year": YEAR})
    row = _card(page.context["view"], "digital_subsidy")
    assert not row.answer.eligible and row.only_missing
    assert [f["item"].name for f in row.input_fields] == [FIELD]
    html = page.content.decode()
    # the indicator's catalogue name is data, marked untranslated (decision 0770)
    assert (f'{YEAR}年 <span translate="no">软件系统、硬件设备投入金额</span>（万元）' in html
            and f'name="{FIELD}"' in html)
    assert 'hx-post="/policies/mine/facts/"' in html


def test_typing_it_in_answers_again_at_once(client, synced):
    user = manufacturer()
    client.force_login(user)
    digital = clause("p04_digital_transformation", "digital_subsidy")
    # when the enterprise types 300万元 into the card (htmx)
    response = client.post(reverse("policies:declared-facts-set"),
                           {"year": YEAR, "clause": digital.pk, FIELD: "300"}, HTTP_HX_REQUEST="true")
    # then the answer's body comes back with the clause eligible: 300万元 × 20% = 60万元
    assert response.status_code == 200
    assert response.templates[0].name == "policies/_answer_body.html"
    row = _card(response.context["view"], "digital_subsidy")
    assert row.answer.eligible and row.answer.amount == Decimal("600000.00")
    html = response.content.decode()
    assert "已按您填写的数据重新测算" in html
    assert reverse("policies:claim", args=[digital.pk]) in html  # apply right there
    assert "软件系统、硬件设备投入金额 300 万元" in html  # its own figure is named as such
    fact = DeclaredFact.objects.get()
    assert (fact.enterprise_id, fact.year, fact.code, fact.value) == (
        user.enterprise_id, YEAR, "software_hardware_investment", "3000000.00")
    assert AuditEntry.objects.filter(model="policies.declaredfact", action="create").count() == 1
    # the registry itself is unchanged
    assert "software_hardware_investment" not in user.enterprise.years.get(year=YEAR).values


def test_a_bad_figure_stays_as_typed_with_the_error_and_nothing_is_written(client, synced):
    user = manufacturer()
    client.force_login(user)
    htmx = client.post(reverse("policies:declared-facts-set"),
                       {"year": YEAR, FIELD: "三百万"}, HTTP_HX_REQUEST="true")
    html = htmx.content.decode()
    assert htmx.status_code == 200 and 'value="三百万"' in html
    assert "应为数字，单位万元" in html and 'aria-invalid="true"' in html
    plain = client.post(reverse("policies:declared-facts-set"), {"year": YEAR, FIELD: "-5"})
    assert plain.status_code == 422 and 'value="-5"' in plain.content.decode()
    assert DeclaredFact.objects.count() == 0
    assert not AuditEntry.objects.filter(model="policies.declaredfact").exists()


def test_a_figure_the_registry_has_cannot_be_typed_over(synced):
    from innolink.core.errors import Conflict
    from innolink.policies.present import FactInput

    enterprise = make_enterprise(years={YEAR: {"software_hardware_investment": "1000000"}})
    item = FactInput("software_hardware_investment", YEAR, "x", "万元", "money")
    with pytest.raises(Conflict) as refused:
        services.declared_facts_set(actor=None, enterprise=enterprise, inputs=[item],
                                    values={item.name: "900"})
    assert refused.value.code == "fact_known" and DeclaredFact.objects.count() == 0


def test_only_figures_the_answer_asks_for_can_be_typed(client, synced):
    user = manufacturer()
    client.force_login(user)
    audit = AuditEntry.objects.count()
    page = client.post(reverse("policies:declared-facts-set"),
                       {"year": YEAR, f"fact-rd_expense-{YEAR - 5}": "100", f"fact-revenue-{YEAR}": "1"})
    assert page.status_code == 422  # refused, not dropped (ADR 0380)
    assert DeclaredFact.objects.count() == 0  # neither was offered: revenue is in the registry
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize("htmx", [False, True])
def test_a_forged_figure_beside_an_offered_one_is_refused_and_nothing_is_written(client, synced, htmx):
    user = manufacturer()
    client.force_login(user)
    audit = AuditEntry.objects.count()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    page = client.post(reverse("policies:declared-facts-set"),
                       {"year": YEAR, FIELD: "300", f"fact-colour-{YEAR}": "red"}, **headers)
    html = page.content.decode()
    assert page.status_code == (200 if htmx else 422)
    assert f"没有需要填写的数据项 colour-{YEAR}" in html
    assert "软件系统、硬件设备投入金额" in html  # what can be typed is named
    assert 'value="300"' in html  # what was typed stays
    assert DeclaredFact.objects.count() == 0
    assert AuditEntry.objects.count() == audit


def test_a_forged_figure_on_the_claim_page_is_refused(client, synced):
    user = manufacturer()
    client.force_login(user)
    audit = AuditEntry.objects.count()
    digital = clause("p04_digital_transformation", "digital_subsidy")
    page = client.post(reverse("policies:claim", args=[digital.pk]),
                       {"year": YEAR, "facts": "1", FIELD: "300", f"fact-colour-{YEAR}": "red"})
    assert page.status_code == 422
    assert f"没有需要填写的数据项 colour-{YEAR}" in page.content.decode()
    assert DeclaredFact.objects.count() == 0
    assert AuditEntry.objects.count() == audit


def test_the_claim_url_of_an_ineligible_enterprise_shows_no_form(client, synced):
    # an enterprise outside manufacturing: p04 does not apply, and no figure can change that
    enterprise = make_enterprise(industry_code="F5132", years={YEAR: {"revenue": "1"}})
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    digital = clause("p04_digital_transformation", "digital_subsidy")
    page = client.get(reverse("policies:claim", args=[digital.pk]), {"year": YEAR})
    html = page.content.decode()
    assert page.status_code == 200 and "暂不符合" in html
    assert 'name="bank_account"' not in html and 'type="file"' not in html
    assert "F5132 批发业" in html  # the code with its name


def test_apply_where_the_answer_asked_and_keep_what_was_typed(client, synced):
    user = manufacturer()
    client.force_login(user)
    digital = clause("p04_digital_transformation", "digital_subsidy")
    url = reverse("policies:claim", args=[digital.pk]) + f"?year={YEAR}"
    # opened directly while the figure is missing: the input, not the form
    first = client.get(url).content.decode()
    assert f'name="{FIELD}"' in first and 'name="bank_account"' not in first
    # the figure typed in on the claim page: the form appears in the same place
    after = client.post(url, {"year": YEAR, "facts": "1", FIELD: "300"}, HTTP_HX_REQUEST="true")
    assert after.templates[0].name == "policies/_claim_body.html"
    body = after.content.decode()
    assert 'name="bank_account"' in body and "60 万元" in body
    # a refused submission keeps everything typed (and the contact is not the account's name)
    refused = client.post(url, {**BANK, "bank_account": "12-34"})
    html = refused.content.decode()
    assert refused.status_code == 422 and 'value="12-34"' in html and 'value="林会计"' in html
    assert Application.objects.count() == 0
    done = client.post(url, BANK)
    assert done.status_code == 302
    application = Application.objects.get()
    assert application.amount_expected == Decimal("600000.00")
    assert application.declared == {str(YEAR): {"software_hardware_investment": "3000000.00"}}
    # the officer sees the enterprise's own figure next to the materials
    client.force_login(make_user(Role.POLICY_OFFICER))
    page = client.get(reverse("policies:application", args=[application.pk])).content.decode()
    assert "企业自行填报" in page and "300 万元" in page


def test_a_conflict_on_submit_keeps_the_form_as_typed(client, synced):
    user = manufacturer()
    client.force_login(user)
    services.declared_facts_set(actor=user, enterprise=user.enterprise,
                                inputs=_card(client.get(reverse("policies:mine"), {"year": YEAR})
                                             .context["view"], "digital_subsidy").inputs,
                                values={FIELD: "300"})
    digital = clause("p04_digital_transformation", "digital_subsidy")
    url = reverse("policies:claim", args=[digital.pk]) + f"?year={YEAR}"
    assert client.post(url, BANK).status_code == 302
    again = client.post(url, {**BANK, "statement": "第二次提交"})
    html = again.content.decode()
    # already applied: said on the page with a link to the application, nothing written twice
    assert again.status_code == 409 and Application.objects.count() == 1
    assert "已提交" in html


def test_the_scan_keeps_an_eligibility_found_from_declared_figures(synced):
    user = manufacturer()
    digital = clause("p04_digital_transformation", "digital_subsidy")
    from innolink.policies.present import FactInput

    item = FactInput("software_hardware_investment", YEAR, "x", "万元", "money")
    services.declared_facts_set(actor=user, enterprise=user.enterprise, inputs=[item],
                                values={item.name: "300"})
    services.application_submit(actor=user, enterprise=user.enterprise, clause=digital, year=YEAR,
                                form=services.ClaimForm(**{k: v for k, v in BANK.items() if k != "year"}),
                                materials=material_files(digital.version.materials))
    services.scan_now(actor=None, year=YEAR)
    assert Eligibility.objects.get(enterprise=user.enterprise, clause=digital).active


def test_staff_and_other_tenants_cannot_type_for_an_enterprise(client, synced):
    owner = manufacturer()
    client.force_login(make_user(Role.POLICY_OFFICER))
    assert client.post(reverse("policies:declared-facts-set"), {"year": YEAR, FIELD: "300"}).status_code == 404
    other = manufacturer()
    client.force_login(other)
    client.post(reverse("policies:declared-facts-set"), {"year": YEAR, FIELD: "300"})
    assert list(DeclaredFact.objects.values_list("enterprise_id", flat=True)) == [other.enterprise_id]
    client.force_login(owner)
    view = client.get(reverse("policies:mine"), {"year": YEAR}).context["view"]
    assert not _card(view, "digital_subsidy").answer.eligible  # the other's figure is not its own
