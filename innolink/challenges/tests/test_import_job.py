"""The researcher import as a background job (decision 0312): a real import, and the check of a
large file, run as a job with progress; the job page shows the outcome; all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.challenges import services
from innolink.challenges.models import ResearcherProfile
from innolink.challenges.services import RESEARCHER_IMPORT_KIND
from innolink.challenges.tests.files import HEADER, csv_bytes, rows, xlsx_bytes
from innolink.core import jobs
from innolink.core.models import AuditEntry, Job
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.enterprises.tasks import upload_path

pytestmark = pytest.mark.django_db

URL = "/challenges/researchers/import/"


@pytest.fixture
def institution(db):
    return Institution.objects.create(name="华侨大学", kind="university")


@pytest.fixture
def progress_log(monkeypatch):
    """Every progress report as the job row holds it right after the report was written (the
    message rendered from its stored msgid and values, ADR 0730)."""
    seen = []
    original = jobs.Progress.__call__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        row = Job.objects.get(pk=self.job.pk)
        seen.append((row.done, row.total, row.message_text))

    monkeypatch.setattr(jobs.Progress, "__call__", recording)
    return seen


def upload(content: bytes, name: str = "r.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def post_and_run(client, captured, data) -> Job:
    with captured(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.kind == RESEARCHER_IMPORT_KIND
    assert response["Location"] == reverse("core:job", args=[job.pk])
    return job


def assert_nothing_written():
    assert ResearcherProfile.objects.count() == 0
    assert not AuditEntry.objects.filter(model="challenges.researcherprofile").exists()


def test_import_runs_as_a_job_and_reports_progress(client, staff, institution, progress_log,
                                                   django_capture_on_commit_callbacks):
    # given 2,500 clean rows
    client.force_login(staff)
    # when the organizer imports them
    job = post_and_run(client, django_capture_on_commit_callbacks,
                       {"file": upload(csv_bytes(rows(2500))), "commit": "on"})
    # then the job succeeded, as the organizer, and wrote every row with its audit entry
    job.refresh_from_db()
    assert (job.status, job.created_by, job.done, job.total) == ("succeeded", staff, 2500, 2500)
    assert job.title_text == "导入科研人员：r.csv"
    assert (job.result["created"], job.result["committed"], job.result["errors"]) == \
        (2500, True, [])
    assert ResearcherProfile.objects.count() == 2500
    entries = AuditEntry.objects.filter(model="challenges.researcherprofile")
    assert entries.count() == 2500
    assert set(entries.values_list("source", flat=True)) == {f"import:{str(job.pk)[:8]}"}
    assert set(entries.values_list("actor", flat=True)) == {staff.pk}
    # and it reported each phase while it ran: reading, checking (the first half), writing
    messages = [m for _, _, m in progress_log]
    assert "读取文件：已读 2000 行" in messages
    assert (500, 2500, "检查数据：第 1000 行") in progress_log
    assert (1000, 2500, "检查数据：第 2000 行") in progress_log
    assert (1250, 2500, "已检查 2500 行，发现 0 个问题") in progress_log
    assert (1250, 2500, "写入数据库") in progress_log
    assert progress_log[-1] == (2500, 2500, "完成")
    done = [d for d, _, _ in progress_log]
    assert done == sorted(done)
    # and the stored upload is gone once imported
    assert not upload_path(job.params["stored_as"]).exists()


def test_job_page_shows_created_updated_and_unchanged_rows(client, staff, institution,
                                                           django_capture_on_commit_callbacks):
    client.force_login(staff)
    post_and_run(client, django_capture_on_commit_callbacks,
                 {"file": upload(csv_bytes(rows(3))), "commit": "on"})
    changed = rows(4)
    changed[1][7] = "超临界发泡"  # 研究方向 of r1
    job = post_and_run(client, django_capture_on_commit_callbacks,
                       {"file": upload(xlsx_bytes(changed), "r.xlsx"), "commit": "on"})
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "共 4 行：新增 1，更新 1，无变化 2。" in page and "已导入" in page
    assert "<td>3</td><td>研究员1</td><td>r1@bench.example.cn</td><td>更新</td>" \
           "<td class=\"small\">discipline_codes、research_fields</td>" in page
    assert "<td>5</td><td>研究员3</td><td>r3@bench.example.cn</td><td>新增</td>" in page
    assert 'id="confirm-import"' not in page
    assert ResearcherProfile.objects.get(email="r1@bench.example.cn").research_fields == \
        "超临界发泡"
    # the htmx poll gets the same outcome in the partial
    partial = client.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "新增 1，更新 1，无变化 2" in partial.content.decode()


def test_rows_with_errors_are_listed_with_reasons_and_nothing_is_written(
        client, staff, institution, django_capture_on_commit_callbacks):
    client.force_login(staff)
    data = rows(3)
    data[1][1] = "专家"       # 类型
    data[2][9] = "很忙"       # 可投入情况
    job = post_and_run(client, django_capture_on_commit_callbacks,
                       {"file": upload(csv_bytes(data)), "commit": "on"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["committed"] is False
    assert job.result["error_count"] == 2
    assert_nothing_written()
    assert not upload_path(job.params["stored_as"]).exists()
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "共 3 行，发现 2 个问题，未导入任何数据" in page
    assert "<td>3</td><td>类型</td><td>专家</td><td>应为 个人 或 团队</td>" in page
    assert "<td>4</td><td>可投入情况</td><td>很忙</td><td>应为 可承接新项目" in page
    assert 'id="confirm-import"' not in page
    report = client.get(reverse("challenges:researcher-import-errors", args=[job.pk]))
    text = report.content.decode("utf-8-sig")
    assert report["Content-Type"].startswith("text/csv") and "很忙" in text
    # a check with errors cannot be confirmed
    refused = client.post(reverse("challenges:researcher-import-commit", args=[job.pk]))
    # the same shape as the 榜单 import (ADR 0006): back to the check's page with the message
    assert refused.status_code == 302
    assert refused["Location"] == reverse("core:job", args=[job.pk])
    assert Job.objects.count() == 1
    assert_nothing_written()


@pytest.mark.parametrize("content, name, reason", [
    (b"a\n1\n", "r.csv", "前 5 行中找不到表头"),
    (",".join(HEADER).encode() + b"\n", "r.csv", "文件只有表头，没有数据行"),
])
def test_unreadable_file_fails_its_job_and_writes_nothing(client, staff, institution, content,
                                                         name, reason,
                                                         django_capture_on_commit_callbacks):
    client.force_login(staff)
    job = post_and_run(client, django_capture_on_commit_callbacks,
                       {"file": upload(content, name), "commit": "on"})
    job.refresh_from_db()
    assert job.status == "failed" and job.result == {}
    assert reason in job.message_text and job.message  # stored as a msgid and values (0780)
    assert_nothing_written()
    # the failed job is the only trace: no other job, and the stored upload is removed
    assert Job.objects.count() == 1
    assert not upload_path(job.params["stored_as"]).exists()
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "未导入任何数据：" in page and job.message_text in page


def test_a_roster_with_unknown_columns_is_mapped_once_and_remembered(
        client, staff, institution, django_capture_on_commit_callbacks):
    from innolink.challenges.models import ImportColumnMapping

    client.force_login(staff)
    roster = "人员姓名,单位,主攻方向\n林一,华侨大学,鞋材发泡\n陈二,,锂电池正极材料\n".encode()
    page = client.post(URL, {"file": upload(roster), "commit": "on"})
    assert page.status_code == 200 and 'id="mapping-form"' in page.content.decode()
    assert Job.objects.count() == 0
    rows = page.context["rows"]
    assert [r["header"] for r in rows] == ["人员姓名", "单位", "主攻方向"]
    assert [r["guess"] for r in rows] == ["", "institution", ""]
    data = {"token": page.context["prepared"].token, "header": ["人员姓名", "单位", "主攻方向"],
            "field-0": "name", "field-1": "institution", "field-2": "research_fields"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("challenges:roster-mapping-save"), data)
    job = Job.objects.get()
    assert response["Location"] == reverse("core:job", args=[job.pk])
    job.refresh_from_db()
    assert job.result["committed"] is True and job.result["created"] == 2
    assert ResearcherProfile.objects.get(name="陈二").research_fields == "锂电池正极材料"
    assert set(ImportColumnMapping.objects.values_list("header", "field")) == {
        ("人员姓名", "name"), ("主攻方向", "research_fields")}
    # next time the same columns are known
    again = post_and_run(client, django_capture_on_commit_callbacks,
                         {"file": upload(roster), "commit": "on"})
    again.refresh_from_db()
    assert again.result["unchanged"] == 2


@pytest.mark.parametrize("content, name, code", [
    (b"%PDF-1.7", "r.pdf", "只支持 .xlsx 和 .csv 文件"),
    (b"   \n", "r.csv", "文件为空"),
    # a broken archive is told at upload (its directory is read before the file is kept)
    (b"PK\x03\x04 not really a workbook", "r.xlsx", "无法打开 Excel 文件"),
])
def test_wrong_type_or_empty_file_is_refused_on_the_page_without_a_job(
        client, staff, content, name, code, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": upload(content, name), "commit": "on"})
    assert response.status_code == 422 and code in response.content.decode()
    assert Job.objects.count() == 0
    assert_nothing_written()


def test_a_large_check_runs_as_a_job_and_is_confirmed_once(client, staff, institution,
                                                           django_capture_on_commit_callbacks):
    # given a CSV over the size checked within the request (256 KiB)
    content = csv_bytes(rows(1500))
    assert not services.researcher_import_check_is_quick(filename="r.csv", size=len(content))
    client.force_login(staff)
    # when it is checked, a job checks it, writes nothing and keeps the file for the import
    check = post_and_run(client, django_capture_on_commit_callbacks, {"file": upload(content)})
    check.refresh_from_db()
    assert check.title_text == "检查科研人员：r.csv"
    assert (check.status, check.result["created"], check.result["committed"]) == \
        ("succeeded", 1500, False)
    assert (check.done, check.total) == (1500, 1500)
    assert_nothing_written()
    stored = upload_path(check.params["stored_as"])
    assert stored.exists()
    page = client.get(reverse("core:job", args=[check.pk])).content.decode()
    assert "检查通过，尚未导入" in page and 'id="confirm-import"' in page
    # and confirming imports that file in a second job
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("challenges:researcher-import-commit", args=[check.pk]))
    imported = Job.objects.get(params__checked_by_job=str(check.pk))
    assert response["Location"] == reverse("core:job", args=[imported.pk])
    imported.refresh_from_db()
    assert imported.status == "succeeded" and imported.result["committed"] is True
    assert ResearcherProfile.objects.count() == 1500 and not stored.exists()
    # a second confirmation is refused and starts nothing
    again = client.post(reverse("challenges:researcher-import-commit", args=[check.pk]))
    assert again.status_code == 302 and Job.objects.count() == 2
    assert again["Location"] == reverse("core:job", args=[check.pk])
    page = client.get(reverse("core:job", args=[check.pk])).content.decode()
    assert 'id="confirm-import"' not in page and 'id="import-job-link"' in page


def test_a_small_check_stays_in_the_request(client, staff, institution):
    client.force_login(staff)
    response = client.post(URL, {"file": upload(csv_bytes(rows(3)))})
    assert response.status_code == 200
    assert "共 3 行：新增 3，更新 0，无变化 0。" in response.content.decode()
    assert Job.objects.count() == 0
    assert_nothing_written()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.REVIEWER,
                                  Role.DEPT_HANDLER])
def test_only_organizers_and_staff_may_import(client, role, institution,
                                              django_capture_on_commit_callbacks):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": upload(csv_bytes(rows(2))), "commit": "on"})
    assert response.status_code == 403
    assert Job.objects.count() == 0
    assert_nothing_written()


def test_anonymous_is_sent_to_login(client):
    response = client.post(URL, {"file": upload(csv_bytes(rows(1))), "commit": "on"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Job.objects.count() == 0


def test_the_job_and_its_confirmation_belong_to_whoever_started_it(
        client, staff, institution, django_capture_on_commit_callbacks):
    client.force_login(staff)
    check = post_and_run(client, django_capture_on_commit_callbacks,
                         {"file": upload(csv_bytes(rows(1500)))})
    # another organizer may not see, confirm or download another's job: the same 404
    client.force_login(make_user(Role.ORGANIZER))
    assert client.get(reverse("core:job", args=[check.pk])).status_code == 404
    assert client.post(reverse("challenges:researcher-import-commit",
                               args=[check.pk])).status_code == 404
    assert client.get(reverse("challenges:researcher-import-errors",
                              args=[check.pk])).status_code == 404
    # a user without the role is refused before anything else
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.post(reverse("challenges:researcher-import-commit",
                               args=[check.pk])).status_code == 403
    assert Job.objects.count() == 1
    assert_nothing_written()


def test_service_refuses_a_user_without_the_role_before_storing_anything(institution, tmp_path,
                                                                         settings):
    from innolink.core.errors import PermissionDenied

    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(PermissionDenied):
        services.researcher_import_start(actor=make_user(Role.RESEARCHER),
                                         content=csv_bytes(rows(1)), filename="r.csv",
                                         commit=True)
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())
    assert Job.objects.count() == 0


# --- the API ---------------------------------------------------------------------------------

@pytest.fixture
def api_auth(staff):
    _token, plain = api_token_create(user=staff, name="etl")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


API = "/api/challenges/researchers/import"


def test_api_import_returns_202_with_a_job_to_poll(client, staff, institution, api_auth,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": upload(csv_bytes(rows(3))), "commit": "true"}, **api_auth), 202)
    assert set(started) == {"job_id", "status"} and started["status"] == "queued"
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}", **api_auth))
    assert (job["status"], job["kind"], job["percent"]) == ("succeeded", RESEARCHER_IMPORT_KIND,
                                                            100)
    assert (job["result"]["created"], job["result"]["committed"]) == (3, True)
    assert ResearcherProfile.objects.count() == 3
    assert set(AuditEntry.objects.filter(model="challenges.researcherprofile")
               .values_list("source", flat=True)) == {f"api:import:{started['job_id'][:8]}"}


def test_api_import_with_row_errors_writes_nothing(client, staff, institution, api_auth,
                                                   django_capture_on_commit_callbacks):
    data = rows(2)
    data[0][7] = ""  # 研究方向
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": upload(csv_bytes(data)), "commit": "true"}, **api_auth), 202)
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}", **api_auth))
    assert job["status"] == "succeeded" and job["result"]["committed"] is False
    assert job["result"]["errors"] == [{"row": 2, "column": "研究方向", "value": "",
                                        "reason": "必填"}]
    assert_nothing_written()


def test_api_small_check_answers_at_once_and_a_large_one_is_a_job(
        client, staff, institution, api_auth, django_capture_on_commit_callbacks):
    body = assert_json_success(client.post(API, {"file": upload(csv_bytes(rows(2)))},
                                           **api_auth))
    assert (body["rows"], body["created"], body["committed"], body["errors"]) == \
        (2, 2, False, [])
    assert Job.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": upload(csv_bytes(rows(1500)))}, **api_auth), 202)
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}", **api_auth))
    assert (job["status"], job["result"]["created"], job["result"]["committed"]) == \
        ("succeeded", 1500, False)
    assert_nothing_written()


def test_api_refuses_a_wrong_file_and_other_roles_without_a_job(client, institution, api_auth,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert_json_error(client.post(API, {"file": upload(b"%PDF-1.7", "r.pdf"),
                                            "commit": "true"}, **api_auth), 400,
                          "import_bad_type")
        client.force_login(make_user(Role.ENTERPRISE))
        assert_json_error(client.post(API, {"file": upload(csv_bytes(rows(1))),
                                            "commit": "true"}), 403, "permission_denied")
        assert_json_error(client.post(API, {"file": upload(csv_bytes(rows(1)))}), 403,
                          "permission_denied")
    assert Job.objects.count() == 0
    assert_nothing_written()


def test_api_unreadable_file_ends_as_a_failed_job(client, staff, institution, api_auth,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": upload(b"a,b\n1,2\n"), "commit": "true"}, **api_auth), 202)
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}", **api_auth))
    assert job["status"] == "failed" and "找不到表头" in job["message"]
    assert Job.objects.count() == 1
    assert_nothing_written()


def test_the_real_public_roster_loads_whole(client, staff, django_capture_on_commit_callbacks):
    """docs/samples/real-roster.csv (build_real_roster.py, from the real evaluation set): names
    of teams and organisations, a field and expertise, a discipline in words (no code), teams
    with no members listed, institutions outside the platform. Every row loads."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[3] / "docs" / "samples" / "real-roster.csv"
    client.force_login(staff)
    job = post_and_run(client, django_capture_on_commit_callbacks,
                       {"file": upload(sample.read_bytes(), "real-roster.csv"),
                        "commit": "on"})
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["committed"] is True and job.result["created"] == 110
    assert ResearcherProfile.objects.count() == 110
    team = ResearcherProfile.objects.get(name="热界面材料团队")
    assert team.kind == "team" and team.members == [] and team.user_id is None
    assert team.institution.name == "江苏海洋大学" and team.institution.kind == "university"
    assert team.discipline == "材料科学与工程" and team.discipline_codes  # words, mapped
    assert team.domains == ["materials", "it"]
    assert ResearcherProfile.objects.filter(kind="individual").exists()
    assert AuditEntry.objects.filter(model="challenges.researcherprofile",
                                     action="create").count() == 110


def test_the_service_decides_now_or_later_for_page_and_api(staff, institution,
                                                           django_capture_on_commit_callbacks):
    """``researcher_import_now_or_later`` is the one place that decides (the page and the API
    both call it): a small check answers now and writes nothing; a large check, or any import,
    is a job."""
    small, large = csv_bytes(rows(3)), csv_bytes(rows(1500))
    outcome = services.researcher_import_now_or_later(actor=staff, content=small,
                                                      filename="r.csv", commit=False)
    assert isinstance(outcome, dict) and (outcome["rows"], outcome["committed"]) == (3, False)
    assert Job.objects.count() == 0
    assert_nothing_written()
    with django_capture_on_commit_callbacks(execute=False):
        check = services.researcher_import_now_or_later(actor=staff, content=large,
                                                        filename="r.csv", commit=False)
        imported = services.researcher_import_now_or_later(actor=staff, content=small,
                                                           filename="r.csv", commit=True,
                                                           source="api")
    assert isinstance(check, Job) and check.params["commit"] is False
    assert isinstance(imported, Job) and imported.params["commit"] is True
    assert imported.params["source"] == "api"
    assert_nothing_written()  # the jobs have not run
