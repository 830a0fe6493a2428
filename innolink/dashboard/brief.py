"""The weekly 重点工作调度 brief: what moved this week, what is late and who owns it.

Built from the same sections as the overview page: each figure now, a week ago (the daily
snapshot) and the same period last year; each section's own "moved" lines; every late item
with its owner, most days late first. Rendered as PDF (WeasyPrint, Noto Sans CJK SC) and as
Excel (openpyxl; amounts are numbers, not text).
"""

from __future__ import annotations

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
    generated_at: dt.datetime | None = None

    def summary(self) -> dict[str, Any]:
        return {"figures": len(self.figures), "moved": len(self.moved), "late": len(self.late),
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

    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append([f"重点工作调度简报（{content.week_start:%Y-%m-%d} 至 {content.today:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["板块", "指标", "当前值", "一周前", "本周变化", "上年同期", "单位", "说明"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line in content.figures:
        ws.append([line.section, line.label, _cell(line.value), _cell(line.week_ago),
                   _cell(line.week_change), _cell(line.previous), line.unit, line.note])
    for col, width in zip("ABCDEFGH", (16, 20, 14, 14, 14, 14, 8, 40)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "#,##0.00"
    late = wb.create_sheet("逾期事项")
    late.append(["板块", "事项", "责任单位/责任人", "期限", "逾期天数", "类型"])
    for cell in late[1]:
        cell.font = Font(bold=True)
    for section, item in content.late:
        late.append([section, item.title, item.owner, item.due, item.days_late, str(item.kind)])
    for row in late.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", (16, 60, 28, 12, 10, 16)):
        late.column_dimensions[col].width = width
    moved = wb.create_sheet("本周进展")
    moved.append(["板块", "进展"])
    for cell in moved[1]:
        cell.font = Font(bold=True)
    for section, line in content.moved:
        moved.append([section, line])
    moved.column_dimensions["A"].width = 16
    moved.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    """Numbers stay numbers in the sheet (openpyxl writes ``Decimal`` as a number cell);
    ``None`` is an empty cell."""
    if value is None or isinstance(value, int):
        return value
    return Decimal(value)
