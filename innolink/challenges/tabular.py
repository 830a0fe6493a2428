"""Reading spreadsheets the way real lists are made (decision 0355).

A published 榜单 or a roster is rarely a clean table: a title row above the header ("第三届…
揭榜领题赛需求榜单"), a header in two rows with merged group cells ("揭榜资金 | 金额 | 形式"),
vertically merged cells in the data ("同一单位的几项需求"), empty rows, CSV saved by Excel on
Chinese Windows in GBK. :func:`read_grid` turns a file into plain text rows with merged cells
filled in; :func:`find_header` picks the header row(s) with a scoring function the caller gives
(how many cells name a known field).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from innolink.challenges.errors import (
    IMPORT_BAD_ENCODING,
    IMPORT_BAD_FILE,
    IMPORT_BAD_TYPE,
    IMPORT_EMPTY,
    IMPORT_TOO_LARGE,
)

MAX_SCAN_ROWS = 12


class FileUnreadable(Exception):
    """The file as a whole cannot be read; ``code`` is stable, ``message`` is for people."""

    def __init__(self, message: Any, *, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\x00", "").replace("\r\n", "\n").strip()


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel writes on
    Chinese Windows)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"),
                             code=IMPORT_BAD_ENCODING) from exc


def _csv_grid(content: bytes) -> list[list[str]]:
    text = decode(content)
    sample = text[:4096]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count("，"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    try:
        return [[cell_text(c) for c in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileUnreadable(_("CSV 文件格式有误：%(e)s") % {"e": exc},
                             code=IMPORT_BAD_FILE) from exc


def _xlsx_grid(content: bytes) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Rows of the first sheet with every merged range filled with its top-left value, and the
    (row, column) cells (0-based) that were filled from a merge."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileUnreadable(_("无法打开 Excel 文件：文件已损坏或不是 .xlsx 格式"),
                             code=IMPORT_BAD_FILE) from exc
    sheet = book.worksheets[0]
    grid = [[cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    merged: set[tuple[int, int]] = set()
    for rng in sheet.merged_cells.ranges:
        top, left = rng.min_row - 1, rng.min_col - 1
        if top >= len(grid):
            continue
        value = grid[top][left] if left < len(grid[top]) else ""
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            row = grid[r]
            while len(row) < rng.max_col:
                row.append("")
            for c in range(rng.min_col - 1, rng.max_col):
                if (r, c) != (top, left):
                    row[c] = value
                    merged.add((r, c))
    return grid, merged


@dataclass
class Grid:
    rows: list[list[str]]
    merged: set[tuple[int, int]]


def read_grid(content: bytes, filename: str, *, max_bytes: int) -> Grid:
    if len(content) > max_bytes:
        raise FileUnreadable(_("文件过大：上限 %(n)s MB") % {"n": max_bytes // 1048576},
                             code=IMPORT_TOO_LARGE)
    if not content.strip():
        raise FileUnreadable(_("文件为空"), code=IMPORT_EMPTY)
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows, merged = _xlsx_grid(content)
        return Grid(rows, merged)
    if name.endswith(".csv") or name.endswith(".txt"):
        return Grid(_csv_grid(content), set())
    raise FileUnreadable(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)


@dataclass
class Header:
    headers: list[str]      # one text per column ("揭榜资金-金额" for a two-row header)
    first_data_row: int     # 0-based index into the grid
    line: int               # 1-based spreadsheet row of the (last) header row


def find_header(grid: Grid, score: Callable[[str], bool]) -> Header | None:
    """The header: among the first rows, the one with the most cells ``score`` accepts (at least
    two). A title row merged across the width is skipped. When the row under it also names
    fields and the header row has merged group cells, the two rows are joined
    ("揭榜资金-金额")."""
    best, best_at = 0, None
    for i, row in enumerate(grid.rows[:MAX_SCAN_ROWS]):
        n = sum(1 for c in _distinct(row) if c and score(c))
        if n > best:
            best, best_at = n, i
    if best_at is None or best < 2:
        return None
    top = grid.rows[best_at]
    headers = list(top)
    first = best_at + 1
    if first < len(grid.rows):
        below = grid.rows[first]
        groups = any(r == best_at for (r, _c) in grid.merged)
        if groups and any(c and score(c) for c in below):
            headers = []
            for col in range(max(len(top), len(below))):
                a = top[col] if col < len(top) else ""
                b = below[col] if col < len(below) else ""
                headers.append(b if not a or a == b else (a if not b else f"{a}-{b}"))
            first += 1
    while headers and not headers[-1]:
        headers.pop()
    return Header(headers=[h.replace("\n", "") for h in headers], first_data_row=first,
                  line=first)


def _distinct(row: list[str]) -> list[str]:
    seen, out = set(), []
    for c in row:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def data_rows(grid: Grid, header: Header, *, fill_down: set[int] = frozenset()
              ) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of the rows under the header; empty rows skipped.
    Columns in ``fill_down`` take the value above when a merged cell left them blank (xlsx
    merges are already filled)."""
    width = len(header.headers)
    out = []
    last: dict[int, str] = {}
    for i in range(header.first_data_row, len(grid.rows)):
        cells = (grid.rows[i] + [""] * width)[:width]
        if not any(cells):
            continue
        for col in fill_down:
            if col < width:
                if cells[col]:
                    last[col] = cells[col]
                elif col in last:
                    cells[col] = last[col]
        out.append((i + 1, cells))
    return out
