"""The registry import with real files: every bad file gets a row-level report and writes
nothing; good files in every encoding import; re-importing changes nothing."""

from decimal import Decimal

import pytest

from innolink.core.errors import ApplicationError
from innolink.core.models import AuditEntry
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear
from innolink.enterprises.services import registry_import
from innolink.enterprises.tests.files import HEADER, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(content: bytes, filename: str = "data.csv", commit: bool = True):
    return registry_import(content=content, filename=filename, actor=None, commit=commit)


def assert_nothing_written():
    assert Enterprise.objects.count() == 0
    assert EnterpriseYear.objects.count() == 0
    assert EnterpriseTag.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_clean_csv_imports_every_row_with_amounts_in_yuan():
    # given a file with two enterprises, money in 万元
    content = csv_bytes([row(1), row(2)])
    # when
    outcome = run(content)
    # then
    assert (outcome.created, outcome.updated, outcome.errors) == (2, 0, [])
    enterprise = Enterprise.objects.get(name="晋江测试1鞋业有限公司")
    assert enterprise.town == "陈埭" and enterprise.ownership == "private"
    year = enterprise.years.get(year=2025)
    assert year.value("revenue") == Decimal("10015000.00")  # 1001.5 万元
    assert year.value("employees") == Decimal(120)
    assert list(enterprise.tags.values_list("tag", flat=True)) == ["above_scale"]
    entry = AuditEntry.objects.get(object_id=str(enterprise.pk))
    assert entry.action == "create" and entry.changes["2025.revenue"] == [None, "10015000.00"]


def test_reimporting_the_same_file_changes_nothing():
    content = csv_bytes([row(1), row(2)])
    run(content)
    audit_before = AuditEntry.objects.count()
    # when
    again = run(content)
    # then
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEntry.objects.count() == audit_before


def test_changed_value_updates_by_credit_code_and_is_audited():
    run(csv_bytes([row(1)]))
    # when the revenue changes
    outcome = run(csv_bytes([row(1, **{"营业收入(万元)": "2000"})]))
    # then
    assert (outcome.created, outcome.updated) == (0, 1)
    enterprise = Enterprise.objects.get()
    assert enterprise.years.get().value("revenue") == Decimal("20000000.00")
    update = AuditEntry.objects.get(action="update")
    assert update.changes == {"2025.revenue": ["10015000.00", "20000000.00"]}


def test_a_reimport_that_changes_a_row_moves_its_updated_at_and_only_its():
    """Change detection downstream (the policy scan's snapshot) relies on updated_at."""
    import datetime as dt

    from django.utils import timezone

    run(csv_bytes([row(1), row(2)]))
    day_ago = timezone.now() - dt.timedelta(days=1)
    Enterprise.objects.update(updated_at=day_ago)
    EnterpriseYear.objects.update(updated_at=day_ago)
    # when enterprise 1 moves town and enterprise 2's revenue changes
    run(csv_bytes([row(1, 所属镇街="青阳街道"), row(2, **{"营业收入(万元)": "3000"})]))
    one = Enterprise.objects.get(name="晋江测试1鞋业有限公司")
    two = Enterprise.objects.get(name="晋江测试2鞋业有限公司")
    assert one.town == "青阳" and one.updated_at > day_ago
    assert one.years.get().updated_at == day_ago  # its yearly values did not change
    assert two.updated_at == day_ago and two.years.get().updated_at > day_ago


def test_dry_run_reports_the_plan_and_writes_nothing():
    outcome = run(csv_bytes([row(1)]), commit=False)
    assert outcome.created == 1 and not outcome.committed
    assert outcome.preview[0]["action"] == "create"
    assert_nothing_written()


def test_gbk_csv_imports_correctly():
    outcome = run(csv_bytes([row(1)], encoding="gbk"))
    assert outcome.created == 1
    assert Enterprise.objects.get().name == "晋江测试1鞋业有限公司"


def test_utf8_csv_with_byte_order_mark_imports_correctly():
    outcome = run(b"\xef\xbb\xbf" + csv_bytes([row(1)]))
    assert outcome.created == 1 and outcome.columns["credit_code"] == "统一社会信用代码"


