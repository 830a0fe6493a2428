"""Reading and checking registry import files (.xlsx, .csv in UTF-8 or GBK).

This module reads a file into rows, checks every cell and plans the upsert against what the
registry holds; it writes nothing. ``services.registry_import`` applies a clean plan in one
transaction. Conventions an office worker can rely on (also in docs/user-guide-import.md):

- The header row is found among the first five rows by its 统一社会信用代码 column; title rows
  above it are ignored. Merged cells in the header row are refused.
- One row per enterprise and year. Without a 年度 column, a row carries attributes only.
- Money columns take a unit in the header, 营业收入(万元) or 营业收入(元); the default is 元.
  Amounts are kept in yuan, rounded half-up to the fen.
- An empty cell never erases what the registry has; a column that is absent is left alone.
- A 标签 cell lists the qualifications held, separated by ; or 、 (a type's name or code, a level's
  name, or a short word such as 高企, 规上, 小巨人). It replaces what earlier registry imports
  recorded; certifications recorded in detail (the qualification import, an officer) are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from innolink.core.errors import ApplicationError
from innolink.core.messages import Message, stored_reason
from innolink.enterprises import reference
from innolink.enterprises.models import Ownership, SizeClass, Tag
from innolink.enterprises.errors import (
    IMPORT_BAD_ENCODING,
    IMPORT_BAD_TYPE,
    IMPORT_EMPTY,
    IMPORT_MERGED_HEADER,
    IMPORT_NO_HEADER,
    IMPORT_TOO_LARGE,
    IMPORT_TOO_MANY_ROWS,
)

MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
RATIO_UNITS = {"%": Decimal("0.01"), "‰": Decimal("0.001")}
FEN = Decimal("0.01")
#: no yearly figure reaches a thousand trillion (yuan or count): larger is a typing error
VALUE_LIMIT = Decimal(10) ** 15

# Attribute columns: field -> header aliases (first is the canonical header in the template).
ATTRIBUTE_HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "name": ("企业名称", "名称", "name"),
    "town": ("所属镇街", "镇街", "town"),
    "industry_code": ("行业代码", "国民经济行业代码", "industry_code"),
    "ownership": ("所有制", "企业性质", "ownership"),
    "founded_on": ("成立日期", "founded_on"),
    "size_class": ("企业规模", "规模", "size_class"),
    "legal_representative": ("法定代表人", "legal_representative"),
    "address": ("地址", "注册地址", "address"),
    "products": ("主要产品", "products"),
    "tags": ("标签", "资质标签", "tags"),
    "high_tech_certified_on": ("高企认定日期", "high_tech_certified_on"),
    "high_tech_first": ("高企首次认定", "high_tech_first"),
    "year": ("年度", "year"),
}
REQUIRED = ("credit_code", "name", "town", "industry_code", "ownership")
LABELS = {key: aliases[0] for key, aliases in ATTRIBUTE_HEADERS.items()}

_OWNERSHIP_WORDS = {
    "民营": Ownership.PRIVATE, "私营": Ownership.PRIVATE, "民营企业": Ownership.PRIVATE,
    "国有": Ownership.STATE, "国企": Ownership.STATE, "集体": Ownership.COLLECTIVE,
    "外资": Ownership.FOREIGN, "外商投资": Ownership.FOREIGN, "港澳台资": Ownership.HMT,
    "港澳台": Ownership.HMT, "混合所有制": Ownership.MIXED, "混合": Ownership.MIXED,
}
_SIZE_WORDS = {"大型": SizeClass.LARGE, "中型": SizeClass.MEDIUM, "小型": SizeClass.SMALL,
               "微型": SizeClass.MICRO}
_TAG_WORDS = {str(label): value for value, label in Tag.choices} | {
    "高企": Tag.HIGH_TECH, "科小": Tag.TECH_SME, "规上": Tag.ABOVE_SCALE,
    "专精特新": Tag.SPECIALIZED_PROVINCIAL, "小巨人": Tag.SPECIALIZED_NATIONAL,
    "上市": Tag.LISTED, "失信": Tag.DISHONEST,
}
#: former tag codes -> (qualification type, level)
LEGACY_TAG_LEVELS = {"specialized_provincial": ("specialized", "provincial"),
                     "specialized_national": ("specialized", "national")}


def tag_key(code: str, level: str | None) -> str:
    """The key of a qualification in a 标签 cell: the type code, with ``:level`` for a level."""
    return f"{code}:{level}" if level else code


def split_tag_key(key: str) -> tuple[str, str]:
    code, _sep, level = key.partition(":")
    return code, level


def qualification_words(types: Iterable[tuple[str, str, list[dict[str, str]]]]) -> dict[str, str]:
    """Words a 标签 cell may use -> tag key, from (code, name, levels) of the qualification types,
    plus the short words offices use (高企, 规上, 小巨人 ...)."""
    words: dict[str, str] = {}
    for code, name, levels in types:
        if levels:
            for level in levels:
                words[level["name"]] = tag_key(code, level["code"])
                words[f"{code}:{level['code']}"] = tag_key(code, level["code"])
        else:
            words[name] = code
            words[code] = code
    for word, legacy in _TAG_WORDS.items():
        code, level = LEGACY_TAG_LEVELS.get(str(legacy), (str(legacy), None))
        words.setdefault(word, tag_key(code, level))
    for legacy, (code, level) in LEGACY_TAG_LEVELS.items():
        words.setdefault(legacy, tag_key(code, level))
    return words


_YES = {"是", "y", "yes", "true", "1", "首次"}
_NO = {"否", "n", "no", "false", "0", "重新认定", "复审"}
_EMPTY = {"", "-", "—", "－", "/", "无数据"}
_UNIT_RE = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]+?)\s*[)）]\s*$")


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it is checked further.

    ``reason`` is the message in the active language. Raise it with a msgid and its values
    (``ImportFileError(_("…%(n)s"), params={"n": 3}, code=...)``): ``as_application_error``
    keeps both, so a refusal raised in a background job reads in the reader's language
    (ADR 0761)."""

    def __init__(self, reason: Any, *, code: str, params: dict[str, Any] | None = None) -> None:
        self.source = reason
        self.params = dict(params or {})
        self.reason = str(reason) % self.params if self.params else str(reason)
        super().__init__(self.reason)
        self.code = code

    def as_application_error(self) -> ApplicationError:
        return ApplicationError(self.source, code=self.code, params=self.params or None)


