"""Exports never carry a live formula from data, and amounts stay numbers."""

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from innolink.core.spreadsheets import csv_bytes, neutralise, xlsx_append

DANGEROUS = ['=HYPERLINK("http://evil.example/x","点击查看")', "+1+1", "-2+3", "@SUM(A1:A9)",
             "\t=1+1", "\r=1+1", "=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_text_becomes_text_in_csv(value):
    assert neutralise(value) == "'" + value
    text = csv_bytes(["值"], [[value]]).decode("utf-8-sig")
    [_header, row] = list(csv.reader(io.StringIO(text, newline="")))
    assert row == ["'" + value]


def test_numbers_and_plain_text_are_unchanged_in_csv():
    body = csv_bytes(["a", "b", "c", "d"], [[-200000, Decimal("-12.50"), "-3.5", "陈埭镇"]])
    assert body.decode("utf-8-sig").splitlines()[1] == "-200000,-12.50,-3.5,陈埭镇"


def test_xlsx_cells_are_text_never_formulas_and_amounts_are_numbers():
    wb = openpyxl.Workbook()
    ws = wb.active
    xlsx_append(ws, [*DANGEROUS, Decimal("1234.56"), 7, "陈埭镇"])
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    row = list(ws.iter_rows(values_only=False))[0]
    for cell, value in zip(row, DANGEROUS, strict=False):
        # the XML writer may keep a carriage return (lxml writes &#13;) or the reader may turn
        # it into a line feed (XML end-of-line handling): either way the cell is text
        assert cell.data_type == "s"
        assert cell.value.replace("\r", "\n") == value.replace("\r", "\n")
        assert cell.quotePrefix
    amount, count, town = row[len(DANGEROUS):]
    assert (amount.data_type, amount.value) == ("n", 1234.56)
    assert (count.data_type, count.value, town.quotePrefix) == ("n", 7, False)
