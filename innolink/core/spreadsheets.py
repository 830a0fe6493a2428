"""Spreadsheets the platform writes (CSV and .xlsx) never carry a live formula from data.

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

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

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