@dataclass(frozen=True)
class RowError:
    """One problem of an import file. ``reason`` is a msgid, or a ``core.messages.Message``
    (Chinese text with its msgid and values): the stored dict keeps the Chinese text as
    ``reason`` and, for a message with values, ``msgid`` and ``params``, so ``row_reason``
    shows it in the reader's language later (ADR 0785)."""

    row: int  # the row number an office worker sees in the spreadsheet (1-based)
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        out = {"row": self.row, "column": self.column, "value": self.value,
               "reason": str(self.reason)}
        params = getattr(self.reason, "params", None)
        if params:
            out["msgid"] = self.reason.msgid
            out["params"] = {k: v if isinstance(v, int) else str(v) for k, v in params.items()}
        return out


def row_reason(error: RowError | dict[str, Any]) -> str:
    """A row problem's reason in the active language (a stored dict or a ``RowError``)."""
    return stored_reason(error.as_dict() if isinstance(error, RowError) else error)


@dataclass(frozen=True)
class IndicatorColumn:
    code: str
    kind: str  # money | count | quantity | ratio | bool | date | level
    allow_negative: bool
    name: str
    levels: tuple[str, ...] = ()  # level names, low to high (kind "level")


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    header_line: int = 1


@dataclass
class Record:
    """One checked row: attributes present in the file, tags (or None), year values."""

    row: int
    credit_code: str
    attrs: dict[str, Any]
    tags: dict[str, dict[str, Any]] | None
    year: int | None
    values: dict[str, str]


@dataclass
class ImportCheck:
    columns: dict[str, str]  # field -> header as written in the file
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading -------------------------------------------------------------------------------

