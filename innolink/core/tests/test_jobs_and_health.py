import json

import pytest

from innolink.core.jobs import Progress, job_run, job_runner, job_start
from innolink.core.models import Job
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


@job_runner("tests.count")
def _count(job, progress: Progress):
    for n in range(1, job.params["n"] + 1):
        progress(n, job.params["n"], f"第 {n} 项")
    return {"counted": job.params["n"]}


@job_runner("tests.phases")
def _phases(job, progress: Progress):
    progress(0, 2, "检查数据", force=True)
    progress(1, 2, "已检查 %(n)s 行，发现 %(e)s 个问题", params={"n": 120, "e": 3}, force=True)
    return {}


@job_runner("tests.fail")
def _fail(job, progress):
    raise ValueError("数据源不可用")


def test_job_runs_after_commit_and_reports_progress(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind="tests.count", title="计数", params={"n": 3})
    assert Job.objects.get(pk=job.pk).status == "queued" and len(callbacks) == 1
    callbacks[0]()  # the commit: the immediate backend runs the task
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("succeeded", 3, 3, 100)
    assert job.result == {"counted": 3}


def test_a_failing_job_records_the_reason():
    job = Job.objects.create(kind="tests.fail", title="失败")
    job = job_run(job)
    assert job.status == "failed" and job.message == "数据源不可用"
    assert "ValueError" in job.error


def test_job_page_polls_until_finished(client):
    user = make_user()
    client.force_login(user)
    job = Job.objects.create(kind="tests.count", title="计数", created_by=user, total=10, done=4)
    partial = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'aria-valuenow="40"' in partial


def test_jobs_command_lists_progress(capsys):
    from django.core.management import call_command

    Job.objects.create(kind="tests.count", title="计数任务", total=4, done=1)
    call_command("jobs")
    assert "计数任务" in capsys.readouterr().out


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["job_queue"]["queued"] == 0


@pytest.mark.parametrize("method,path,status,code", [
    ("get", "/api/no-such-thing", 404, "not_found"),
    ("delete", "/api/me", 405, "method_not_allowed"),
])
def test_every_api_4xx_has_the_error_shape(client, method, path, status, code):
    from innolink.core.testing import assert_json_error

    client.force_login(make_user())
    assert_json_error(getattr(client, method)(path), status, code)


MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_deploy_check_and_health_report_a_missing_static_manifest(tmp_path, settings, client):
    """Production pages render through collectstatic's manifest: without it every page is a
    500, so `check --deploy` fails and /healthz says 503 instead of staying silent."""
    from django.core import checks

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGES
    errors = [e for e in checks.run_checks(include_deployment_checks=True)
              if e.id == "innolink.E001"]
    assert len(errors) == 1 and "collectstatic" in errors[0].hint
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["static_files"]["ok"] is False

    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert not [e for e in checks.run_checks(include_deployment_checks=True)
                if e.id == "innolink.E001"]
    assert client.get("/healthz").json()["checks"]["static_files"] == {"ok": True}


def test_favicon_is_linked_from_pages_and_served(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")


def test_progress_is_stored_as_a_msgid_and_shown_in_the_readers_language(client):
    """The job row keeps the msgid and its values, not prose: a Chinese reader and an English
    reader of the same job each read it in their language, on the page, the API and the CLI."""
    from django.utils import translation

    user = make_user()
    job = Job.objects.create(kind="tests.phases", title="导入", created_by=user)
    job = job_run(job)
    assert job.message == "已检查 %(n)s 行，发现 %(e)s 个问题"
    assert job.message_params == {"n": 120, "e": 3}
    with translation.override("zh-hans"):
        assert job.message_text == "已检查 120 行，发现 3 个问题"
    with translation.override("en"):
        assert job.message_text == "Checked 120 rows, found 3 problems"
    client.force_login(user)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Checked 120 rows, found 3 problems" in page and "已检查" not in page
    zh = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已检查 120 行，发现 3 个问题" in zh
    body = client.get(f"/api/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["message"] == "Checked 120 rows, found 3 problems"
    assert (body["message_id"], body["message_params"]) == (job.message, {"n": 120, "e": 3})
    listing = client.get("/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Checked 120 rows" in listing


def test_a_message_without_params_or_translation_shows_as_stored():
    from django.utils import translation

    from innolink.core.jobs import message_render

    with translation.override("en"):
        assert message_render("完成") == "Done"
        assert message_render("某个旧任务的说明") == "某个旧任务的说明"  # rows from before 0730
        assert message_render("缺 %(x)s", {"n": 1}) == "缺 %(x)s"  # never fails a page
        assert message_render("") == ""


@job_runner("tests.fail_translatable")
def _fail_translatable(job, progress):
    from django.utils.translation import gettext_noop as N_

    from innolink.core.errors import ApplicationError, NotFound

    if job.params.get("lazy"):
        raise NotFound()  # its default message is a lazy translation
    raise ApplicationError(N_("未定义的指标 %(c)s"), params={"c": "X9"}, code="bad_indicator")


def test_job_title_and_failure_are_shown_in_the_readers_language(client):
    """ADR 0761: a job's title and an ApplicationError's failure are stored as msgid + values
    (the worker runs in Chinese) and read in the reader's language on the page, API and CLI."""
    from django.core.management import call_command
    from django.utils import translation

    user = make_user()
    job = job_start(kind="tests.fail_translatable", title="计算 %(year)s 年度民营企业榜单",
                    title_params={"year": 2025}, user=user)
    with translation.override("zh-hans"):
        job = job_run(job)
    assert (job.title, job.title_params) == ("计算 %(year)s 年度民营企业榜单", {"year": 2025})
    assert (job.status, job.message, job.message_params) == (
        "failed", "未定义的指标 %(c)s", {"c": "X9"})
    with translation.override("zh-hans"):
        assert (job.title_text, job.message_text) == ("计算 2025 年度民营企业榜单", "未定义的指标 X9")
    with translation.override("en"):
        assert job.title_text == "Compute the 2025 private enterprise rankings"
        assert job.message_text == "Undefined indicator X9"
    client.force_login(user)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Compute the 2025 private enterprise rankings" in page and "Undefined indicator X9" in page
    assert "年度" not in page and "未定义" not in page
    listing = client.get("/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Compute the 2025 private enterprise rankings" in listing
    body = client.get(f"/api/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["title"], body["message"]) == ("Compute the 2025 private enterprise rankings",
                                                "Undefined indicator X9")
    lazy = job_run(Job.objects.create(kind="tests.fail_translatable", title="失败",
                                      params={"lazy": True}))
    assert lazy.message == "记录不存在或您无权查看"
    with translation.override("en"):
        assert lazy.message_text == "The record does not exist or you are not allowed to view it"
        call_command("jobs")


def test_application_error_keeps_its_msgid():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from innolink.core.errors import ApplicationError, Conflict

    with translation.override("en"):
        exc = ApplicationError("未定义的指标 %(c)s", params={"c": "X9"})
        assert (exc.message, exc.msgid, exc.params) == ("Undefined indicator X9",
                                                        "未定义的指标 %(c)s", {"c": "X9"})
        assert Conflict().msgid == "操作与当前状态冲突"
        assert ApplicationError(gettext_lazy("请先登录")).msgid == "请先登录"
        plain = ApplicationError("已经是最新的")  # a finished text: nothing to translate later
        assert (plain.message, plain.msgid, plain.params) == ("已经是最新的", None, {})
