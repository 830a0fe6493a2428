"""Declarations (申报): an enterprise declares its own figures on a prefilled form, attests,
submits; staff see the flags and accept (the registry is updated, audited) or return."""

from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.enterprises.models import EnterpriseYear
from innolink.rankings.models import Declaration

LAST = {"revenue": "100000000.00", "total_assets": "90000000.00", "net_profit": "5000000.00",
        "tax_paid": "4000000.00", "employees": "300"}
THIS = {"revenue": "120000000.00", "total_assets": "95000000.00", "net_profit": "6000000.00",
        "tax_paid": "4500000.00", "employees": "310", "rd_expense": "3600000.00"}


@pytest.fixture
def declarant(db):
    enterprise = make_enterprise(legal_representative="陈立新", years={2024: LAST, 2025: THIS})
    return make_user(Role.ENTERPRISE, enterprise=enterprise)


def _form(**overrides):
    """The form as posted (money in 万元)."""
    data = {"year": "2025", "revenue": "12000", "total_assets": "9500", "net_profit": "600",
            "tax_paid": "450", "employees": "310", "rd_expense": "360",
            "attested_name": "陈立新", "attest": "on", "submit": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_prefilled_from_the_registry_in_wan_yuan(client, declarant):
    client.force_login(declarant)
    page = client.get("/rankings/declare/?year=2025").content.decode()
    assert 'name="revenue" value="12000"' in page
    assert 'name="rd_expense" value="360"' in page
    assert 'name="employees" value="310"' in page
    assert 'name="attested_name" value="陈立新"' in page
    assert "已按企业库登记数据预填" in page


def test_submitting_keeps_exact_yuan_records_the_attestation_and_flags(client, declarant):
    client.force_login(declarant)
    response = client.post("/rankings/declare/", _form(revenue="25000.015", exports="30000"))
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.status == "submitted" and declaration.year == 2025
    assert declaration.values["revenue"] == "250000150.00"  # 万元 → yuan, to the fen
    assert declaration.values["exports"] == "300000000.00"
    assert declaration.attested_name == "陈立新" and declaration.attested_at is not None
    assert declaration.submitted_by == declarant
    codes = {(f["code"], f["field"]) for f in declaration.flags}
    assert ("jump", "revenue") in codes  # 2.5 times last year's revenue
    assert ("inconsistent", "exports") in codes
    assert AuditEntry.objects.filter(model="rankings.declaration", action="create").count() == 1


@pytest.mark.parametrize("overrides, field, message", [
    ({"employees": "-5"}, "employees", "从业人员不能为负数"),
    ({"rd_expense": "13000"}, "rd_expense", "研发费用不能大于营业收入"),
    ({"attest": None}, "attest", "请勾选法定代表人承诺"),
    ({"attested_name": "张三"}, "attested_name", "承诺人应为登记的法定代表人"),
    ({"tax_paid": ""}, "tax_paid", "纳税总额为必填项"),
])
def test_impossible_values_are_refused_at_the_field(client, declarant, overrides, field,
                                                    message):
    client.force_login(declarant)
    response = client.post("/rankings/declare/", _form(**overrides))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert any(message in m for m in errors[field]), errors
    assert not Declaration.objects.exists()
    assert not AuditEntry.objects.filter(model="rankings.declaration").exists()


def test_a_draft_needs_no_attestation_and_can_be_changed(client, declarant):
    client.force_login(declarant)
    draft = _form(attest=None, attested_name="", submit=None, save="1")
    assert client.post("/rankings/declare/", draft).status_code == 302
    assert Declaration.objects.get().status == "draft"
    client.post("/rankings/declare/", {**draft, "revenue": "12100"})
    assert Declaration.objects.get().values["revenue"] == "121000000.00"


def test_staff_accept_and_the_registry_is_updated_with_audit(client, declarant, organizer):
    client.force_login(declarant)
    client.post("/rankings/declare/", _form(revenue="12345.67", exports="2000"))
    declaration = Declaration.objects.get()
    client.force_login(organizer)
    page = client.get(f"/rankings/declarations/{declaration.pk}/").content.decode()
    assert declarant.enterprise.name in page and "采纳" in page
    assert declarant.enterprise.name in client.get("/rankings/declarations/").content.decode()

    response = client.post(f"/rankings/declarations/{declaration.pk}/accept/")

    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == "accepted" and declaration.reviewed_by == organizer
    year = EnterpriseYear.objects.get(enterprise=declarant.enterprise, year=2025)
    assert year.value("revenue") == Decimal("123456700.00")
    assert year.value("exports") == Decimal("20000000.00")
    entry = AuditEntry.objects.get(model="enterprises.enterpriseyear", object_id=str(year.pk))
    assert entry.actor == organizer and entry.source == f"declaration:{declaration.pk}"
    assert entry.changes["revenue"] == ["120000000.00", "123456700.00"]
    assert client.post(f"/rankings/declarations/{declaration.pk}/accept/").status_code == 409


def test_staff_return_with_a_reason_and_the_enterprise_corrects(client, declarant, organizer):
    client.force_login(declarant)
    client.post("/rankings/declare/", _form())
    declaration = Declaration.objects.get()
    client.force_login(organizer)
    refused = client.post(f"/rankings/declarations/{declaration.pk}/return/", {"reason": ""})
    assert refused.status_code == 422
    declaration.refresh_from_db()
    assert declaration.status == "submitted"
    client.post(f"/rankings/declarations/{declaration.pk}/return/",
                {"reason": "研发费用请按加计扣除口径填报"})
    declaration.refresh_from_db()
    assert declaration.status == "returned"
    note = Notification.objects.get(recipient=declarant)
    assert "退回" in note.title and note.body == "研发费用请按加计扣除口径填报"
    client.force_login(declarant)
    page = client.get("/rankings/declare/?year=2025").content.decode()
    assert "研发费用请按加计扣除口径填报" in page
    assert client.post("/rankings/declare/", _form(rd_expense="300")).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == "submitted" and declaration.values["rd_expense"] == "3000000.00"


def test_a_submitted_declaration_is_locked_for_the_enterprise(client, declarant):
    client.force_login(declarant)
    client.post("/rankings/declare/", _form())
    before = Declaration.objects.get().values
    client.post("/rankings/declare/", _form(revenue="1"))
    assert Declaration.objects.get().values == before


def test_enterprises_never_see_or_decide_other_declarations(client, declarant, organizer):
    client.force_login(declarant)
    client.post("/rankings/declare/", _form())
    declaration = Declaration.objects.get()
    other = make_user(Role.ENTERPRISE)
    client.force_login(other)
    existing = client.get(f"/rankings/declarations/{declaration.pk}/")
    missing = client.get(f"/rankings/declarations/{declaration.pk + 100}/")
    assert existing.status_code == missing.status_code == 404
    assert client.post(f"/rankings/declarations/{declaration.pk}/accept/").status_code == 404
    client.force_login(declarant)  # its own, but accepting is for staff
    assert client.post(f"/rankings/declarations/{declaration.pk}/accept/").status_code == 403
    declaration.refresh_from_db()
    assert declaration.status == "submitted"
    assert client.get("/rankings/declarations/").status_code == 403


def test_only_enterprise_users_have_a_declaration_form(client, organizer):
    client.force_login(organizer)
    assert client.get("/rankings/declare/").status_code == 404


def test_amounts_show_two_places_in_wan_yuan_and_unchanged_ones_keep_every_fen(client, db):
    """A registry amount to the fen (90,427,119.76 元) shows as 9042.71 万元, not 9042.711976;
    submitted as shown it keeps its exact value; changed, it is the new figure. Quantities
    show without trailing zeros; English readers get English names and units."""
    enterprise = make_enterprise(legal_representative="陈立新", years={2025: {
        **THIS, "revenue": "90427119.76", "energy_consumption": "320.9100"}})
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    page = client.get("/rankings/declare/?year=2025").content.decode()
    assert 'name="revenue" value="9042.71"' in page and "9042.711976" not in page
    assert 'name="energy_consumption" value="320.91"' in page
    assert "营业收入（万元）" in page and "综合能耗（吨标准煤）" in page
    response = client.post("/rankings/declare/", _form(revenue="9042.71",
                                                       energy_consumption="320.91"))
    assert response.status_code == 302
    values = Declaration.objects.get(enterprise=enterprise).values
    assert values["revenue"] == "90427119.76" and values["energy_consumption"] == "320.91"
    client.cookies["django_language"] = "en"
    en = client.get("/rankings/declare/?year=2025", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Revenue (10,000 yuan)" in en and "营业收入" not in en
    assert 'name="revenue" value="9042.71"' in en


def test_a_changed_amount_is_stored_as_typed_and_flags_read_in_wan_yuan():
    from innolink.rankings import checks

    flags = checks.declaration_flags({"revenue": Decimal("300000000.00")},
                                     previous={"revenue": Decimal("100000000.00")})
    assert flags[0]["message"] == "营业收入较上年变化 +200%（上年 10,000.00 万元）"
