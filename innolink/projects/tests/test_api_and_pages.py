"""The projects API and pages: scoped reads, refusals with the one error shape, nothing written
on bad input, and the pages each role uses."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.projects.models import ProgressReport, Project
from innolink.projects.tests.factories import make_project, project_data

pytestmark = pytest.mark.django_db


def test_api_reads_are_scoped_and_another_tenant_gets_404(client, staff, leader):
    project = make_project(staff)
    other = make_project(staff)
    own = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    client.force_login(own)
    rows = assert_json_success(client.get("/api/projects"))
    assert [r["id"] for r in rows] == [project.pk]
    assert_json_error(client.get(f"/api/projects/{other.pk}"), 404, "not_found")
    client.force_login(leader)
    assert {r["id"] for r in assert_json_success(client.get("/api/projects"))} == {
        project.pk, other.pk}
    measures = assert_json_success(client.get("/api/projects/measures"))
    assert [m["key"] for m in measures] == ["fulfilment", "start", "production", "funds",
                                            "attainment"]
    assert_json_error(client.post("/api/projects", data=project_data(),
                                  content_type="application/json"), 403, "permission_denied")


def test_api_report_refusals_write_nothing(client, staff):
    project = make_project(staff)
    own = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    client.force_login(own)
    url = f"/api/projects/{project.pk}/reports"
    body = assert_json_error(client.post(url, data={"period": "2025Q3", "values": {"999": "1"}},
                                         content_type="application/json"), 422, "invalid")
    assert "values.999" in body["extra"]["fields"]
    assert not ProgressReport.objects.exists()
    target = project.targets.first()
    report = assert_json_success(client.post(url, data={"period": "2025Q3",
                                                        "values": {str(target.pk): "0.4"}},
                                             content_type="application/json"), 201)
    assert report["state"] == "submitted"
    # the filer cannot accept their own report
    assert_json_error(client.post(f"/api/projects/reports/{report['id']}/accept", data={},
                                  content_type="application/json"), 403, "permission_denied")
    client.force_login(staff)
    accepted = assert_json_success(client.post(f"/api/projects/reports/{report['id']}/accept",
                                               data={}, content_type="application/json"))
    assert accepted["state"] == "accepted"


def test_create_page_refuses_a_target_without_unit_and_writes_nothing(client, staff):
    client.force_login(staff)
    data = project_data()
    from innolink.enterprises.models import Enterprise

    post = {k: v for k, v in data.items() if isinstance(v, (str, int))}
    post["investment"] = "3000"
    post["parties-0-role"] = "lead"
    post["parties-0-enterprise_code"] = Enterprise.objects.get(
        pk=data["parties"][0]["enterprise_id"]).credit_code
    post["targets-0-name"] = "产能"
    post["targets-0-target"] = "2"
    post["targets-0-due_on"] = "2026-12-31"
    response = client.post(reverse("projects:create"), post)
    assert response.status_code == 422
    assert "请填写单位" in response.content.decode()
    assert not Project.objects.exists()
    post["targets-0-unit"] = "吨/年"
    response = client.post(reverse("projects:create"), post)
    assert response.status_code == 302
    assert Project.objects.get().targets.get().unit == "吨/年"


def test_pages_for_each_role(client, staff, leader):
    project = make_project(staff)
    own = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    outsider = make_user(Role.ENTERPRISE)
    client.force_login(own)
    assert project.title in client.get(reverse("projects:list")).content.decode()
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    page = client.get(reverse("projects:report", args=[project.pk]))
    assert page.status_code == 200 and "报告期" in page.content.decode()
    response = client.post(reverse("projects:report", args=[project.pk]),
                           {"period": "2025Q3", "narrative": "厂房改造", "problems": "用地待落实"})
    assert response.status_code == 302
    assert client.get(reverse("projects:measures")).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:report", args=[project.pk])).status_code == 404
    assert project.title not in client.get(reverse("projects:list")).content.decode()
    client.force_login(leader)
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "报送进展" not in detail and "转为诉求" not in detail  # read-only
    assert client.get(reverse("projects:measures")).status_code == 200
    assert client.get(reverse("projects:create")).status_code == 403
    report = ProgressReport.objects.get()
    assert client.post(reverse("projects:report-accept", args=[report.pk])
                       ).status_code == 403
