"""Declaration checks (pure): refusals at the field, and the flags staff see."""

from decimal import Decimal as D

from innolink.rankings.checks import declaration_flags, field_errors, ratios

BASE = {"revenue": D("100000000"), "total_assets": D("80000000"), "net_profit": D("-500000"),
        "tax_paid": D("3000000"), "employees": D("320")}


def test_a_plausible_declaration_has_no_errors_and_a_loss_is_allowed():
    assert field_errors(BASE) == {}


def test_negative_employees_is_refused_at_the_field():
    errors = field_errors({**BASE, "employees": D("-1")})
    assert errors == {"employees": ["从业人员不能为负数"]}


def test_rd_above_revenue_is_refused_at_the_rd_field():
    errors = field_errors({**BASE, "rd_expense": D("100000000.01")})
    assert errors == {"rd_expense": ["研发费用不能大于营业收入"]}
    assert field_errors({**BASE, "rd_expense": D("100000000")}) == {}


def test_required_fields_fractional_counts_and_absurd_sizes_are_refused():
    errors = field_errors({"revenue": D("1e16"), "employees": D("3.5")})
    assert errors["revenue"] == ["营业收入超出范围（应小于 10¹⁵）"]
    assert errors["employees"] == ["从业人员应为整数"]
    assert errors["tax_paid"] == ["纳税总额为必填项"]
    assert field_errors({**BASE, "exports": D("NaN")})["exports"] == ["出口额不是有效数字"]


def test_a_jump_against_last_year_is_flagged_both_ways():
    flags = declaration_flags({**BASE, "revenue": D("250000000"), "tax_paid": D("1000000")},
                              previous={"revenue": D("100000000"), "tax_paid": D("3000000")})
    assert [(f["code"], f["field"]) for f in flags] == [("jump", "revenue"), ("jump", "tax_paid")]
    assert "+150%" in flags[0]["message"] and "-67%" in flags[1]["message"]


def test_a_doubling_exactly_is_not_a_jump_and_no_previous_year_means_no_jump_flag():
    assert declaration_flags({**BASE, "revenue": D("200000000")},
                             previous={"revenue": D("100000000")}) == []
    assert declaration_flags(BASE, previous={}) == []


def test_inconsistent_totals_are_flagged():
    flags = declaration_flags({**BASE, "exports": D("120000000"),
                               "fiscal_contribution": D("4000000")})
    assert [(f["code"], f["field"], f["message"]) for f in flags] == [
        ("inconsistent", "exports", "出口额大于营业收入"),
        ("inconsistent", "fiscal_contribution", "地方财政贡献大于纳税总额")]


def test_an_outlier_in_the_sector_is_flagged_by_robust_z():
    peers = {"labour_productivity": [300_000 * (1 + 0.1 * i) for i in range(10)]}
    normal = declaration_flags(BASE, peers=peers)  # 312,500 yuan per person
    assert normal == []
    odd = declaration_flags({**BASE, "employees": D("2")}, peers=peers)  # 50 million per person
    assert [(f["code"], f["field"]) for f in odd] == [("outlier", "revenue")]
    assert "远高于同行业企业" in odd[0]["message"]


def test_too_few_peers_never_flag_an_outlier():
    peers = {"labour_productivity": [300_000.0] * 4}
    assert declaration_flags({**BASE, "employees": D("2")}, peers=peers) == []


def test_ratios_skip_undefined_values_rather_than_using_zero():
    assert ratios({"revenue": 1000, "employees": 0, "rd_expense": None, "tax_paid": 50}) == {
        "tax_burden": 0.05}
