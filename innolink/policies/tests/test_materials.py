"""快申快享 materials: uploaded with the application or later while under review, checked, and
readable only by those who may read the application."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.testing import make_enterprise, make_user
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
    response = client.post(reverse("policies:material-upload", args=[application.pk]),
                           {"name": "付款凭证", "file": pdf("凭证.pdf")})
    assert response.status_code == 302
    material = ApplicationMaterial.objects.get()
    client.force_login(make_user(Role.ENTERPRISE))
    theirs = client.get(reverse("policies:material", args=[material.pk]))
    missing = client.get(reverse("policies:material", args=[material.pk + 100]))
    assert theirs.status_code == missing.status_code == 404
    upload = client.post(reverse("policies:material-upload", args=[application.pk]),
                         {"name": "付款凭证", "file": pdf()})
    assert upload.status_code == 404 and ApplicationMaterial.objects.count() == 1


def test_no_more_materials_once_decided(synced):
    user = compute_user()
    voucher = clause("p05_ai_enablement", "compute_voucher")
    application = services.application_submit(
        actor=user, enterprise=user.enterprise, clause=voucher, year=YEAR,
        form=services.ClaimForm(bank_name="中国银行", bank_account="6217000012345678",
                                account_holder="测试企业"))
    services.application_approve(actor=None, application_id=application.pk)
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
