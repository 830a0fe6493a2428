"""Imports of the service desk: 12345 transfers and cadres' assignments, from .xlsx or .csv.

Both read the whole file, check every row, and write only when every row is clean (all or
nothing, one transaction); the errors name the row and the column as the office worker sees
them. A 12345 ticket already imported (same 工单编号) is skipped, so a file can be imported
again after adding rows. Files are read with the registry import's reader
(``innolink.enterprises.importing.read_table``: UTF-8 or GBK CSV, .xlsx, header in the first five
rows, found by its 统一社会信用代码 column).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from innolink.enterprises.importing import ImportFileError, read_table
from innolink.enterprises.models import Enterprise
from innolink.servicedesk import access, services
from innolink.servicedesk.models import CadreAssignment, Channel, Kind, ServiceRequest
from innolink.servicedesk.errors import IMPORT_MISSING_COLUMNS

HOTLINE_COLUMNS = {
    "external_id": ("工单编号", "12345工单编号", "ticket"),
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "category": ("诉求类别", "类别", "category"),
    "kind": ("诉求类型", "类型", "kind"),
    "urgent": ("是否紧急", "紧急", "urgent"),
    "title": ("标题", "诉求标题", "title"),
    "description": ("诉求内容", "内容", "description"),
    "town": ("所属镇街", "镇街", "town"),
    "received_at": ("受理时间", "received_at"),
}
HOTLINE_REQUIRED = ("external_id", "credit_code", "category", "description")
CADRE_COLUMNS = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "cadre": ("挂钩干部账号", "挂钩干部", "cadre"),
    "since": ("挂钩起始日", "since"),
    "note": ("备注", "note"),
}
CADRE_REQUIRED = ("credit_code", "cadre")
KIND_WORDS = {str(label): value for value, label in Kind.choices} | {
    "咨询类": Kind.CONSULT, "求助类": Kind.HELP, "建议类": Kind.SUGGEST, "意见建议": Kind.SUGGEST,
    "投诉": Kind.COMPLAINT, "投诉举报": Kind.COMPLAINT, "投诉类": Kind.COMPLAINT}
YES = {"是", "y", "yes", "true", "1", "紧急"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0  # already imported (12345) or unchanged (cadres)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def _columns(headers: list[str], spec: dict[str, tuple[str, ...]],
             required: tuple[str, ...]) -> dict[str, int]:
    by_alias = {alias: key for key, aliases in spec.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = by_alias.get(header.strip())
        if key and key not in found:
            found[key] = i
    missing = [spec[k][0] for k in required if k not in found]
    if missing:
        raise ApplicationError(_("缺少必需的列：%(c)s") % {"c": "、".join(missing)},
                               code=IMPORT_MISSING_COLUMNS, status=422)
    return found


def _read(content: bytes, filename: str) -> Any:
    try:
        return read_table(content, filename, max_bytes=settings.INNOLINK["IMPORT_MAX_BYTES"],
                          max_rows=settings.INNOLINK["IMPORT_MAX_ROWS"])
    except ImportFileError as exc:
        raise ApplicationError(exc.reason, code=exc.code, status=422)


def _received(raw: str) -> dt.datetime | None:
    if not raw:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                "%Y-%m-%d", "%Y/%m/%d"):
        try:
            moment = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return timezone.make_aware(moment, timezone.get_default_timezone())
    raise ValueError(raw)


def hotline_import(*, actor, content: bytes, filename: str, commit: bool = True) -> ImportResult:
    """12345 transfers: one request per row (channel 12345转办, the 工单编号 as external id)."""
    if not access.is_desk_staff(actor):
        raise PermissionDenied()
    table = _read(content, filename)
    cols = _columns(table.headers, HOTLINE_COLUMNS, HOTLINE_REQUIRED)
    result = ImportResult(rows=len(table.rows))
    codes = {_cell(cells[cols["credit_code"]]).upper() for _n, cells in table.rows}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    seen: set[str] = set()
    existing = set(ServiceRequest.objects.filter(channel=Channel.HOTLINE).values_list(
        "external_id", flat=True))
    planned = []
    now = timezone.now()
    for number, cells in table.rows:
        def get(key: str) -> str:
            return _cell(cells[cols[key]]) if key in cols else ""

        def error(key: str, reason: str) -> None:
            result.errors.append(RowError(number, HOTLINE_COLUMNS[key][0], reason))

        ticket = get("external_id")[:64]
        if not ticket:
            error("external_id", _("工单编号不能为空"))
            continue
        if ticket in seen:
            error("external_id", _("工单编号在文件中重复"))
            continue
        seen.add(ticket)
        if ticket in existing:
            result.skipped += 1
            continue
        enterprise = enterprises.get(get("credit_code").upper())
        if enterprise is None:
            error("credit_code", _("企业库中没有该统一社会信用代码"))
        try:
            category = services.category_resolve(get("category"))
        except ValidationFailed as exc:
            error("category", exc.fields["category"][0])
            category = None
        description = get("description")
        if not description:
            error("description", _("诉求内容不能为空"))
        elif len(description) > services.MAX_TEXT:
            error("description", _("诉求内容不能超过 5000 字"))
        kind = KIND_WORDS.get(get("kind"), None) if get("kind") else Kind.HELP
        if kind is None:
            error("kind", _("诉求类型应为咨询、求助、建议或投诉"))
        town = get("town")
        if town:
            try:
                town = services.town_check(town)
            except ValidationFailed as exc:
                error("town", exc.fields["town"][0])
        try:
            received = _received(get("received_at"))
            if received and received > now:
                raise ValueError
        except ValueError:
            error("received_at", _("受理时间格式应为 2026-11-20 09:30，且不晚于现在"))
            received = None
        planned.append(dict(enterprise=enterprise, category=category, description=description,
                            kind=kind, urgent=get("urgent").lower() in YES, town=town or None,
                            title=get("title"), external_id=ticket, received_at=received))
    if result.errors or not commit:
        return result
    with transaction.atomic():
        for row in planned:
            services.request_create(channel=Channel.HOTLINE, actor=actor, source="12345",
                                    audit_source="import:12345", **row)
            result.created += 1
    return result


def cadres_import(*, actor, content: bytes, filename: str) -> ImportResult:
    """Cadres' assignments: one key enterprise and its cadre's account per row."""
    if not access.is_desk_staff(actor):
        raise PermissionDenied()
    table = _read(content, filename)
    cols = _columns(table.headers, CADRE_COLUMNS, CADRE_REQUIRED)
    result = ImportResult(rows=len(table.rows))
    codes = {_cell(cells[cols["credit_code"]]).upper() for _n, cells in table.rows}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    planned = []
    seen: set[str] = set()
    for number, cells in table.rows:
        def get(key: str) -> str:
            return _cell(cells[cols[key]]) if key in cols else ""

        code = get("credit_code").upper()
        enterprise = enterprises.get(code)
        if enterprise is None:
            result.errors.append(RowError(number, "统一社会信用代码",
                                          _("企业库中没有该统一社会信用代码")))
            continue
        if code in seen:
            result.errors.append(RowError(number, "统一社会信用代码",
                                          _("同一企业在文件中出现多次")))
            continue
        seen.add(code)
        try:
            cadre = services._cadre(get("cadre"))
        except ValidationFailed as exc:
            result.errors.append(RowError(number, "挂钩干部账号", exc.fields["cadre"][0]))
            continue
        since = None
        if get("since"):
            try:
                since = dt.date.fromisoformat(get("since")[:10].replace("/", "-"))
            except ValueError:
                result.errors.append(RowError(number, "挂钩起始日",
                                              _("日期格式应为 2026-01-01")))
                continue
        planned.append((enterprise, cadre, since, get("note")))
    if result.errors:
        return result
    with transaction.atomic():
        current = dict(CadreAssignment.objects.values_list("enterprise_id", "cadre_id"))
        for enterprise, cadre, since, note in planned:
            if current.get(enterprise.pk) == cadre.pk:
                result.skipped += 1
                continue
            services.cadre_assign(actor=actor, enterprise=enterprise, cadre=cadre, since=since,
                                  note=note, source="import:cadres")
            result.created += 1
    return result


def hotline_template_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "12345转办"
    ws.append([aliases[0] for aliases in HOTLINE_COLUMNS.values()])
    ws.append(["GD20261120001", "91350582MA0000000X", "水电气保障", "求助", "否",
               "厂区停电频繁", "园区近一个月多次停电，影响连续生产，请协调供电部门排查线路。",
               "陈埭", "2026-11-20 09:30"])
    for i, width in enumerate([16, 22, 12, 8, 8, 20, 60, 8, 18]):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
