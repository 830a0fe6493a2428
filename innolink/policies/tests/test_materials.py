"""快申快享 materials: uploaded with the application or later while under review, checked, and
readable only by those who may read the application."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.policies import services
from innolink.policies.models import Application, ApplicationMaterial
from innolink.policies.tests.factories import YEAR, clause

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def compute_user():
    """An enterprise with a 60万元 compute contract: 算力券 30% = 18万元 (apply lane)."""
    enterprise = make_enterprise(years={YEAR: {"compute_contract": "600000"}})
    return make_user(Role.ENTERPRISE, enterprise=enterprise)


def pdf(name="合同.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


FORM = {"account_holder": "测试企业", "bank_name": "中国银行", "bank_account": "6217000012345678",
        "year": YEAR}


def test_apply_lane_with_materials_then_officer_downloads(client, synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    client.force_login(user)
    page = client.get(reverse("policies:claim", args=[voucher.pk]), {"year": YEAR})
    assert "算力服务合同" in page.content.decode() and page.context["answer"].amount == 180000
    response = client.post(reverse("policies:claim", args=[voucher.pk]),
                           {**FORM, "material_0": pdf()})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.lane == "apply" and application.amount_expected == 180000
    material = ApplicationMaterial.objects.get()
    assert material.name == "算力服务合同" and material.original_name == "合同.pdf"
    client.force_login(make_user(Role.POLICY_OFFICER))
    download = client.get(reverse("policies:material", args=[material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_a_bad_file_is_refused_and_nothing_written(client, synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    client.force_login(user)
    response = client.post(reverse("policies:claim", args=[voucher.pk]),
                           {**FORM, "material_0": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 422
    assert "文件类型应为" in response.content.decode()
    assert Application.objects.count() == 0 and ApplicationMaterial.objects.count() == 0


def test_materials_added_after_a_deferral_and_hidden_from_other_tenants(client, synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    application = services.application_submit(
        actor=user, enterprise=user.enterprise, clause=voucher, year=YEAR,
        form=services.ClaimForm(bank_name="中国银行", bank_account="6217000012345678",
                                account_holder="测试企业"))
    services.application_defer(actor=None, application_id=application.pk, reason="请补充付款凭证")
    client.force_login(user)
    response = client.post(reverse("policies:material-add", args=[application.pk]),
                           {"name": "付款凭证", "file": pdf("凭证.pdf")})
    assert response.status_code == 302
    material = ApplicationMaterial.objects.get()
    client.force_login(make_user(Role.ENTERPRISE))
    theirs = client.get(reverse("policies:material", args=[material.pk]))
    missing = client.get(reverse("policies:material", args=[material.pk + 100]))
    assert theirs.status_code == missing.status_code == 404
    upload = client.post(reverse("policies:material-add", args=[application.pk]),
                         {"name": "付款凭证", "file": pdf()})
    assert upload.status_code == 404 and ApplicationMaterial.objects.count() == 1


def test_no_more_materials_once_decided(synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    application = services.application_submit(
        actor=user, enterprise=user.enterprise, clause=voucher, year=YEAR,
        form=services.ClaimForm(bank_name="中国银行", bank_account="6217000012345678",
                                account_holder="测试企业"))
    services.application_approve(actor=None, application_id=application.pk,
                                 override_reason="合同原件已线下核验")
    from innolink.core.errors import Conflict
    with pytest.raises(Conflict):
        services.application_material_add(actor=user, application_id=application.pk,
                                          materials=[("付款凭证", pdf())])
    assert ApplicationMaterial.objects.count() == 0


def test_materials_through_the_api(client, synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    application = services.application_submit(
        actor=user, enterprise=user.enterprise, clause=voucher, year=YEAR,
        form=services.ClaimForm(bank_name="中国银行", bank_account="6217000012345678",
                                account_holder="测试企业"))
    client.force_login(user)
    url = f"/api/policies/applications/{application.pk}/materials"
    created = client.post(url, {"name": "算力服务合同", "file": pdf()})
    assert created.status_code == 201, created.content
    bad = client.post(url, {"name": "不存在的材料", "file": pdf()})
    assert bad.status_code == 422 and "不在本政策的申报材料清单中" in bad.json()["extra"]["fields"]["materials"][0]
    listed = client.get(url).json()
    assert [m["name"] for m in listed] == ["算力服务合同"]


def _compute_application(user, *, files=()):
    voucher = clause("p05_ai_enablement", "compute_voucher")
    return services.application_submit(
        actor=user, enterprise=user.enterprise, clause=voucher, year=YEAR,
        form=services.ClaimForm(bank_name="中国银行", bank_account="6217000012345678",
                                account_holder="测试企业"),
        materials=[(name, pdf()) for name in files])


def test_required_materials_block_approval_and_nothing_is_written(synced):
    from innolink.core.errors import Conflict
    from innolink.core.models import AuditEntry
    from innolink.policies.models import Budget, LedgerEntry

    # given an application with one of its three required materials
    application = _compute_application(compute_user(), files=["算力服务合同"])
    audits = AuditEntry.objects.count()
    # when the officer approves it without a reason
    with pytest.raises(Conflict) as refused:
        services.application_approve(actor=None, application_id=application.pk)
    # then the refusal names what is missing and nothing moved
    assert refused.value.code == "materials_missing"
    assert refused.value.extra["missing"] == {str(application.pk): ["算力平台出具的服务确认单", "付款凭证"]}
    assert "付款凭证" in refused.value.message
    application.refresh_from_db()
    assert application.status == "submitted" and application.amount_approved is None
    assert LedgerEntry.objects.count() == 0
    assert Budget.objects.get(version=application.clause.version).committed == 0
    assert AuditEntry.objects.count() == audits


def test_complete_materials_approve_without_a_reason(synced):
    application = _compute_application(
        compute_user(), files=["算力服务合同", "算力平台出具的服务确认单", "付款凭证"])
    assert services.missing_materials(application) == []
    approved = services.application_approve(actor=None, application_id=application.pk)
    assert approved.status == "approved" and approved.amount_approved == 180000


def test_override_needs_a_real_reason_and_is_audited(synced):
    from innolink.core.errors import ValidationFailed
    from innolink.core.models import AuditEntry
    from innolink.policies.models import LedgerEntry

    application = _compute_application(compute_user())
    with pytest.raises(ValidationFailed) as short:
        services.application_approve(actor=None, application_id=application.pk, override_reason="同意")
    assert "override_reason" in short.value.fields and LedgerEntry.objects.count() == 0
    services.application_approve(actor=None, application_id=application.pk,
                                 override_reason="原件已在窗口核验，电子件后补")
    entry = AuditEntry.objects.filter(object_id=str(application.pk), action="transition").latest("id")
    assert "原件已在窗口核验，电子件后补" in entry.note
    assert "算力服务合同、算力平台出具的服务确认单、付款凭证" in entry.note


def test_bulk_approval_refuses_the_batch_when_one_lacks_materials(client, synced):
    from innolink.policies.models import LedgerEntry
    from innolink.policies.tests.factories import high_tech_enterprise, submitted

    auto = submitted(high_tech_enterprise())
    incomplete = _compute_application(compute_user())
    client.force_login(make_user(Role.POLICY_OFFICER))
    response = client.post(reverse("policies:bulk-approve"), {"ids": [auto.pk, incomplete.pk]},
                           follow=True)
    assert "必需材料未齐" in response.content.decode()
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}
    assert LedgerEntry.objects.count() == 0


def test_approve_page_asks_for_the_reason_at_its_field_and_keeps_what_was_typed(client, synced):
    from innolink.policies.models import LedgerEntry

    application = _compute_application(compute_user(), files=["算力服务合同"])
    client.force_login(make_user(Role.POLICY_OFFICER))
    page = client.get(reverse("policies:application", args=[application.pk]))
    assert "必需材料未齐" in page.content.decode() and 'name="override_reason"' in page.content.decode()
    refused = client.post(reverse("policies:application-approve", args=[application.pk]),
                          {"amount": "170000", "note": "按合同核定"})
    body = refused.content.decode()
    assert refused.status_code == 409 and LedgerEntry.objects.count() == 0
    assert 'id="id_override_reason-error"' in body and 'aria-invalid="true"' in body
    # the refusal names what this application lacks (not the bulk wording about "any application")
    assert "必需材料未齐（算力平台出具的服务确认单、付款凭证），未批准" in body and "任何申请" not in body
    assert 'value="170000"' in body and 'value="按合同核定"' in body
    done = client.post(reverse("policies:application-approve", args=[application.pk]),
                       {"amount": "170000", "override_reason": "原件已在窗口核验"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.amount_approved == 170000


def test_api_approval_refuses_missing_materials_then_accepts_an_override(client, synced):
    from innolink.policies.models import LedgerEntry

    application = _compute_application(compute_user())
    client.force_login(make_user(Role.POLICY_OFFICER))
    url = f"/api/policies/applications/{application.pk}/approve"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "materials_missing"
    assert LedgerEntry.objects.count() == 0
    done = client.post(url, {"override_reason": "原件已在窗口核验"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_a_refused_claim_keeps_the_chosen_files(client, synced):
    from innolink.policies.models import StagedMaterial

    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    client.force_login(user)
    url = reverse("policies:claim", args=[voucher.pk])
    # a typo in the account: refused, but the contract chosen is kept and said so
    refused = client.post(url, {**FORM, "bank_account": "12-34", "material_0": pdf("合同扫描.pdf")})
    html = refused.content.decode()
    assert refused.status_code == 422 and "已保留：合同扫描.pdf" in html
    assert Application.objects.count() == 0 and ApplicationMaterial.objects.count() == 0
    # corrected without choosing the file again: the application carries it
    done = client.post(url, {**FORM, "material_1": pdf("确认单.pdf")})
    assert done.status_code == 302
    application = Application.objects.get()
    assert sorted(application.materials.values_list("name", "original_name")) == [
        ("算力平台出具的服务确认单", "确认单.pdf"), ("算力服务合同", "合同扫描.pdf")]
    assert StagedMaterial.objects.count() == 0
    material = application.materials.get(name="算力服务合同")
    assert material.file.read() == b"%PDF-1.4 test"