def read_table(content: bytes, filename: str, *, max_bytes: int, max_rows: int) -> Table:
    if len(content) > max_bytes:
        raise ImportFileError(
            _("文件过大：%(size)s MB，上限 %(limit)s MB"), code=IMPORT_TOO_LARGE,
            params={"size": f"{len(content) / 1048576:.1f}",
                    "limit": f"{max_bytes / 1048576:.0f}"})
    if not content.strip():
        raise ImportFileError(_("文件为空"), code=IMPORT_EMPTY)
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(content, max_rows=max_rows)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw_rows = _csv_rows(content)
    else:
        raise ImportFileError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    table = _header_and_rows(raw_rows, max_rows=max_rows)
    if name.endswith(".xlsx"):
        _refuse_merged_header(content, table)
    return table


def check_upload(content: bytes, filename: str) -> None:
    """What can be told of an upload at once, before it is stored and a job started: an empty
    file, and an .xlsx whose archive unpacks too far (nothing is decompressed)."""
    from django.conf import settings

    from innolink.core.spreadsheets import SpreadsheetRefused, check_xlsx_archive

    if not content.strip():
        raise ImportFileError(_("文件为空：请选择填写了数据的文件"), code=IMPORT_EMPTY)
    if filename.lower().endswith(".xlsx"):
        try:
            check_xlsx_archive(content,
                               max_unpacked=settings.INNOLINK["IMPORT_MAX_UNPACKED_BYTES"])
        except SpreadsheetRefused as exc:
            raise ImportFileError(exc.reason, code=exc.code) from exc


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")  # a superset of GBK, as Excel on Chinese Windows saves
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"),
                              code=IMPORT_BAD_ENCODING) from exc


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    text = _decode(content)
    sample = text[:4096]
    delimiter = ","
    if sample.count("\t") > sample.count(","):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(content: bytes, *, max_rows: int) -> Iterator[list[Any]]:
    """The first sheet's rows; a zip bomb, a file over the unpacked size or with more rows than
    ``max_rows`` is refused before parsing, and a stale ``<dimension>`` is ignored
    (``core.spreadsheets.read_xlsx_rows``)."""
    from django.conf import settings

    from innolink.core.spreadsheets import SpreadsheetRefused, read_xlsx_rows

    try:
        return read_xlsx_rows(content, max_rows=max_rows,
                              max_unpacked=settings.INNOLINK["IMPORT_MAX_UNPACKED_BYTES"])
    except SpreadsheetRefused as exc:
        raise ImportFileError(exc.reason, code=exc.code) from exc


def _header_and_rows(raw_rows: Iterable[list[Any]], *, max_rows: int) -> Table:
    aliases = {alias for alias in ATTRIBUTE_HEADERS["credit_code"]}
    iterator = iter(raw_rows)
    headers: list[str] | None = None
    header_line = 0
    for number, row in enumerate(iterator, start=1):
        cells = [_text(c) for c in row]
        if any(c in aliases for c in cells):
            headers, header_line = cells, number
            break
        if number >= 5:
            break
    if headers is None:
        raise ImportFileError(_("前 5 行中找不到表头：缺少“统一社会信用代码”列"),
                              code=IMPORT_NO_HEADER)
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(iterator, start=header_line + 1):
        cells = list(row[:width]) + [None] * (width - len(row))
        if all(_text(c) == "" for c in cells):
            continue
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise ImportFileError(_("行数超过上限 %(max)s 行，请拆分文件"),
                                  code=IMPORT_TOO_MANY_ROWS, params={"max": max_rows})
    if not rows:
        raise ImportFileError(_("文件只有表头，没有数据行"), code=IMPORT_EMPTY)
    return Table(headers=headers, rows=rows, header_line=header_line)


def _refuse_merged_header(content: bytes, table: Table) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    path = workbook.worksheets[0]._worksheet_path
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read(path).decode("utf-8", "replace")
    line = table.header_line
    for ref in re.findall(r'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', xml):
        first, last = int(ref[1]), int(ref[3])
        if first <= line <= last:
            raise ImportFileError(
                _("表头含合并单元格（%(cells)s）：请取消合并，每列一个表头"),
                code=IMPORT_MERGED_HEADER, params={"cells": f"{ref[0]}{ref[1]}:{ref[2]}{ref[3]}"})


