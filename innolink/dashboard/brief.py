"""The weekly 重点工作调度 brief: what moved this week, what is late and who owns it.

Built from the same sections as the overview page: each figure now, a week ago (the daily
snapshot) and the same period last year; each section's own "moved" lines; every late item
with its owner, most days late first. Rendered as PDF (WeasyPrint, Noto Sans CJK SC) and as
Excel (openpyxl; amounts are numbers, not text).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from innolink.dashboard.models import FigureSnapshot
from innolink.dashboard.overview import Figure, LateItem, Section, sections

PDF_FONT = "Noto Sans CJK SC"
#: The workbook's default font: 等线 (DengXian), the default body font of Chinese Excel and WPS,
#: with the GB2312 character set, so a sheet opens in a font that has every Chinese glyph
#: instead of Calibri (which has none and leaves the choice of a fallback to the viewer).
XLSX_FONT = "等线"
XLSX_CHARSET = 134


@dataclass
class FigureLine:
    section: str
    label: str
    unit: str
    value: Decimal | int | None
    week_ago: Decimal | None
    previous: Decimal | int | None
    note: str
    url: str

    @property
    def week_change(self) -> Decimal | None:
        if self.value is None or self.week_ago is None:
            return None
        return Decimal(self.value) - self.week_ago


@dataclass
class BriefContent:
    today: dt.date
    week_start: dt.date
    figures: list[FigureLine] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (section, line)
    late: list[tuple[str, LateItem]] = field(default_factory=list)
    #: every block's count of late items (``late`` holds the longest overdue few of each)
    late_total: int = 0
    generated_at: dt.datetime | None = None

    def summary(self) -> dict[str, Any]:
        return {"figures": len(self.figures), "moved": len(self.moved), "late": self.late_total,
                "today": self.today.isoformat()}


def brief_content(*, today: dt.date, found: list[Section] | None = None) -> BriefContent:
    week_start = today - dt.timedelta(days=6)
    week_ago = {s.key: s.value for s in FigureSnapshot.objects.filter(
        taken_on=today - dt.timedelta(days=7))}
    content = BriefContent(today=today, week_start=week_start, generated_at=timezone.now())
    for section in (found if found is not None else sections(today=today)):
        title = str(section.title)
        for figure in section.figures:
            content.figures.append(_line(title, figure, week_ago.get(figure.key)))
        content.moved += [(title, str(line)) for line in section.moved]
        content.late += [(title, item) for item in section.late]
        content.late_total += section.late_count
    for line in content.figures:
        change = line.week_change
        if change:
            sign = "+" if change > 0 else ""
            content.moved.append((line.section, f"{line.label}：本周 {sign}{_num(change)}"
                                                f"{line.unit}，现为 {_num(line.value)}{line.unit}"))
    content.late.sort(key=lambda pair: -pair[1].days_late)
    return content


def _line(section: str, figure: Figure, week_ago: Decimal | None) -> FigureLine:
    return FigureLine(section=section, label=str(figure.label), unit=str(figure.unit or ""),
                      value=figure.value, week_ago=week_ago, previous=figure.previous,
                      note=str(figure.note or ""), url=figure.url)


def _num(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01')):,}"


def render_pdf(content: BriefContent) -> bytes:
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string("dashboard/brief_pdf.html", {"c": content, "font": PDF_FONT})
    return HTML(string=html).write_pdf()


def render_xlsx(content: BriefContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from innolink.core.spreadsheets import xlsx_append

    wb = Workbook()
    _chinese_default_font(wb)
    ws = wb.active
    ws.title = "指标"
    xlsx_append(ws, [f"重点工作调度简报（{content.week_start:%Y-%m-%d} 至 {content.today:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append(ws, ["板块", "指标", "当前值", "一周前", "本周变化", "上年同期", "单位", "说明"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line in content.figures:
        xlsx_append(ws, [line.section, line.label, _cell(line.value), _cell(line.week_ago),
                   _cell(line.week_change), _cell(line.previous), line.unit, line.note])
    for col, width in zip("ABCDEFGH", (16, 20, 14, 14, 14, 14, 8, 40)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "#,##0.00"
    late = wb.create_sheet("逾期事项")
    if content.late_total > len(content.late):
        xlsx_append(late, [f"共 {content.late_total} 项，本表按逾期天数列出各板块最久的 "
                     f"{len(content.late)} 项；完整清单见平台各板块的逾期列表"])
    xlsx_append(late, ["板块", "事项", "责任单位/责任人", "期限", "逾期天数", "类型"])
    for cell in late[late.max_row]:
        cell.font = Font(bold=True)
    for section, item in content.late:
        xlsx_append(late, [section, item.title, item.owner, item.due, item.days_late, str(item.kind)])
    for row in late.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", (16, 60, 28, 12, 10, 16)):
        late.column_dimensions[col].width = width
    moved = wb.create_sheet("本周进展")
    xlsx_append(moved, ["板块", "进展"])
    for cell in moved[1]:
        cell.font = Font(bold=True)
    for section, line in content.moved:
        xlsx_append(moved, [section, line])
    moved.column_dimensions["A"].width = 16
    moved.column_dimensions["B"].width = 90
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.font.name != XLSX_FONT:
                    font = copy.copy(cell.font)
                    font.name, font.charset = XLSX_FONT, XLSX_CHARSET
                    cell.font = font
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _chinese_default_font(wb) -> None:
    """Make the workbook's default font (font 0, the Normal style's) Chinese-capable: every
    cell without a font of its own, and every cell typed in later, uses it."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=XLSX_FONT, sz=11, family=2, charset=XLSX_CHARSET)
    wb._fonts = IndexedList([font])
    normal = wb._named_styles["Normal"]
    normal.font = font
    normal.bind(wb)


def _cell(value):
    """Numbers stay numbers in the sheet (openpyxl writes ``Decimal`` as a number cell);
    ``None`` is an empty cell."""
    if value is None or isinstance(value, int):
        return value
    return Decimal(value)