def test_xlsx_with_a_merged_title_row_above_the_header_imports():
    content = xlsx_bytes([row(1)], title="2025年度企业数据")
    outcome = run(content, "data.xlsx")
    assert outcome.created == 1


def test_wrong_check_character_is_refused_with_the_expected_character():
    good = row(1)[0]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    outcome = run(csv_bytes([row(1, 统一社会信用代码=bad)]))
    assert len(outcome.errors) == 1
    error = outcome.errors[0]
    assert (error["row"], error["column"], error["value"]) == (2, "统一社会信用代码", bad)
    assert f"第 18 位应为 {good[17]}" in error["reason"]
    assert_nothing_written()


def test_text_in_a_number_column_is_reported_at_its_cell():
    outcome = run(csv_bytes([row(1), row(2, **{"营业收入(万元)": "约三千万"})]))
    assert outcome.errors == [{"row": 3, "column": "营业收入(万元)", "value": "约三千万",
                               "reason": "应为数字"}]
    assert_nothing_written()


def test_missing_required_column_is_reported():
    header = [h for h in HEADER if h != "所属镇街"]
    rows = [[v for h, v in zip(HEADER, row(1), strict=True) if h != "所属镇街"]]
    outcome = run(csv_bytes(rows, header=header))
    assert {"row": 1, "column": "所属镇街", "value": "", "reason": "缺少必填列"} in outcome.errors
    assert_nothing_written()


def test_duplicate_credit_codes_in_one_file_are_reported_with_both_rows():
    outcome = run(csv_bytes([row(1), row(2), row(1)]))
    assert len(outcome.errors) == 1
    assert outcome.errors[0]["row"] == 4
    assert "与第 2 行重复" in outcome.errors[0]["reason"]
    assert_nothing_written()


def test_one_bad_row_among_many_writes_nothing():
    rows = [row(n) for n in range(50)] + [row(99, 所属镇街="厦门")]
    outcome = run(csv_bytes(rows))
    assert [e["row"] for e in outcome.errors] == [52]
    assert "不是晋江市的镇或街道" in outcome.errors[0]["reason"]
    assert_nothing_written()


def test_empty_file_is_refused():
    with pytest.raises(ApplicationError) as caught:
        run(b"")
    assert caught.value.code == "import_empty"
    assert_nothing_written()


def test_header_only_file_is_refused():
    with pytest.raises(ApplicationError) as caught:
        run(csv_bytes([]))
    assert caught.value.code == "import_empty"
    assert_nothing_written()


def test_file_over_the_size_limit_is_refused(settings):
    settings.INNOLINK = {**settings.INNOLINK, "IMPORT_MAX_BYTES": 1000}
    with pytest.raises(ApplicationError) as caught:
        run(csv_bytes([row(n) for n in range(30)]))
    assert caught.value.code == "import_too_large"
    assert "上限" in caught.value.message
    assert_nothing_written()


def test_spreadsheet_with_merged_header_cells_is_refused():
    content = xlsx_bytes([row(1)], merge="A1:B1")
    with pytest.raises(ApplicationError) as caught:
        run(content, "data.xlsx")
    assert caught.value.code == "import_merged_header"
    assert "A1:B1" in caught.value.message
    assert_nothing_written()


def test_not_a_spreadsheet_is_refused():
    with pytest.raises(ApplicationError) as caught:
        run(b"PK\x03\x04 not really a zip", "data.xlsx")
    assert caught.value.code == "import_bad_file"
    assert_nothing_written()


def test_negative_value_allowed_only_where_the_indicator_allows_it():
    header = HEADER + ["净利润(万元)"]
    ok = run(csv_bytes([row(1) + ["-12.5"]], header=header), commit=False)
    assert ok.errors == []
    bad = run(csv_bytes([row(1, 从业人员="-3") + ["1"]], header=header))
    assert bad.errors[0]["reason"] == "不能为负数"
    assert_nothing_written()


def test_empty_cell_never_erases_existing_data():
    run(csv_bytes([row(1)]))
    outcome = run(csv_bytes([row(1, **{"研发费用(万元)": ""})]))
    assert outcome.unchanged == 1
    assert Enterprise.objects.get().years.get().value("rd_expense") == Decimal("350000.00")