# --- checking ------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def map_columns(headers: list[str], indicators: dict[str, IndicatorColumn]
                ) -> tuple[dict[str, int], dict[int, tuple[IndicatorColumn, Decimal]],
                           list[RowError]]:
    """Which column holds which field; unknown and duplicate headers are errors."""
    by_alias = {alias: key for key, aliases in ATTRIBUTE_HEADERS.items() for alias in aliases}
    by_indicator = {}
    for column in indicators.values():
        by_indicator[column.name] = column
        by_indicator[column.code] = column
    attrs: dict[str, int] = {}
    values: dict[int, tuple[IndicatorColumn, Decimal]] = {}
    seen: set[str] = set()
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        if not header:
            errors.append(RowError(1, f"#{index + 1}", "", N_("表头为空")))
            continue
        if header in by_alias:
            key = by_alias[header]
            if key in seen:
                errors.append(RowError(1, header, header, N_("重复的列")))
            seen.add(key)
            attrs[key] = index
            continue
        base, unit = header, None
        match = _UNIT_RE.match(header)
        if match:
            base, unit = match.group(1), match.group(2)
        column = by_indicator.get(base)
        if column is None:
            errors.append(RowError(1, header, header, N_("无法识别的列")))
            continue
        if column.code in seen:
            errors.append(RowError(1, header, header, N_("重复的列")))
        seen.add(column.code)
        factor = Decimal(1)
        if column.kind == "money":
            if unit is not None and unit not in MONEY_UNITS:
                errors.append(RowError(1, header, unit, N_("金额单位应为 元、万元 或 亿元")))
                continue
            factor = MONEY_UNITS[unit or "元"]
        elif column.kind == "ratio":
            if unit is not None and unit not in RATIO_UNITS:
                errors.append(RowError(1, header, unit, N_("比例单位应为 % 或 ‰")))
                continue
            factor = RATIO_UNITS[unit] if unit else Decimal(1)
        values[index] = (column, factor)
    for key in REQUIRED:
        if key not in attrs:
            errors.append(RowError(1, LABELS[key], "", N_("缺少必填列")))
    return attrs, values, errors


def _typed_value(column: IndicatorColumn, raw: Any, text: str) -> tuple[str, str]:
    """(stored text, problem) for a yes/no, date or level indicator."""
    if column.kind == "bool":
        flag = text.lower()
        if flag in _YES:
            return "true", ""
        if flag in _NO:
            return "false", ""
        return "", N_("应为 是 或 否")
    if column.kind == "date":
        try:
            return _parse_date(raw).isoformat(), ""
        except ValueError:
            return "", N_("日期格式应为 2024-12-01")
    if text not in column.levels:
        return "", Message(N_("应为以下等级之一：%(levels)s"), levels="、".join(column.levels))
    return text, ""


def _parse_decimal(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    number = Decimal(cleaned)
    if not number.is_finite():
        raise InvalidOperation
    return number


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    text = re.sub(r"年|月", "-", text).replace("日", "")
    return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))


