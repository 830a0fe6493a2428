"""A list as .xlsx (openpyxl) and as PDF (WeasyPrint with Noto Sans CJK SC), and its QR code."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string

from innolink.rankings.models import RankingList
from innolink.rankings.selectors import Column, Row

PDF_FONT = "Noto Sans CJK SC"


def _change_text(row: Row) -> str:
    if row.new:
        return "新上榜"
    if row.change is None:
        return "—"
    return f"↑{row.change}" if row.change > 0 else (f"↓{-row.change}" if row.change < 0 else "—")


def _interval(row: Row) -> str:
    e = row.entry
    return f"{e.median_rank:g}（{e.rank_p05:g}–{e.rank_p95:g}）"


def _number(text: str):
    """A formatted amount or count ("1,234.57", "—") back as a number for a numeric cell."""
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return text


def list_xlsx(ranking_list: RankingList, columns: list[Column], rows: list[Row]) -> bytes:
    """Every text cell through ``core.spreadsheets`` (an enterprise name is never a live
    formula); ranks and indicator values are numeric cells (amounts in 万元, 2 places)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from innolink.core.spreadsheets import xlsx_append

    wb = Workbook()
    ws = wb.active
    ws.title = "榜单"
    run = ranking_list.run
    xlsx_append(ws, [f"{ranking_list.title_zh}（{run.year}年度数据）"])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append(ws, [f"状态：{run.get_status_display()}；方法版本 {ranking_list.methodology_version}；"
                     f"方法哈希 {ranking_list.methodology_hash[:12]}；"
                     f"数据指纹 {run.data_fingerprint[:12]}"])
    header = ["名次", "企业名称", "所属镇街", *[f"{c.label}（{c.unit}）" if c.unit else c.label
                                             for c in columns],
              "较上年", "名次中位数（5%–95%区间）", "并列", "入围不确定"]
    xlsx_append(ws, header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        e = row.entry
        xlsx_append(ws, [e.rank, e.enterprise.name, e.enterprise.get_town_display(),
                         *[_number(v) for v in row.values], _change_text(row), _interval(row),
                         "是" if e.tied else "", "是" if e.uncertain else ""])
        for offset, column in enumerate(columns):
            ws.cell(row=ws.max_row, column=4 + offset).number_format = (
                "#,##0.00" if column.money else "#,##0.##")
    widths = [8, 36, 10, *([18] * len(columns)), 10, 24, 6, 10]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    notes = wb.create_sheet("评价方法说明")
    for line in ranking_list.note_zh.splitlines():
        xlsx_append(notes, [line])
    xlsx_append(notes, [f"并列规则：{ranking_list.result.get('tie_rule_zh', '')}"])
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def list_pdf(ranking_list: RankingList, columns: list[Column], rows: list[Row]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("rankings/list_pdf.html", {
        "ranking_list": ranking_list, "run": ranking_list.run, "columns": columns,
        "rows": [(row, _change_text(row), _interval(row)) for row in rows], "font": PDF_FONT})
    return HTML(string=html).write_pdf()


def qr_svg(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2,
                                    title="榜单二维码")
    return out.getvalue()
