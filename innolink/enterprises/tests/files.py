"""Builders of real import files (CSV bytes in UTF-8, UTF-8 with BOM or GBK; .xlsx)."""

from __future__ import annotations

import csv
import io

from innolink.enterprises.testing import credit_code

HEADER = ["统一社会信用代码", "企业名称", "所属镇街", "行业代码", "所有制", "成立日期", "标签",
          "年度", "营业收入(万元)", "研发费用(万元)", "从业人员"]


def row(n: int, **overrides) -> list[str]:
    values = {"统一社会信用代码": credit_code(10_000 + n), "企业名称": f"晋江测试{n}鞋业有限公司",
              "所属镇街": "陈埭镇", "行业代码": "C1953", "所有制": "民营", "成立日期": "2010-05-01",
              "标签": "规上企业", "年度": "2025", "营业收入(万元)": f"{1000 + n}.5",
              "研发费用(万元)": "35", "从业人员": "120"}
    values.update(overrides)
    return [values[h] for h in HEADER]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], header: list[str] = HEADER, merge: str | None = None,
               title: str | None = None) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_member(content: bytes, member: str, change) -> bytes:
    """The workbook with one archive member's bytes replaced by ``change(old_bytes)``."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def stale_dimension(content: bytes, ref: str = "A1:K2") -> bytes:
    """The workbook claiming (in ``<dimension>``) fewer rows than it has, as some exporters
    write it."""
    import re

    tag = f'<dimension ref="{ref}"/>'.encode()

    def change(xml: bytes) -> bytes:
        if b"<dimension " in xml:
            return re.sub(rb'<dimension ref="[^"]*"\s*/>', tag, xml)
        at = min(i for i in (xml.find(t) for t in (b"<sheetViews", b"<sheetFormatPr", b"<cols",
                                                    b"<sheetData")) if i >= 0)
        return xml[:at] + tag + xml[at:]

    return rewrite_member(content, "xl/worksheets/sheet1.xml", change)


def zip_bomb(content: bytes, unpacked_mb: int = 40) -> bytes:
    """The workbook with its worksheet padded by ``unpacked_mb`` MB of blanks: a few tens of
    kilobytes packed."""
    return rewrite_member(content, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (unpacked_mb * 1024 * 1024), 1))
