"""The visit sheet as PDF (WeasyPrint with Noto Sans CJK SC) and the weekly 调度 workbook."""

from __future__ import annotations

import datetime as dt
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext

from innolink.servicedesk import selectors

PDF_FONT = "Noto Sans CJK SC"

DEFINITIONS = [
    (_l("及时签收率"), _l("在签收时限内签收的派单数 ÷ 应签收的派单数。一次派单在签收时或签收时限届满时计入（以先到者为准）；退单后改派算新的派单。")),
    (_l("按时办结率"), _l("在办理时限内答复的件数 ÷ 办理时限已到或已答复的件数。重办算新的一轮办理；批准的延期顺延时限。")),
    (_l("满意率"), _l("（满意 + 基本满意）÷ 评价件数。企业评价；协调员可代录企业在回访或 12345 中的评价。")),
    (_l("重办率"), _l("经协调员复核后重办的件数 ÷ 已答复的件数（每件最多重办一次）。")),
    (_l("统计口径"), _l("按事件发生的月份、当时的承办部门、诉求所在镇街和类别计数；受理量按首次派单的部门计。时限按工作时间计算（法定节假日和调休按平台工作日历）。")),
]


def visit_sheet_pdf(sheet: selectors.VisitSheet) -> bytes:
    from weasyprint import HTML

    html = render_to_string("servicedesk/sheet_pdf.html", {"sheet": sheet, "font": PDF_FONT})
    return HTML(string=html).write_pdf()


def rates_chart(rows: list[selectors.RateRow]) -> dict:
    def value(x):
        return float(x) if x is not None else None

    return {"type": "line", "labels": [r.label for r in rows], "series": [
        {"label": str(_("及时签收率")), "values": [value(r.timely_sign_rate) for r in rows]},
        {"label": str(_("按时办结率")), "values": [value(r.on_time_rate) for r in rows]},
        {"label": str(_("满意率")), "values": [value(r.satisfaction_rate) for r in rows]}]}


def _rate_sheet(ws, title: str, total, rows) -> None:
    from openpyxl.styles import Font

    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    header = [_("名称"), _("受理"), _("应签收"), _("及时签收"), _("及时签收率%"), _("应办结"),
              _("按时办结"), _("按时办结率%"), _("评价"), _("满意+基本满意"), _("满意率%"),
              _("重办"), _("重办率%")]
    ws.append([str(h) for h in header])
    for cell in ws[2]:
        cell.font = Font(bold=True)

    def line(r):
        return [str(r.label), r.received, r.sign_total, r.sign_timely,
                _num(r.timely_sign_rate), r.done_total, r.done_timely, _num(r.on_time_rate),
                r.rated, r.satisfied + r.basic, _num(r.satisfaction_rate), r.reopened,
                _num(r.reopen_rate)]

    for r in rows:
        ws.append(line(r))
    ws.append(line(total))
    ws.column_dimensions["A"].width = 24


def _num(value):
    return float(value) if value is not None else None


def weekly_xlsx(*, today: dt.date) -> bytes:
    """For the weekly 调度 meeting: this year's 三率 by department and by town, the overdue list
    with owners, last week's hot topics, and the definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    start, end = dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("按部门"))
    _rate_sheet(ws, _("%(y)s 年诉求办理三率（按部门，截至 %(d)s）") % {"y": today.year, "d": today},
                *selectors.rates(start=start, end=end, by="department"))
    _rate_sheet(wb.create_sheet(str(_("按镇街"))), _("%(y)s 年诉求办理三率（按镇街）") % {
        "y": today.year}, *selectors.rates(start=start, end=end, by="town"))
    _rate_sheet(wb.create_sheet(str(_("按月份"))), _("%(y)s 年诉求办理三率（按月份）") % {
        "y": today.year}, *selectors.rates(start=start, end=end, by="month"))
    late = wb.create_sheet(str(_("超时清单")))
    late.append([str(h) for h in (pgettext("诉求编号", "编号"), _("企业"), _("标题"), _("承办部门"), _("状态"),
                                  _("时限"), _("超时（天）"))])
    for cell in late[1]:
        cell.font = Font(bold=True)
    now = timezone.now()
    for r in selectors.overdue_list(now)[:500]:
        late.append([r.number, r.enterprise.name, r.title,
                     r.department.name if r.department else "", r.get_status_display(),
                     timezone.localtime(r.deadline_at).strftime("%Y-%m-%d %H:%M"),
                     (now - r.deadline_at).days])
    for col, width in zip("ABCDEFG", (16, 30, 40, 22, 12, 18, 10)):
        late.column_dimensions[col].width = width
    hot = wb.create_sheet(str(_("热点")))
    topics = selectors.hot_topics(today)
    hot.append([str(_("上周（%(w)s 起）高频词") % {"w": topics.week}), str(_("件数"))])
    for term, n in topics.terms:
        hot.append([term, n])
    hot.append([])
    hot.append([str(_("上升最快")), str(_("上周")), str(_("前一周"))])
    for t in topics.rising:
        hot.append([t.term, t.current, t.previous])
    hot.append([])
    hot.append([str(_("类别")), str(_("上周")), str(_("前一周"))])
    for name, now_n, before_n in topics.categories:
        hot.append([name, now_n, before_n])
    hot.column_dimensions["A"].width = 24
    notes = wb.create_sheet(str(_("指标定义")))
    for name, text in DEFINITIONS:
        notes.append([str(name), str(text)])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
