"""Registry pages: staff search, tenant isolation, the import flow in the browser's terms."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry, Job
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.enterprises.models import Enterprise
from innolink.enterprises.tests.files import csv_bytes, row

pytestmark = pytest.mark.django_db


def test_staff_list_searches_by_name_and_code_with_a_fixed_number_of_queries(
        organizer_client, django_assert_num_queries):
    # given
    for n in range(30):
        make_enterprise(name=f"晋江鞋业{n}有限公司", town="陈埭")
    target = make_enterprise(name="磁灶陶瓷有限公司", town="磁灶")
    # when / then: session, user, unread notifications, the qualification types of the filter,
    # count, page — no query per row
    with django_assert_num_queries(6):
        response = organizer_client.get(reverse("enterprises:list"), {"q": "陶瓷"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [target]
    by_code = organizer_client.get(reverse("enterprises:list"), {"q": target.credit_code})
    assert list(by_code.context["page"].object_list) == [target]


def test_filters_and_pagination(organizer_client):
    # given 40 enterprises in 安海 and 20 elsewhere; 25 rows a page
    for n in range(60):
        make_enterprise(town="安海" if n % 3 else "深沪")
    # when the second page of 安海 is asked for
    response = organizer_client.get(reverse("enterprises:list"), {"town": "安海", "page": 2})
    # then it holds the last 15 of the 40, all in 安海
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, page.number) == (40, 2, 2)
    assert len(page.object_list) == 15
    assert {e.town for e in page.object_list} == {"安海"}


def test_htmx_request_gets_only_the_table(organizer_client):
    make_enterprise()
    response = organizer_client.get(reverse("enterprises:list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"<table" in response.content


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.REVIEWER,
                                  Role.DEPT_HANDLER])
def test_roles_without_registry_access_are_refused_the_list(client, role):
    client.force_login(make_user(role))
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_enterprise_user_sees_its_own_record(enterprise_client, enterprise_user):
    response = enterprise_client.get(reverse("enterprises:detail",
                                             args=[enterprise_user.enterprise_id]))
    assert response.status_code == 200
    assert response.context["audit"] is None  # the audit trail is for staff


def test_another_tenant_gets_the_same_404_as_a_missing_record(enterprise_client,
                                                              other_enterprise):
    other = enterprise_client.get(reverse("enterprises:detail", args=[other_enterprise.pk]))
    missing = enterprise_client.get(reverse("enterprises:detail", args=[999_999]))
    assert other.status_code == missing.status_code == 404
    assert other_enterprise.name.encode() not in other.content
    assert _main(other) == _main(missing)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def test_my_enterprise_redirects_to_own_record(enterprise_client, enterprise_user):
    response = enterprise_client.get(reverse("enterprises:mine"))
    assert response["Location"] == reverse("enterprises:detail",
                                           args=[enterprise_user.enterprise_id])


def test_detail_shows_indicators_and_audit_for_staff(organizer_client):
    enterprise = make_enterprise(years={2024: {"revenue": "12345678.90"},
                                        2025: {"revenue": "20000000"}})
    AuditEntry.objects.create(action="update", model="enterprises.enterprise",
                              object_id=str(enterprise.pk), object_repr=enterprise.name,
                              changes={"name": ["旧名", enterprise.name]})
    response = organizer_client.get(reverse("enterprises:detail", args=[enterprise.pk]))
    html = response.content.decode()
    assert "1,234.57" in html and "2,000.00" in html  # 万元
    assert "旧名" in html
    assert response.context["table"].years == [2024, 2025]


def test_import_flow_dry_run_then_commit(organizer_client, organizer,
                                         django_capture_on_commit_callbacks):
    # given a clean file uploaded for a dry run
    upload = _upload(csv_bytes([row(1), row(2)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("enterprises:import"), {"file": upload})
    dry_run = Job.objects.get()
    assert response["Location"] == reverse("core:job", args=[dry_run.pk])
    assert dry_run.status == "succeeded" and dry_run.result["created"] == 2
    assert Enterprise.objects.count() == 0
    page = organizer_client.get(reverse("core:job", args=[dry_run.pk]))
    assert "确认导入" in page.content.decode()
    # when the worker confirms
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import-commit", args=[dry_run.pk]))
    # then
    assert Enterprise.objects.count() == 2
    entries = AuditEntry.objects.filter(model="enterprises.enterprise")
    assert {e.actor_id for e in entries} == {organizer.pk}


def test_import_with_errors_shows_report_and_refuses_commit(organizer_client,
                                                            django_capture_on_commit_callbacks):
    upload = _upload(csv_bytes([row(1, 所有制="个体户")]))
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import"), {"file": upload})
    job = Job.objects.get()
    page = organizer_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "个体户" in page and "未写入任何数据" in page
    report = organizer_client.get(reverse("enterprises:import-errors", args=[job.pk]))
    assert report.content.decode("utf-8-sig").splitlines()[1].startswith("2,所有制,个体户,")
    refused = organizer_client.post(reverse("enterprises:import-commit", args=[job.pk]))
    assert refused.status_code == 409
    assert Enterprise.objects.count() == 0 and Job.objects.count() == 1


def test_import_pages_are_refused_to_policy_officers(client):
    client.force_login(make_user(Role.POLICY_OFFICER))
    assert client.get(reverse("enterprises:import")).status_code == 403


def test_another_users_import_job_is_not_visible(client, organizer,
                                                 django_capture_on_commit_callbacks):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enterprises:import"), {"file": _upload(csv_bytes([row(1)]))})
    job = Job.objects.get()
    client.force_login(make_user(Role.ORGANIZER))
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("enterprises:import-errors", args=[job.pk])).status_code == 404


def test_template_download_is_a_workbook(organizer_client):
    response = organizer_client.get(reverse("enterprises:import-template"))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def _upload(content: bytes, name: str = "data.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_files_are_removed_once_used_and_unconfirmed_ones_expire(
        organizer_client, settings, tmp_path, django_capture_on_commit_callbacks):
    """A clean check keeps its file for the confirmation, the import removes it; a check with
    errors removes it at once; files older than the retention go when the next upload is
    stored; confirming an expired check fails with a clear message and writes nothing."""
    import os
    import time

    from innolink.enterprises.tasks import purge_stale_uploads, upload_path

    settings.MEDIA_ROOT = str(tmp_path)
    folder = upload_path("x").parent

    def post(content):
        with django_capture_on_commit_callbacks(execute=True):
            organizer_client.post(reverse("enterprises:import"), {"file": _upload(content)})
        return Job.objects.order_by("-created_at").first()

    clean = post(csv_bytes([row(1)]))
    assert len(list(folder.iterdir())) == 1  # kept for the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import-commit", args=[clean.pk]))
    assert Enterprise.objects.count() == 1 and list(folder.iterdir()) == []
    post(csv_bytes([row(2, 所有制="个体户")]))
    assert list(folder.iterdir()) == []  # errors: nothing to confirm
    # an unconfirmed clean check, eight days old
    old = post(csv_bytes([row(3)]))
    stale = upload_path(old.params["stored_as"])
    eight_days_ago = time.time() - 8 * 86400
    os.utime(stale, (eight_days_ago, eight_days_ago))
    assert purge_stale_uploads(now=time.time() - 86400 * 2) == 0  # within retention then
    post(csv_bytes([row(4)]))  # storing a new upload purges the stale one
    assert not stale.exists() and len(list(folder.iterdir())) == 1
    jobs_before = Job.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import-commit", args=[old.pk]))
    failed = Job.objects.order_by("-created_at").first()
    assert Job.objects.count() == jobs_before + 1
    assert failed.status == "failed" and "重新上传" in failed.message
    assert Enterprise.objects.count() == 1  # nothing written by the expired confirmation


def test_the_error_report_never_carries_a_live_formula(organizer_client,
                                                       django_capture_on_commit_callbacks):
    import csv
    import io

    evil = '=HYPERLINK("http://evil.example/x","点击查看")'
    upload = _upload(csv_bytes([row(1, 所有制=evil), row(2, 所有制="@SUM(A1)"),
                                row(3, 所有制="-1+1")]))
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import"), {"file": upload})
    job = Job.objects.get()
    report = organizer_client.get(reverse("enterprises:import-errors", args=[job.pk]))
    cells = [c for line in csv.reader(io.StringIO(report.content.decode("utf-8-sig")))
             for c in line]
    assert {"'" + evil, "'@SUM(A1)", "'-1+1"} <= set(cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_the_import_template_writes_catalogue_names_as_text(organizer_client):
    import io

    import openpyxl

    from innolink.enterprises.models import IndicatorDefinition

    IndicatorDefinition.objects.create(code="evil", name="=1+2", kind="count", unit="件",
                                       order=999)
    response = organizer_client.get(reverse("enterprises:import-template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = [c for c in sheet[1] if c.value == "=1+2"][0]
    assert cell.data_type == "s" and cell.quotePrefix
    assert sheet.cell(row=2, column=sheet.max_column - len(
        IndicatorDefinition.objects.all())).data_type == "n"  # the year stays a number
