"""The import template an office worker downloads: headers, one example row, and notes."""

from __future__ import annotations

import io

from innolink.enterprises.importing import ATTRIBUTE_HEADERS
from innolink.enterprises.models import IndicatorDefinition
from innolink.enterprises.reference import make_credit_code


def import_template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    from innolink.core.spreadsheets import xlsx_append

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "企业数据"
    headers = [aliases[0] for aliases in ATTRIBUTE_HEADERS.values()]
    indicators = list(IndicatorDefinition.objects.all())
    headers += [f"{d.name}(万元)" if d.kind == "money" else d.name for d in indicators]
    xlsx_append(sheet, headers)  # indicator names are edited in the admin
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = [make_credit_code("91350582MA2XYW001"), "晋江示例鞋业有限公司", "陈埭镇", "C1953",
               "民营", "2012-03-15", "中型", "张三", "晋江市陈埭镇示例路1号", "运动鞋",
               "高新技术企业;规上企业", "2024-12-01", "否", 2025]
    example += ["" for _ in indicators]
    xlsx_append(sheet, example)
    notes = workbook.create_sheet("填写说明")
    for line in [
        "带 * 的列为必填：统一社会信用代码、企业名称、所属镇街、行业代码、所有制。",
        "每行一家企业的一个年度；同一企业多个年度请写多行，企业信息保持一致。",
        "金额列可写 (万元) 或 (元)，系统统一按元保存，四舍五入到分。",
        "空单元格不会清除系统中已有的数据；不需要修改的列可以删除。",
        "标签用分号分隔：高新技术企业、科技型中小企业、规上企业、上市企业、专精特新 等。",
    ]:
        xlsx_append(notes, [line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
