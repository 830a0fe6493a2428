"""Spreadsheets the platform writes never carry a live formula from data; spreadsheets it
reads are checked before they are parsed (see ``read_xlsx_rows`` below).

A value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, WPS and LibreOffice when the file is opened (``=HYPERLINK(...)`` from an
imported enterprise name, for example). Every export goes through these helpers:

- CSV: such a text cell gets a leading apostrophe, which spreadsheets show as text;
- .xlsx: every text cell is written as a string cell (never a formula), and such a cell also
  carries the "quote prefix" style, so it stays text when someone edits it;
- numbers stay numbers: ``int``/``Decimal``/``float`` values (and, in CSV, plain numeric text
  such as ``-200000.50``) are written unchanged.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from innolink.core.errors import (
    IMPORT_BAD_FILE,
    IMPORT_TOO_MANY_ROWS,
    IMPORT_UNPACKED_TOO_LARGE,
    IMPORT_ZIP_BOMB,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def is_formula_like(value: Any) -> bool:
    """Would a spreadsheet read this text as a formula?

    Examples:
        >>> [is_formula_like(v) for v in ["=1+1", "@SUM(A1)", "-2+3", "-200000.50", "晋江", 5]]
        [True, True, True, False, False, False]
    """
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value))


def neutralise(value: Any) -> Any:
    """A CSV cell: formula-like text as text (a leading apostrophe); anything else unchanged.

    Examples:
        >>> neutralise('=HYPERLINK("http://x","点击")')
        '\\'=HYPERLINK("http://x","点击")'
        >>> neutralise("-12.5"), neutralise(-12), neutralise("陈埭镇")
        ('-12.5', -12, '陈埭镇')
    """
    return "'" + value if is_formula_like(value) else value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV that Excel opens correctly (UTF-8 with a byte-order mark), every cell
    neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(v) for v in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_cells(sheet, values: Iterable[Any]) -> list:
    """Cells for ``sheet.append``: text always as a string cell (never a formula), formula-like
    text with the quote prefix, numbers as numbers."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
            if is_formula_like(value):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def xlsx_append(sheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)``, neutralised (see :func:`xlsx_cells`)."""
    sheet.append(xlsx_cells(sheet, values))


# --- reading uploaded .xlsx files -----------------------------------------------------------

#: a member that unpacks to more than this many times its packed size is a zip bomb, not a
#: spreadsheet (worksheet XML packs 5-20 times; the bombs seen unpack 1,000 times)
MAX_RATIO = 100
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


class SpreadsheetRefused(Exception):
    """An uploaded workbook refused before any of it is parsed."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def check_xlsx_archive(content: bytes, *, max_unpacked: int, max_ratio: int = MAX_RATIO
                       ) -> None:
    """Refuse a workbook whose members would unpack beyond ``max_unpacked`` bytes in all, or
    one member beyond ``max_ratio`` times its packed size, from the archive's directory alone
    (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetRefused(_("无法打开 Excel 文件：文件已损坏或不是 .xlsx 格式"),
                                 code=IMPORT_BAD_FILE) from exc
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise SpreadsheetRefused(
            _("文件解压后过大：%(size).0f MB，上限 %(limit).0f MB，请拆分文件或删除多余的工作表")
            % {"size": unpacked / 1048576, "limit": max_unpacked / 1048576}, code=IMPORT_UNPACKED_TOO_LARGE)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > max_ratio * max(m.compress_size, 1):
            raise SpreadsheetRefused(
                _("文件异常：其中 %(name)s 的压缩比超过 %(ratio)s 倍，不像正常的表格文件，已拒绝读取")
                % {"name": m.filename, "ratio": max_ratio}, code=IMPORT_ZIP_BOMB)


def count_xlsx_rows(content: bytes, member: str, *, stop_after: int) -> int:
    """The ``<row>`` elements of one worksheet, counted from the XML stream in chunks (no
    parsing, whatever its ``<dimension>`` says); stops counting past ``stop_after``."""
    count = 0
    tail = b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            count += len(_ROW_TAG.findall(data))
            tail = data[-32:]
            count -= len(_ROW_TAG.findall(tail))  # counted again with the next chunk
            if count > stop_after:
                break
        count += len(_ROW_TAG.findall(tail))
    return count


def read_xlsx_rows(content: bytes, *, max_rows: int, max_unpacked: int,
                   header_rows: int = 5) -> Iterator[list[Any]]:
    """The first worksheet's rows as lists of values, for imports: the archive is checked first
    (:func:`check_xlsx_archive`), then the worksheet's rows are counted from its XML and a file
    with more than ``max_rows`` (plus up to ``header_rows`` title and header rows) is refused,
    all before the cells are parsed; then every row is read whatever the (possibly stale)
    ``<dimension>`` claims."""
    import openpyxl

    check_xlsx_archive(content, max_unpacked=max_unpacked)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise SpreadsheetRefused(_("无法打开 Excel 文件：文件已损坏或不是 .xlsx 格式"),
                                 code=IMPORT_BAD_FILE) from exc
    rows = count_xlsx_rows(content, sheet._worksheet_path.lstrip("/"),
                           stop_after=max_rows + header_rows)
    if rows > max_rows + header_rows:
        raise SpreadsheetRefused(_("行数超过上限 %(n)s 行，请拆分文件") % {"n": max_rows},
                                 code=IMPORT_TOO_MANY_ROWS)
    sheet.reset_dimensions()  # read to the last row, not to the one <dimension> names
    return (list(row) for row in sheet.iter_rows(values_only=True))
