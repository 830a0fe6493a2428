"""An import's problems read in the reader's language (issue 16, ADR 0785): the row problems
stored in a job's result, the CSV report, and a file refused as a whole in a background job."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from innolink.core.models import Job
from innolink.enterprises import importing
from innolink.enterprises.models import Enterprise
from innolink.enterprises.tests.files import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db


def _upload(content: bytes, name: str = "data.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def checked_with_problems(organizer_client, django_capture_on_commit_callbacks):
    """A file checked in Chinese: text in a number column, a town outside Jinjiang and a row
    repeating another."""
    upload = _upload(csv_bytes([row(1), row(2, **{"营业收入(万元)": "约三千万"}),
                                row(3, 所属镇街="厦门"), row(1)]))
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import"), {"file": upload},
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = Job.objects.get()
    assert job.status == "succeeded" and job.result["error_count"] == 3
    assert Enterprise.objects.count() == 0
    return job


def test_row_problems_are_stored_with_their_values(checked_with_problems):
    errors = checked_with_problems.result["errors"]
    assert [e["reason"] for e in errors] == [
        "应为数字", "不是晋江市的镇或街道（如 青阳街道、安海镇）",
        "与第 2 行重复（同一 2025 年度出现两次）"]
    assert errors[2]["msgid"] == "与第 %(row)s 行重复（同一 %(year)s 年度出现两次）"
    assert errors[2]["params"] == {"row": 2, "year": 2025}


@pytest.mark.parametrize("language, expected, other", [
    ("en", ["Must be a number", "Not a town or subdistrict of Jinjiang",
            "Repeats row 2 (the same year 2025 twice)"], "应为数字"),
    ("zh-hans", ["应为数字", "不是晋江市的镇或街道", "与第 2 行重复（同一 2025 年度出现两次）"],
     "Must be a number"),
])
def test_the_job_page_shows_row_problems_in_the_readers_language(
        organizer_client, checked_with_problems, language, expected, other):
    page = organizer_client.get(reverse("core:job", args=[checked_with_problems.pk]),
                                HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert all(text in page for text in expected), page
    assert other not in page


def test_the_error_report_is_in_the_readers_language(organizer_client, checked_with_problems):
    report = organizer_client.get(reverse("enterprises:import-errors",
                                          args=[checked_with_problems.pk]),
                                  HTTP_ACCEPT_LANGUAGE="en")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Column", "Value", "Problem"]
    assert lines[3] == ["5", "统一社会信用代码", lines[3][2],
                        "Repeats row 2 (the same year 2025 twice)"]


@pytest.mark.parametrize("language, expected", [
    ("en", "More rows than the limit of 2: please split the file"),
    ("zh-hans", "行数超过上限 2 行，请拆分文件"),
])
def test_a_file_refused_in_the_job_reads_in_the_readers_language(
        settings, organizer_client, django_capture_on_commit_callbacks, language, expected):
    settings.INNOLINK = {**settings.INNOLINK, "IMPORT_MAX_ROWS": 2}
    upload = _upload(csv_bytes([row(1), row(2), row(3)]))
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("enterprises:import"), {"file": upload},
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = Job.objects.get()
    assert job.status == "failed" and Enterprise.objects.count() == 0
    page = organizer_client.get(reverse("core:job", args=[job.pk]),
                                HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page
    body = organizer_client.get(f"/api/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE=language).json()
    assert expected in body["message"]


def test_a_whole_file_refusal_keeps_its_msgid_and_values():
    with pytest.raises(importing.ImportFileError) as info:
        importing.read_table(b"\n".join([b",".join(h.encode() for h in HEADER)]),
                             "data.csv", max_bytes=10_000, max_rows=10)
    with translation.override("en"):
        error = info.value.as_application_error()
    assert error.code == "import_empty" and error.msgid == "文件只有表头，没有数据行"
    assert error.message == "The file has a header but no data rows"


@pytest.mark.parametrize("language, expected", [
    ("en", "The unified social credit code must have 18 characters, not 3"),
    ("zh-hans", "统一社会信用代码应为 18 位，实际 3 位"),
])
def test_the_credit_code_check_reads_in_the_forms_language(language, expected):
    from django.core.exceptions import ValidationError

    from innolink.enterprises.models import validate_credit_code

    with translation.override(language), pytest.raises(ValidationError) as info:
        validate_credit_code("123")
    assert info.value.messages == [expected]