def check_rows(table: Table, indicators: dict[str, IndicatorColumn], *,
               max_year: int, qualifications: dict[str, str] | None = None) -> ImportCheck:
    attrs, value_columns, errors = map_columns(table.headers, indicators)
    check = ImportCheck(columns={k: table.headers[i] for k, i in attrs.items()}, errors=errors)
    if errors:
        return check
    seen_keys: dict[tuple[str, int | None], int] = {}
    attrs_by_code: dict[str, tuple[int, dict[str, Any]]] = {}
    add_error = check.errors.append
    has_year = "year" in attrs
    for line, cells in table.rows:
        row_errors_before = len(check.errors)

        def cell(key: str) -> str:
            return _text(cells[attrs[key]])

        def fail(key: str, reason: str, raw: Any = None) -> None:
            shown = _text(raw) if raw is not None else cell(key)
            add_error(RowError(line, check.columns.get(key, LABELS.get(key, key)), shown, reason))

        code = cell("credit_code").upper()
        row_attrs: dict[str, Any] = {}
        if not code:
            fail("credit_code", N_("必填"))
        else:
            problem = reference.credit_code_error(code)
            if problem:
                fail("credit_code", problem)
        name = cell("name")
        if not name:
            fail("name", N_("必填"))
        elif len(name) > 200:
            fail("name", N_("超过 200 字"))
        row_attrs["name"] = name
        town = cell("town").removesuffix("街道").removesuffix("镇")
        if town not in reference.TOWN_NAMES:
            fail("town", N_("不是晋江市的镇或街道（如 青阳街道、安海镇）"))
        row_attrs["town"] = town
        try:
            row_attrs["industry_code"] = reference.normalize_industry_code(cell("industry_code"))
        except ValueError as exc:
            fail("industry_code", exc.args[0])
        ownership = cell("ownership")
        ownership_value = _OWNERSHIP_WORDS.get(ownership) or (
            ownership if ownership in Ownership.values else None)
        if ownership_value is None:
            fail("ownership", N_("应为 民营、国有、集体、外资、港澳台资 或 混合所有制"))
        row_attrs["ownership"] = ownership_value
        for key in ("legal_representative", "address", "products"):
            if key in attrs and cell(key):
                limit = 64 if key == "legal_representative" else 200 if key == "address" else 300
                if len(cell(key)) > limit:
                    fail(key, Message(N_("超过 %(n)s 字"), n=limit))
                row_attrs[key] = cell(key)
        if "size_class" in attrs and cell("size_class"):
            size = _SIZE_WORDS.get(cell("size_class")) or (
                cell("size_class") if cell("size_class") in SizeClass.values else None)
            if size is None:
                fail("size_class", N_("应为 大型、中型、小型 或 微型"))
            row_attrs["size_class"] = size
        if "founded_on" in attrs and cell("founded_on"):
            try:
                founded = _parse_date(cells[attrs["founded_on"]])
                if founded > dt.date.today():
                    fail("founded_on", N_("成立日期晚于今天"))
                row_attrs["founded_on"] = founded
            except ValueError:
                fail("founded_on", N_("日期格式应为 2019-05-20"))
        tags = _check_tags(cells, attrs, fail, qualifications) if "tags" in attrs else None
        year = None
        if has_year:
            try:
                year = int(_parse_decimal(cell("year")))
                if not 1990 <= year <= max_year:
                    fail("year", Message(N_("年度应在 1990 到 %(max)s 之间"), max=max_year))
            except (InvalidOperation, ValueError):
                fail("year", N_("年度应为四位数字，如 2025"))
        values: dict[str, str] = {}
        for index, (column, factor) in value_columns.items():
            raw = cells[index]
            text = _text(raw)
            if text in _EMPTY:
                continue
            header = table.headers[index]
            if not has_year:
                add_error(RowError(line, header, text, N_("填写指标值时必须有“年度”列")))
                continue
            if column.kind in ("bool", "date", "level"):
                value, problem = _typed_value(column, raw, text)
                if problem:
                    add_error(RowError(line, header, text, problem))
                else:
                    values[column.code] = value
                continue
            try:
                if column.kind == "ratio" and text.endswith(("%", "‰")):
                    number = _parse_decimal(text[:-1]) * RATIO_UNITS[text[-1]]
                else:
                    number = _parse_decimal(text) * factor
            except (InvalidOperation, ValueError):
                add_error(RowError(line, header, text, N_("应为数字")))
                continue
            if abs(number) >= VALUE_LIMIT:  # before quantize, which raises past 28 digits
                add_error(RowError(line, header, text, N_("数值过大")))
                continue
            if number < 0 and not column.allow_negative:
                add_error(RowError(line, header, text, N_("不能为负数")))
                continue
            if column.kind == "count":
                if number != number.to_integral_value():
                    add_error(RowError(line, header, text, N_("应为整数")))
                    continue
                values[column.code] = str(int(number))
            elif column.kind == "money":
                values[column.code] = str(number.quantize(FEN, rounding=ROUND_HALF_UP))
            else:
                values[column.code] = str(number.normalize() if number else Decimal(0))
        if len(check.errors) > row_errors_before or not code:
            continue
        key = (code, year)
        if key in seen_keys:
            add_error(RowError(line, check.columns["credit_code"], code, Message(
                N_("与第 %(row)s 行重复（同一 %(year)s 年度出现两次）"), row=seen_keys[key],
                year=year) if year is not None else Message(
                N_("与第 %(row)s 行重复（同一企业出现两次）"), row=seen_keys[key])))
            continue
        seen_keys[key] = line
        comparable = {**row_attrs, "tags": tags}
        if code in attrs_by_code and attrs_by_code[code][1] != comparable:
            add_error(RowError(line, check.columns["credit_code"], code,
                               Message(N_("与第 %(row)s 行的企业信息不一致"),
                                       row=attrs_by_code[code][0])))
            continue
        attrs_by_code.setdefault(code, (line, comparable))
        check.records.append(Record(row=line, credit_code=code, attrs=row_attrs, tags=tags,
                                    year=year, values=values))
    return check


