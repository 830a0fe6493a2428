"""12345 transfers and cadres' lists from .csv and .xlsx: all rows or none, errors by row and
column, a ticket imported once."""

import io

import pytest
from openpyxl import Workbook

from innolink.core.errors import ApplicationError, PermissionDenied
from innolink.enterprises.testing import make_enterprise
from innolink.servicedesk import importing
from innolink.servicedesk.models import CadreAssignment, ServiceRequest
from innolink.servicedesk.tests.helpers import written


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = ["工单编号", "统一社会信用代码", "诉求类别", "诉求类型", "是否紧急", "诉求内容", "所属镇街",
          "受理时间"]


def test_hotline_xlsx_imports_and_skips_what_it_has(desk, company, coordinator):
    content = xlsx([["12345转办工单（11月）"], HEADER,
                    ["GD1", company.credit_code, "用地用房", "投诉", "是", "缺地三十亩", "陈埭",
                     "2025-11-20 09:30"],
                    ["GD2", company.credit_code, "labor", "咨询", "否", "社保增员审核慢", "", ""]])
    result = importing.hotline_import(actor=coordinator, content=content, filename="t.xlsx")
    assert (result.created, result.skipped, result.errors) == (2, 0, [])
    first = ServiceRequest.objects.get(external_id="GD1")
    assert (first.channel, first.kind, first.urgent, first.source) == (
        "hotline", "complaint", True, "12345")
    from django.utils import timezone

    assert timezone.localtime(first.created_at).isoformat().startswith("2025-11-20T09:30")
    assert first.department == desk["zr"]
    again = importing.hotline_import(actor=coordinator, content=content, filename="t.xlsx")
    assert (again.created, again.skipped) == (0, 2)


def test_hotline_csv_in_gbk_with_errors_writes_nothing(desk, company, coordinator):
    csv = ("工单编号,统一社会信用代码,诉求类别,诉求内容,所属镇街,受理时间\n"
           f"GD1,{company.credit_code},用地用房,缺地,陈埭,\n"
           f"GD1,{company.credit_code},用地用房,重复编号,陈埭,\n"
           f"GD3,{company.credit_code},用地用房,缺地,火星,2099-01-01\n").encode("gb18030")
    before = written()
    result = importing.hotline_import(actor=coordinator, content=csv, filename="t.csv")
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "工单编号"), (4, "所属镇街"), (4, "受理时间")]
    assert written() == before


def test_hotline_file_refusals(desk, coordinator, handler):
    with pytest.raises(PermissionDenied):
        importing.hotline_import(actor=handler, content=b"x", filename="t.csv")
    with pytest.raises(ApplicationError) as exc:
        importing.hotline_import(actor=coordinator, content=b"a,b\n1,2\n", filename="t.csv")
    assert exc.value.code == "import_no_header"
    with pytest.raises(ApplicationError) as exc:
        importing.hotline_import(actor=coordinator, content="统一社会信用代码,诉求内容\nx,y\n".encode(),
                                 filename="t.csv")
    assert "工单编号" in exc.value.message and "诉求类别" in exc.value.message
    with pytest.raises(ApplicationError):
        importing.hotline_import(actor=coordinator, content=b"x", filename="t.pdf")


def test_cadres_import(desk, company, coordinator, cadre):
    other = make_enterprise()
    content = xlsx([["统一社会信用代码", "挂钩干部账号", "挂钩起始日", "备注"],
                    [company.credit_code, cadre.username, "2026-01-05", "重点税源企业"],
                    [other.credit_code, cadre.username, "", ""]])
    result = importing.cadres_import(actor=coordinator, content=content, filename="c.xlsx")
    assert (result.created, result.errors) == (2, [])
    assert CadreAssignment.objects.get(enterprise=company).note == "重点税源企业"
    again = importing.cadres_import(actor=coordinator, content=content, filename="c.xlsx")
    assert (again.created, again.skipped) == (0, 2)
    bad = xlsx([["统一社会信用代码", "挂钩干部账号"], [company.credit_code, "nobody"],
                ["000", cadre.username]])
    before = CadreAssignment.objects.count()
    result = importing.cadres_import(actor=coordinator, content=bad, filename="c.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "挂钩干部账号"),
                                                          (3, "统一社会信用代码")]
    assert CadreAssignment.objects.count() == before


def test_import_page(client, desk, company, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    csv = ("工单编号,统一社会信用代码,诉求类别,诉求内容\n"
           f"GD9,{company.credit_code},用地用房,缺地\n").encode()
    response = client.post("/servicedesk/import/", {
        "file": SimpleUploadedFile("t.csv", csv, content_type="text/csv")})
    assert response.status_code == 302
    assert ServiceRequest.objects.filter(external_id="GD9").exists()
    bad = "工单编号,统一社会信用代码,诉求类别,诉求内容\nGD10,000,用地用房,缺地\n".encode()
    response = client.post("/servicedesk/import/", {
        "file": SimpleUploadedFile("t.csv", bad, content_type="text/csv")})
    assert response.status_code == 422 and "企业库中没有该统一社会信用代码" in response.content.decode()
