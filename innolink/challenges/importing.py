"""Reading and checking researcher rosters (.xlsx, .csv in UTF-8 or GBK) for organizers.

Like the registry import (``innolink.enterprises.importing``, whose readers this module reuses):
the header row is found among the first five rows (by its 姓名 column, or a column the
organizer mapped to it before), every cell is checked, and the file is applied only when it has
no error at all; the errors come back row by row.

A real roster is thin (decision 0353): name, research field and expertise are enough. E-mail,
institution and discipline are optional; an institution the platform does not know yet is
registered with the import; a discipline is mapped to GB/T 13745 codes when it can be; a team
may be one person. Rows are matched to existing profiles by e-mail, or by name and institution
when the row has no e-mail, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innolink.challenges.models import Domain, ImportColumnMapping
from innolink.challenges.validation import clean_profile
from innolink.core.errors import ValidationFailed
from innolink.enterprises.importing import (
    ImportFileError,
    RowError,
    _csv_rows,
    _text,
    _xlsx_rows,
    error_report_csv,
)
from innolink.challenges.errors import (
    IMPORT_BAD_TYPE,
    IMPORT_EMPTY,
    IMPORT_MISSING_COLUMNS,
    IMPORT_NO_HEADER,
    IMPORT_TOO_LARGE,
    IMPORT_TOO_MANY_ROWS,
)

__all__ = ["ImportFileError", "RosterFileError", "RowError", "error_report_csv", "read_rows",
           "check_rows", "HEADERS"]

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "姓名或团队名称", "团队名称", "负责人", "项目负责人", "团队负责人", "name"),
    "kind": ("类型", "kind"),
    "email": ("邮箱", "电子邮箱", "email"),
    "phone": ("手机", "联系电话", "phone"),
    "title": ("职称", "title"),
    "institution": ("所属机构", "机构", "工作单位", "所在单位", "单位", "依托单位", "设站单位",
                    "institution"),
    "institution_kind": ("机构类型", "单位类型", "单位性质"),
    "region": ("所在地区", "地区", "所在地", "省份"),
    "station_kind": ("站点类型", "station_kind"),
    "station": ("博士后站点", "博士后流动站/工作站", "站点名称", "station"),
    "discipline": ("学科", "一级学科", "所学专业", "专业", "学科专业", "学科领域", "discipline"),
    "research_fields": ("研究方向", "研究领域", "专业领域", "技术领域", "研究专长", "项目名称",
                        "research_fields"),
    "keywords": ("关键词", "专长", "技术专长", "擅长领域", "技术特长", "keywords"),
    "achievements": ("代表性成果", "主要成果", "成果简介", "项目简介", "科研成果", "achievements"),
    "availability": ("可投入情况", "availability"),
    "members": ("团队成员", "成员", "members"),
    "domains": ("关注领域", "所属领域", "赛道", "domains"),
    "trl": ("技术成熟度", "TRL", "trl"),
}
#: name and field text are enough (decision 0353)
REQUIRED = ("name", "research_fields")
LABELS = {key: aliases[0] for key, aliases in HEADERS.items()}
_KIND = {"个人": "individual", "博士后个人": "individual", "博士后": "individual",
         "团队": "team", "科研团队": "team", "individual": "individual", "team": "team"}
_STATION = {"流动站": "station", "博士后科研流动站": "station", "工作站": "workstation",
            "博士后科研工作站": "workstation", "无": "none", "": "none"}
_AVAIL = {"可承接新项目": "available", "可承接": "available", "可部分投入": "partial",
          "部分": "partial", "暂不承接": "unavailable", "": "available"}
_DOMAINS = {str(d.label): d.value for d in Domain} | {d.value: d.value for d in Domain}


class RosterFileError(ImportFileError):
    """A roster that cannot be read, saying why with a msgid and its values: ``reason`` reads in
    the language active when it was raised, and ``message``/``params`` let the job that ran the
    check store it so the failure reads in each reader's language (ADR 0761)."""

    def __init__(self, message, *, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.message = message


@dataclass
class Checked:
    rows: int
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


#: How often the readers and the checker report progress, in rows.
PROGRESS_EVERY = 1000


def remembered_mapping(kind: str = ImportColumnMapping.Kind.LISTINGS) -> dict[str, str]:
    """The columns organizers named for ``kind`` before (a header -> field choice is kept once
    made), for the roster and the 榜单 import alike."""
    return dict(ImportColumnMapping.objects.filter(kind=kind).values_list("header", "field"))


def field_for_header(cell: str, remembered: dict[str, str] | None = None) -> str | None:
    """The field a header names: the organizer's remembered choice, else an alias."""
    if remembered and cell in remembered:
        return remembered[cell] if remembered[cell] in HEADERS else None
    bare = cell.split("（")[0].split("(")[0].strip()
    for key, aliases in HEADERS.items():
        if cell in aliases or bare in aliases:
            return key
    return None


def read_rows(content: bytes, filename: str, *, max_bytes: int, max_rows: int,
              on_rows: Callable[[int], None] | None = None,
              remembered: dict[str, str] | None = None
              ) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Find the header and read the data rows. ``on_rows(n)`` is called every
    ``PROGRESS_EVERY`` rows read (the total is unknown until the end of the file);
    ``remembered`` maps headers the organizer matched before to fields."""
    if len(content) > max_bytes:
        raise RosterFileError(_("文件过大：上限 %(mb)s MB"), params={"mb": max_bytes // 1048576},
                              code=IMPORT_TOO_LARGE)
    if not content.strip():
        raise RosterFileError(_("文件为空"), code=IMPORT_EMPTY)
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(content, max_rows=max_rows)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _csv_rows(content)
    else:
        raise RosterFileError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    iterator = iter(raw)
    columns: dict[str, int] | None = None
    line = 0
    for line, row in enumerate(iterator, start=1):
        cells = [_text(c) for c in row]
        if any(field_for_header(c, remembered) == "name" for c in cells):
            columns = {}
            for index, cell in enumerate(cells):
                key = field_for_header(cell, remembered)
                if key is not None and key not in columns:
                    columns[key] = index
            break
        if line >= 5:
            break
    if columns is None:
        raise RosterFileError(_("前 %(n)s 行中找不到表头：缺少“%(column)s”列"),
                              params={"n": 5, "column": LABELS["name"]}, code=IMPORT_NO_HEADER)
    missing = [LABELS[k] for k in REQUIRED if k not in columns]
    if missing:
        raise RosterFileError(_("缺少必需的列：%(columns)s"), params={"columns": "、".join(missing)},
                              code=IMPORT_MISSING_COLUMNS)
    rows = []
    for number, row in enumerate(iterator, start=line + 1):
        cells = list(row)
        if all(_text(c) == "" for c in cells):
            continue
        rows.append((number, cells))
        if on_rows is not None and len(rows) % PROGRESS_EVERY == 0:
            on_rows(len(rows))
        if len(rows) > max_rows:
            raise RosterFileError(_("行数超过上限 %(n)s 行，请拆分文件"), params={"n": max_rows},
                                  code=IMPORT_TOO_MANY_ROWS)
    if not rows:
        raise RosterFileError(_("文件只有表头，没有数据行"), code=IMPORT_EMPTY)
    return columns, rows


def check_rows(columns: dict[str, int], rows: list[tuple[int, list[Any]]],
               institutions: dict[str, int],
               on_rows: Callable[[int], None] | None = None) -> Checked:
    """Check every row; ``institutions`` maps institution names to ids (an unknown name is
    registered with the import: ``record["new_institution"]``). ``on_rows(n)`` is called every
    ``PROGRESS_EVERY`` rows checked."""
    from innolink.challenges.listing_import import issuer_kind

    out = Checked(rows=len(rows))
    seen: dict[str, int] = {}

    def cell(cells: list[Any], key: str) -> str:
        index = columns.get(key)
        return _text(cells[index]) if index is not None and index < len(cells) else ""

    for index, (number, cells) in enumerate(rows, start=1):
        if on_rows is not None and index % PROGRESS_EVERY == 0:
            on_rows(index)

        def fail(key: str, reason: str, value: str = "") -> None:
            out.errors.append(RowError(number, LABELS[key], value, reason))

        raw = {key: cell(cells, key) for key in HEADERS}
        kind = _KIND.get(raw["kind"] or "个人")
        if kind is None:
            fail("kind", gettext("应为 个人 或 团队"), raw["kind"])
        station_kind = _STATION.get(raw["station_kind"])
        if station_kind is None:
            fail("station_kind", gettext("应为 流动站、工作站 或 无"), raw["station_kind"])
        if station_kind == "none" and raw["station"]:
            station_kind = "station" if "流动站" in raw["station"] else "workstation" \
                if "工作站" in raw["station"] else "none"
        availability = _AVAIL.get(raw["availability"])
        if availability is None:
            fail("availability", gettext("应为 可承接新项目、可部分投入 或 暂不承接"),
                 raw["availability"])
        domains = []
        for part in raw["domains"].replace("；", ";").replace("、", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            code = _DOMAINS.get(part)
            if code is None:
                from innolink.challenges.validation import domain_code

                code = domain_code(part)
            if code is None:
                fail("domains", gettext("无法识别的领域（应为六大领域之一）"), part)
            elif code not in domains:
                domains.append(code)
        members = [{"name": m.strip(), "title": "", "role": ""}
                   for m in raw["members"].replace("；", ";").replace("、", ";").split(";")
                   if m.strip()]
        institution_name = raw["institution"]
        institution_id = institutions.get(institution_name)
        email = raw["email"].lower()
        key = email or f"{raw['name']}|{institution_name}"
        if key in seen:
            fail("email" if email else "name", gettext("与第 %(row)s 行重复") % {"row": seen[key]},
                 email or raw["name"])
        else:
            seen[key] = number
        data = {**raw, "email": email, "kind": kind or "individual",
                "station_kind": station_kind or "none",
                "availability": availability or "available", "domains": domains,
                "members": members}
        try:
            clean = clean_profile(data)
        except ValidationFailed as exc:
            for key_, messages in exc.fields.items():
                label_key = key_ if key_ in LABELS else "name"
                for message in messages:
                    reason = re.split("：|: ", message, maxsplit=1)[-1]  # the column says which
                    out.errors.append(RowError(number, LABELS[label_key],
                                               str(raw.get(label_key, ""))[:50], reason))
            continue
        record = {**clean, "institution_id": institution_id, "row": number}
        if institution_name and institution_id is None:
            record["new_institution"] = {
                "name": institution_name[:200],
                "kind": _INSTITUTION_KIND.get(issuer_kind(institution_name,
                                                          raw["institution_kind"]), "other"),
                "region": raw["region"]}
        out.records.append(record)
    return out


#: the outside-issuer kinds of a name -> accounts.Institution kinds
_INSTITUTION_KIND = {"university": "university", "institute": "institute",
                     "key_lab": "institute", "enterprise": "enterprise_lab",
                     "government": "other", "other": "other"}
