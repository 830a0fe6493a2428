"""The registry API: the one error shape, tenant isolation, token auth, imports."""

import pytest

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.core.models import Job
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.enterprises.models import Enterprise
from innolink.enterprises.tests.files import csv_bytes, row

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_in_the_error_shape(client):
    assert_json_error(client.get("/api/enterprises"), 401, "not_authenticated")


def test_staff_list_with_filters_and_pages(organizer_client):
    for n in range(12):
        make_enterprise(town="龙湖" if n < 7 else "英林")
    body = assert_json_success(organizer_client.get("/api/enterprises",
                                                    {"town": "龙湖", "page_size": 5}))
    assert (body["count"], body["pages"], len(body["items"])) == (7, 2, 5)
    assert {item["town"] for item in body["items"]} == {"龙湖"}


def test_enterprise_user_is_refused_the_list(enterprise_client):
    assert_json_error(enterprise_client.get("/api/enterprises"), 403, "permission_denied")


def test_enterprise_user_reads_own_record_and_years(enterprise_client, enterprise_user):
    enterprise = enterprise_user.enterprise
    enterprise.years.create(year=2025, values={"revenue": "1000.50"})
    enterprise.tags.create(tag="high_tech", first_certified=True)
    body = assert_json_success(enterprise_client.get(f"/api/enterprises/{enterprise.pk}"))
    assert body["credit_code"] == enterprise.credit_code
    assert body["tags"] == [{"tag": "high_tech", "label": "高新技术企业", "certified_on": None,
                             "first_certified": True}]
    years = assert_json_success(enterprise_client.get(f"/api/enterprises/{enterprise.pk}/years"))
    assert years == [{"year": 2025, "values": {"revenue": "1000.50"}}]


@pytest.mark.parametrize("suffix", ["", "/years", "/audit"])
def test_another_tenant_learns_nothing(enterprise_client, other_enterprise, suffix):
    other = enterprise_client.get(f"/api/enterprises/{other_enterprise.pk}{suffix}")
    missing = enterprise_client.get(f"/api/enterprises/987654{suffix}")
    assert assert_json_error(other, 404, "not_found") == assert_json_error(missing, 404,
                                                                            "not_found")


def test_audit_is_refused_to_enterprise_users(enterprise_client, enterprise_user):
    response = enterprise_client.get(f"/api/enterprises/{enterprise_user.enterprise_id}/audit")
    assert_json_error(response, 403, "permission_denied")


def test_bad_query_parameter_is_422_with_the_field(organizer_client):
    body = assert_json_error(organizer_client.get("/api/enterprises", {"page": "abc"}), 422,
                             "invalid")
    assert "page" in body["extra"]["fields"]


def test_bearer_token_authenticates(client):
    user = make_user(Role.POLICY_OFFICER)
    _token, plain = api_token_create(user=user, name="script")
    body = assert_json_success(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}"))
    assert body["username"] == user.username and body["role"] == "policy_officer"
    assert_json_error(client.get("/api/me", HTTP_AUTHORIZATION="Bearer il_wrong"), 401,
                      "not_authenticated")


def test_session_write_without_csrf_token_is_refused(organizer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(organizer)
    response = strict.post("/api/enterprises/imports", {})
    assert response.status_code in (401, 403)
    assert Job.objects.count() == 0


def test_import_through_the_api(organizer, client, django_capture_on_commit_callbacks):
    _token, plain = api_token_create(user=organizer, name="etl")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.csv", csv_bytes([row(1)]), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post("/api/enterprises/imports", {"file": upload},
                                                  **auth), 202)
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}", **auth))
    assert job["status"] == "succeeded" and job["result"]["created"] == 1
    assert Enterprise.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        committed = assert_json_success(
            client.post(f"/api/enterprises/imports/{started['job_id']}/commit", **auth), 202)
    assert Enterprise.objects.count() == 1
    assert Job.objects.get(pk=committed["job_id"]).result["committed"] is True


def test_import_of_a_wrong_file_type_is_400_and_writes_nothing(organizer, client):
    _token, plain = api_token_create(user=organizer, name="etl")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post("/api/enterprises/imports", {"file": upload},
                           HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert_json_error(response, 400, "import_bad_type")
    assert Job.objects.count() == 0


def test_importing_is_refused_to_enterprise_users(enterprise_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.csv", csv_bytes([row(1)]), content_type="text/csv")
    response = enterprise_client.post("/api/enterprises/imports", {"file": upload})
    assert response.status_code in (403,)
    assert Job.objects.count() == 0


def test_openapi_document_is_served(client):
    body = assert_json_success(client.get("/api/openapi.json"))
    assert "/api/enterprises" in body["paths"]