def _check_tags(cells, attrs, fail, words: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    words = words if words is not None else qualification_words(())
    text = _text(cells[attrs["tags"]])
    tags: dict[str, dict[str, Any]] = {}
    for word in filter(None, (w.strip() for w in re.split(r"[;；、,，]", text))):
        key = words.get(word)
        if key is None:
            fail("tags", Message(N_("无法识别的资质“%(word)s”"), word=word), raw=text)
            continue
        tags[key] = {}
    high_tech = "high_tech"
    if "high_tech_certified_on" in attrs and _text(cells[attrs["high_tech_certified_on"]]):
        try:
            certified = _parse_date(cells[attrs["high_tech_certified_on"]])
            if high_tech not in tags:
                fail("high_tech_certified_on", N_("填写了高企认定日期，但标签中没有“高新技术企业”"))
            else:
                tags[high_tech]["certified_on"] = certified
        except ValueError:
            fail("high_tech_certified_on", N_("日期格式应为 2024-12-01"))
    if "high_tech_first" in attrs and _text(cells[attrs["high_tech_first"]]):
        flag = _text(cells[attrs["high_tech_first"]]).lower()
        if flag not in _YES | _NO:
            fail("high_tech_first", N_("应为 是（首次认定）或 否（重新认定）"))
        elif high_tech in tags:
            tags[high_tech]["first_certified"] = flag in _YES
    return tags


def error_report_csv(errors: Iterable[RowError | dict[str, Any]]) -> bytes:
    """The error report as a CSV that Excel opens correctly (UTF-8 with a byte-order mark); a
    value copied from the file is never a live formula (``core.spreadsheets``)."""
    from innolink.core.spreadsheets import csv_bytes

    from django.utils.translation import gettext

    items = (e.as_dict() if isinstance(e, RowError) else e for e in errors)
    return csv_bytes([gettext("行号"), gettext("列"), gettext("值"), gettext("问题")],
                     ([i["row"], i["column"], i["value"], row_reason(i)] for i in items))


# --- qualification and item files ------------------------------------------------------------

QUALIFICATION_HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "type": ("资质类型", "资质", "type"),
    "level": ("等级", "级别", "level"),
    "certified_on": ("认定日期", "certified_on"),
    "expires_on": ("有效期至", "到期日期", "expires_on"),
    "first": ("首次认定", "首次或重新", "first"),
    "reference": ("证书编号", "文号", "证书编号或文号", "reference"),
}
ITEM_HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "kind": ("事项类别", "类别", "kind"),
    "year": ("年度", "year"),
    "key": ("编号", "事项编号", "key"),
    "label": ("名称", "事项名称", "label"),
}


@dataclass
class QualificationRow:
    row: int
    credit_code: str
    type: str
    level: str
    certified_on: dt.date | None
    expires_on: dt.date | None
    first: bool | None
    reference: str


@dataclass
class ItemRow:
    row: int
    credit_code: str
    kind: str
    year: int
    key: str
    label: str
    facts: dict[str, str]


def _columns(headers: list[str], known: dict[str, tuple[str, ...]], extra: Iterable[str] = ()
             ) -> tuple[dict[str, int], dict[str, int], list[RowError]]:
    by_alias = {alias: key for key, aliases in known.items() for alias in aliases}
    extra = set(extra)
    columns: dict[str, int] = {}
    others: dict[str, int] = {}
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        key = by_alias.get(header)
        target = columns if key is not None else others
        name = key if key is not None else header
        if name in target:
            errors.append(RowError(1, header, header, N_("重复的列")))
            continue
        if key is None and header not in extra:
            errors.append(RowError(1, header, header, N_("无法识别的列")))
            continue
        target[name] = index
    return columns, others, errors


