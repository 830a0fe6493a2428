"""Import files are checked before they are parsed: an .xlsx that unpacks too far (a zip bomb)
or holds too many rows is refused with a clear message without being loaded; a stale
``<dimension>`` does not hide rows; an empty file is refused at upload. The registry and the
researcher import share the readers."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.challenges.tests import files as researcher_files
from innolink.core.errors import ApplicationError
from innolink.core.models import Job
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_user
from innolink.enterprises import services
from innolink.enterprises.models import Enterprise
from innolink.enterprises.tests.files import (row, stale_dimension, xlsx_bytes, zip_bomb)

pytestmark = pytest.mark.django_db


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if a worksheet's cells are parsed."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    def refuse(*args, **kwargs):
        raise AssertionError("the worksheet was parsed")

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", refuse)


def test_a_zip_bomb_is_refused_without_being_loaded(client, never_parsed, monkeypatch):
    import openpyxl

    bomb = zip_bomb(xlsx_bytes([row(1)]), unpacked_mb=40)
    assert len(bomb) < 200 * 1024
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("loaded"))
    with pytest.raises(ApplicationError) as exc:  # the job's reader
        services.registry_import(content=bomb, filename="bomb.xlsx", actor=None, commit=False)
    assert exc.value.code == "import_zip_bomb" and "压缩比" in exc.value.message
    client.force_login(make_user(Role.ORGANIZER))  # the upload: refused before a job exists
    body = assert_json_error(client.post("/api/enterprises/imports", {
        "file": SimpleUploadedFile("bomb.xlsx", bomb)}), 400, "import_zip_bomb")
    assert "拒绝读取" in body["message"]
    assert Job.objects.count() == 0 and Enterprise.objects.count() == 0


def test_a_workbook_over_the_unpacked_limit_is_refused(settings):
    settings.INNOLINK = {**settings.INNOLINK, "IMPORT_MAX_UNPACKED_BYTES": 4 * 1024}
    content = xlsx_bytes([row(n) for n in range(1, 40)])
    with pytest.raises(ApplicationError) as exc:
        services.registry_import(content=content, filename="big.xlsx", actor=None,
                                 commit=False)
    assert exc.value.code == "import_unpacked_too_large" and "解压后过大" in exc.value.message


def test_too_many_rows_are_refused_before_the_cells_are_parsed(settings, never_parsed):
    settings.INNOLINK = {**settings.INNOLINK, "IMPORT_MAX_ROWS": 3}
    content = stale_dimension(xlsx_bytes([row(n) for n in range(1, 12)]))  # says 2 rows
    with pytest.raises(ApplicationError) as exc:
        services.registry_import(content=content, filename="many.xlsx", actor=None,
                                 commit=False)
    assert exc.value.code == "import_too_many_rows" and "3 行" in exc.value.message


def test_a_stale_dimension_does_not_hide_rows():
    content = stale_dimension(xlsx_bytes([row(n) for n in range(1, 6)]), "A1:K2")
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert b"<dimension ref=\"A1:K2\"/>" in z.read("xl/worksheets/sheet1.xml")
    outcome = services.registry_import(content=content, filename="stale.xlsx", actor=None,
                                       commit=True)
    assert outcome.rows == 5 and outcome.created == 5 and not outcome.errors
    assert Enterprise.objects.count() == 5


@pytest.mark.parametrize("content", [b"", b"   \r\n  "])
def test_an_empty_file_is_refused_at_upload(client, content):
    client.force_login(make_user(Role.ORGANIZER))
    assert_json_error(client.post("/api/enterprises/imports", {
        "file": SimpleUploadedFile("empty.csv", content)}), 400, "import_empty")
    page = client.post(reverse("enterprises:import"),
                       {"file": SimpleUploadedFile("empty.csv", content)})
    assert page.status_code == 422 and Job.objects.count() == 0
    assert "空文件" in str(page.context["form"].errors) or "文件为空" in str(
        page.context["form"].errors)


def test_the_researcher_import_has_the_same_limits(never_parsed, settings):
    staff = make_user(Role.ORGANIZER)
    clean = researcher_files.xlsx_bytes(researcher_files.rows(5))
    with pytest.raises(ApplicationError) as exc:
        board.researcher_import_start(actor=staff, content=zip_bomb(clean), filename="b.xlsx",
                                      commit=False)
    assert exc.value.code == "import_zip_bomb" and Job.objects.count() == 0
    with pytest.raises(ApplicationError) as exc:
        board.researcher_import_start(actor=staff, content=b"  ", filename="e.csv",
                                      commit=False)
    assert exc.value.code == "import_empty"


def test_the_researcher_import_reads_past_a_stale_dimension():
    from innolink.accounts.models import Institution

    Institution.objects.create(name="华侨大学", kind="university")
    staff = make_user(Role.ORGANIZER)
    content = stale_dimension(researcher_files.xlsx_bytes(researcher_files.rows(5)), "A1:L2")
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert b'<dimension ref="A1:L2"/>' in z.read("xl/worksheets/sheet1.xml")
    outcome = board.researcher_import(actor=staff, content=content, filename="r.xlsx",
                                      commit=False)
    assert outcome["rows"] == 5 and outcome["error_count"] == 0, outcome["errors"][:3]
