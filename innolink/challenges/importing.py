"""Reading and checking researcher import files (.xlsx, .csv in UTF-8 or GBK) for organizers.

Like the registry import (``innolink.enterprises.importing``, whose readers this module reuses):
the header row is found among the first five rows (by its 姓名 column), every cell is checked,
and the file is applied only when it has no error at all; the errors come back row by row.
Rows are matched to existing profiles by e-mail, so importing the same file twice changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from innolink.challenges.models import Domain, ResearcherProfile
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

__all__ = ["ImportFileError", "RowError", "error_report_csv", "read_rows", "check_rows",
           "HEADERS"]

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "姓名或团队名称", "团队名称", "name"),
    "kind": ("类型", "kind"),
    "email": ("邮箱", "电子邮箱", "email"),
    "phone": ("手机", "联系电话", "phone"),
    "title": ("职称", "title"),
    "institution": ("所属机构", "机构", "institution"),
    "station_kind": ("站点类型", "station_kind"),
    "station": ("博士后站点", "博士后流动站/工作站", "station"),
    "discipline": ("学科", "discipline"),
    "research_fields": ("研究方向", "research_fields"),
    "keywords": ("关键词", "keywords"),
    "achievements": ("代表性成果", "achievements"),
    "availability": ("可投入情况", "availability"),
    "members": ("团队成员", "members"),
    "domains": ("关注领域", "domains"),
}
REQUIRED = ("name", "email", "institution", "discipline", "research_fields")
LABELS = {key: aliases[0] for key, aliases in HEADERS.items()}
_KIND = {"个人": "individual", "博士后个人": "individual", "博士后": "individual",
         "团队": "team", "科研团队": "team", "individual": "individual", "team": "team"}
_STATION = {"流动站": "station", "博士后科研流动站": "station", "工作站": "workstation",
            "博士后科研工作站": "workstation", "无": "none", "": "station"}
_AVAIL = {"可承接新项目": "available", "可承接": "available", "可部分投入": "partial",
          "部分": "partial", "暂不承接": "unavailable", "": "available"}
_DOMAINS = {str(d.label): d.value for d in Domain} | {d.value: d.value for d in Domain}


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


def read_rows(content: bytes, filename: str, *, max_bytes: int, max_rows: int,
              on_rows: Callable[[int], None] | None = None
              ) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Find the header and read the data rows. ``on_rows(n)`` is called every
    ``PROGRESS_EVERY`` rows read (the total is unknown until the end of the file)."""
    if len(content) > max_bytes:
        raise ImportFileError(f"文件过大：上限 {max_bytes // 1048576} MB", code="import_too_large")
    if not content.strip():
        raise ImportFileError("文件为空", code="import_empty")
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(content, max_rows=max_rows)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _csv_rows(content)
    else:
        raise ImportFileError("只支持 .xlsx 和 .csv 文件", code="import_bad_type")
    iterator = iter(raw)
    columns: dict[str, int] | None = None
    line = 0
    for line, row in enumerate(iterator, start=1):
        cells = [_text(c) for c in row]
        if any(c in HEADERS["name"] for c in cells):
            columns = {}
            for index, cell in enumerate(cells):
                for key, aliases in HEADERS.items():
                    if cell in aliases and key not in columns:
                        columns[key] = index
            break
        if line >= 5:
            break
    if columns is None:
        raise ImportFileError("前 5 行中找不到表头：缺少“姓名”列", code="import_no_header")
    missing = [LABELS[k] for k in REQUIRED if k not in columns]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}", code="import_missing_columns")
    rows = []
    for number, row in enumerate(iterator, start=line + 1):
        cells = list(row)
        if all(_text(c) == "" for c in cells):
            continue
        rows.append((number, cells))
        if on_rows is not None and len(rows) % PROGRESS_EVERY == 0:
            on_rows(len(rows))
        if len(rows) > max_rows:
            raise ImportFileError(f"行数超过上限 {max_rows} 行，请拆分文件",
                                  code="import_too_many_rows")
    if not rows:
        raise ImportFileError("文件只有表头，没有数据行", code="import_empty")
    return columns, rows


def check_rows(columns: dict[str, int], rows: list[tuple[int, list[Any]]],
               institutions: dict[str, int],
               on_rows: Callable[[int], None] | None = None) -> Checked:
    """Check every row; ``institutions`` maps institution names to ids. ``on_rows(n)`` is called
    every ``PROGRESS_EVERY`` rows checked."""
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
            fail("kind", "应为 个人 或 团队", raw["kind"])
        station_kind = _STATION.get(raw["station_kind"])
        if station_kind is None:
            fail("station_kind", "应为 流动站、工作站 或 无", raw["station_kind"])
        availability = _AVAIL.get(raw["availability"])
        if availability is None:
            fail("availability", "应为 可承接新项目、可部分投入 或 暂不承接", raw["availability"])
        domains = []
        for part in raw["domains"].replace("；", ";").replace("、", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            if part not in _DOMAINS:
                fail("domains", "无法识别的领域（应为六大领域之一）", part)
            else:
                domains.append(_DOMAINS[part])
        members = [{"name": m.strip(), "title": "", "role": ""}
                   for m in raw["members"].replace("；", ";").replace("、", ";").split(";")
                   if m.strip()]
        institution_id = institutions.get(raw["institution"])
        if raw["institution"] and institution_id is None:
            fail("institution", "机构不在平台机构库中，请先登记机构或核对名称", raw["institution"])
        email = raw["email"].lower()
        if not email:
            fail("email", "必填（用于识别同一科研人员）")
        elif email in seen:
            fail("email", f"与第 {seen[email]} 行重复", email)
        else:
            seen[email] = number
        data = {**raw, "email": email, "kind": kind or "individual",
                "station_kind": station_kind or "station",
                "availability": availability or "available", "domains": domains,
                "members": members}
        try:
            clean = clean_profile(data)
        except ValidationFailed as exc:
            for key, messages in exc.fields.items():
                label_key = key if key in LABELS else "name"
                for message in messages:
                    reason = message.split("：", 1)[-1]
                    out.errors.append(RowError(number, LABELS[label_key],
                                               str(raw.get(label_key, ""))[:50], reason))
            continue
        if institution_id is not None:
            out.records.append({**clean, "institution_id": institution_id, "row": number})
    return out