def check_qualification_rows(table: Table, types: dict[str, tuple[str, list[dict[str, str]]]]
                             ) -> tuple[list[QualificationRow], list[RowError]]:
    """Check a qualification file (one certification per row). ``types`` maps a type code to
    (name, levels). A type is named by name or code, a level by name or code."""
    columns, _others, errors = _columns(table.headers, QUALIFICATION_HEADERS)
    for key in ("credit_code", "type"):
        if key not in columns:
            errors.append(RowError(1, QUALIFICATION_HEADERS[key][0], "", N_("缺少必填列")))
    if errors:
        return [], errors
    by_word = {}
    for code, (name, _levels) in types.items():
        by_word[code] = code
        by_word[name] = code
    out: list[QualificationRow] = []
    seen: dict[tuple, int] = {}
    for line, cells in table.rows:
        def text(key: str) -> str:
            return _text(cells[columns[key]]) if key in columns else ""

        def fail(key: str, reason: str) -> None:
            header = table.headers[columns[key]] if key in columns else QUALIFICATION_HEADERS[key][0]
            errors.append(RowError(line, header, text(key), reason))

        before = len(errors)
        code = text("credit_code").upper()
        problem = reference.credit_code_error(code)
        if problem:
            fail("credit_code", problem)
        type_word = text("type")
        qtype = by_word.get(type_word)
        level = ""
        if qtype is None:
            fail("type", N_("未定义的资质类型（请先在资质类型中定义）"))
        else:
            name, levels = types[qtype]
            level_word = text("level")
            if levels:
                match = [lv["code"] for lv in levels if level_word in (lv["code"], lv["name"])]
                if not match:
                    fail("level", Message(N_("%(type)s的等级应为：%(levels)s"), type=name,
                                         levels="、".join(lv["name"] for lv in levels)))
                else:
                    level = match[0]
            elif level_word and level_word not in _EMPTY:
                fail("level", Message(N_("%(type)s不分等级，请留空"), type=name))
        dates: dict[str, dt.date | None] = {}
        for key in ("certified_on", "expires_on"):
            raw = text(key)
            dates[key] = None
            if raw and raw not in _EMPTY:
                try:
                    dates[key] = _parse_date(cells[columns[key]])
                except ValueError:
                    fail(key, N_("日期格式应为 2024-12-01"))
        if dates["certified_on"] and dates["expires_on"] and dates["expires_on"] < dates["certified_on"]:
            fail("expires_on", N_("有效期至早于认定日期"))
        flag = text("first").lower()
        first: bool | None = None
        if flag and flag not in _EMPTY:
            if flag in _YES:
                first = True
            elif flag in _NO:
                first = False
            else:
                fail("first", N_("应为 是（首次认定）或 否（重新认定）"))
        ref = text("reference")
        if len(ref) > 64:
            fail("reference", N_("证书编号或文号不超过64个字"))
        if len(errors) > before:
            continue
        key = (code, qtype, level, dates["certified_on"])
        if key in seen:
            errors.append(RowError(line, table.headers[columns["credit_code"]], code,
                                   Message(N_("与第 %(row)s 行重复（同一资质、等级和认定日期）"),
                                           row=seen[key])))
            continue
        seen[key] = line
        out.append(QualificationRow(line, code, qtype or "", level, dates["certified_on"], dates["expires_on"],
                                    first, "" if ref in _EMPTY else ref))
    return out, errors


def check_item_rows(table: Table, kinds: dict[str, tuple[str, dict[str, dict[str, Any]]]], *, max_year: int
                    ) -> tuple[list[ItemRow], list[RowError]]:
    """Check an item file (one item per row: enterprise, kind, year, key, name, then a column per
    fact, headed by the fact's name or code, money with an optional unit such as 金额(万元))."""
    fact_headers = {}
    for kind_code, (_name, facts) in kinds.items():
        for fact, spec in facts.items():
            for alias in (fact, spec.get("name", fact)):
                fact_headers.setdefault(alias, fact)
    headers = []
    units: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        match = _UNIT_RE.match(header or "")
        if match and match.group(1) in fact_headers:
            headers.append(match.group(1))
            units[index] = match.group(2)
        else:
            headers.append(header)
    columns, others, errors = _columns(headers, ITEM_HEADERS, fact_headers)
    for key in ("credit_code", "kind", "year", "key"):
        if key not in columns:
            errors.append(RowError(1, ITEM_HEADERS[key][0], "", N_("缺少必填列")))
    if errors:
        return [], errors
    by_word = {}
    for code, (name, _facts) in kinds.items():
        by_word[code] = code
        by_word[name] = code
    out: list[ItemRow] = []
    seen: dict[tuple, int] = {}
    for line, cells in table.rows:
        def text(index: int) -> str:
            return _text(cells[index])

        def fail(index: int, reason: str) -> None:
            errors.append(RowError(line, table.headers[index], text(index), reason))

        before = len(errors)
        code = text(columns["credit_code"]).upper()
        problem = reference.credit_code_error(code)
        if problem:
            fail(columns["credit_code"], problem)
        kind = by_word.get(text(columns["kind"]))
        if kind is None:
            fail(columns["kind"], N_("未定义的事项类别"))
        year_text = text(columns["year"])
        year = 0
        if not re.fullmatch(r"\d{4}", year_text) or not 1990 <= int(year_text) <= max_year:
            fail(columns["year"], Message(N_("年度应为 1990 至 %(max)s 的四位年份"), max=max_year))
        else:
            year = int(year_text)
        key = text(columns["key"])
        if not key or len(key) > 64:
            fail(columns["key"], N_("编号必填，不超过64个字"))
        label = text(columns["label"]) if "label" in columns else ""
        facts: dict[str, str] = {}
        if kind is not None:
            specs = kinds[kind][1]
            for header, index in others.items():
                fact = fact_headers[header]
                raw = text(index)
                if raw in _EMPTY:
                    continue
                spec = specs.get(fact)
                if spec is None:
                    fail(index, Message(N_("%(kind)s没有这项数据"), kind=kinds[kind][0]))
                    continue
                value, problem = _fact_value(spec, cells[index], raw, units.get(index))
                if problem:
                    fail(index, problem)
                else:
                    facts[fact] = value
        if len(errors) > before:
            continue
        pair = (code, kind, key)
        if pair in seen:
            errors.append(RowError(line, table.headers[columns["key"]], key,
                                   Message(N_("与第 %(row)s 行编号重复"), row=seen[pair])))
            continue
        seen[pair] = line
        out.append(ItemRow(line, code, kind or "", year, key, label[:200], facts))
    return out, errors


def _fact_value(spec: dict[str, Any], raw: Any, text: str, unit: str | None) -> tuple[str, str]:
    kind = spec.get("kind")
    if kind in ("bool", "date", "level"):
        column = IndicatorColumn("", kind, False, "", tuple(spec.get("levels") or spec.get("choices") or ()))
        return _typed_value(column, raw, text)
    if kind == "category":
        choices = spec.get("choices") or []
        if text in choices:
            return text, ""
        return "", Message(N_("应为以下之一：%(choices)s"), choices="、".join(choices))
    if kind == "text":
        return text[:200], ""
    try:
        number = _parse_decimal(text.rstrip("%‰") if kind == "ratio" else text)
    except (InvalidOperation, ValueError):
        return "", N_("应为数字")
    if number < 0:
        return "", N_("不能为负数")
    if kind == "money":
        if unit is not None and unit not in MONEY_UNITS:
            return "", N_("金额单位应为 元、万元 或 亿元")
        return str((number * MONEY_UNITS[unit or "元"]).quantize(FEN, rounding=ROUND_HALF_UP)), ""
    if kind == "count":
        if number != number.to_integral_value():
            return "", N_("应为整数")
        return str(int(number)), ""
    if kind == "ratio":
        scale = RATIO_UNITS.get(text[-1]) if text.endswith(("%", "‰")) else RATIO_UNITS.get(unit or "", Decimal(1))
        return str((number * scale).normalize()), ""
    return str(number.normalize() if number else Decimal(0)), ""
