"""The real clauses quoted in the issue, with their bound cases and worded explanations."""

from decimal import Decimal

from innolink.engines.rules import explain

from ._support import demo_registry

RD = "p02_rd_investment_award"


def _record(rd_now, rd_prev, fiscal_prev="1000000", tags=("tech_sme",)):
    indicators = {2024: {"rd_expense": Decimal(rd_now)}, 2023: {"rd_expense": Decimal(rd_prev)}}
    if fiscal_prev is not None:
        indicators[2023]["fiscal_contribution"] = Decimal(fiscal_prev)
    return {"credit_code": "91350582TEST00001", "tags": list(tags), "indicators": indicators}


def _clause(answer, clause_id):
    return next(a for a in answer.eligible + answer.not_eligible if a.clause_id == clause_id)


def test_rd_award_shows_the_arithmetic_in_chinese():
    registry = demo_registry()
    # given R&D of 550万 after 200万
    answer = explain(registry, _record("5500000", "2000000"), 2024, policy_ids={RD})
    # then the award is 21万 with its steps and the 8:1:1 split
    award = _clause(answer, "rd_increment_award")
    assert award.amount == Decimal("210000.00")
    assert award.steps == (
        "研发经费支出较上年增量 = 2024年研发经费支出 550万元 − 2023年 200万元 = 350万元",
        "研发经费支出较上年增量 350万元 × 6% = 21万元",
        "未超过单个企业年度最高补助 600万元",
        "应兑现 21万元,按 8∶1∶1 分担:省 16.8万元、市 2.1万元、县 2.1万元",
    )
    assert award.shares == (("省", Decimal("168000.00")), ("市", Decimal("21000.00")), ("县", Decimal("21000.00")))


def test_rd_award_cap_720_to_600():
    registry = demo_registry()
    answer = explain(registry, _record("150000000", "30000000"), 2024, policy_ids={RD})
    award = _clause(answer, "rd_increment_award")
    assert award.amount == Decimal("6000000.00")
    assert "单个企业年度最高补助 600万元:720万元 → 600万元" in award.steps


def test_rd_exactly_200_wan_is_not_above_200_wan():
    registry = demo_registry()
    answer = explain(registry, _record("2000000", "1000000"), 2024, policy_ids={RD})
    award = _clause(answer, "rd_increment_award")
    assert award.eligible is False
    assert [m.message for m in award.misses] == ["研发经费支出恰为200万元,需高于200万元"]
    assert award.misses[0].gap == "0元"


def test_rd_increase_of_exactly_100_wan_is_100_wan_or_more():
    registry = demo_registry()
    answer = explain(registry, _record("3000000", "2000000"), 2024, policy_ids={RD})
    assert _clause(answer, "rd_increment_award").amount == Decimal("60000.00")


def test_rd_gap_is_reported_with_value_threshold_and_gap():
    registry = demo_registry()
    answer = explain(registry, _record("3770000", "3000000"), 2024, policy_ids={RD})
    miss = _clause(answer, "rd_increment_award").misses[0]
    assert (miss.field, miss.value, miss.threshold, miss.gap, miss.passed) == (
        "rd_expense.yoy_increase", "77万元", "100万元", "23万元", False,
    )
    assert miss.message == "研发经费支出较上年增量还差23万元(当前77万元,需不低于100万元)"


def test_city_bonus_is_capped_by_last_years_fiscal_contribution():
    registry = demo_registry()
    answer = explain(registry, _record("5500000", "2000000", fiscal_prev="50000"), 2024, policy_ids={RD})
    bonus = _clause(answer, "rd_city_bonus")
    assert bonus.amount == Decimal("50000.00")
    assert "不超过上年度地方财政贡献额 5万元:14万元 → 5万元" in bonus.steps


def test_missing_fiscal_contribution_is_unknown_not_zero():
    registry = demo_registry()
    answer = explain(registry, _record("5500000", "2000000", fiscal_prev=None), 2024, policy_ids={RD})
    bonus = _clause(answer, "rd_city_bonus")
    assert bonus.eligible is False
    assert [(m.message, m.passed) for m in bonus.misses] == [("缺少数据:2023年度地方财政贡献额", None)]


def test_high_tech_first_and_renewed():
    registry = demo_registry()
    base = {"credit_code": "X", "tags": ["high_tech"], "high_tech_cert_date": __import__("datetime").date(2024, 6, 1)}
    first = explain(registry, {**base, "high_tech_first_cert": True}, 2024, policy_ids={"p01_high_tech_award"})
    renewed = explain(registry, {**base, "high_tech_first_cert": False}, 2024, policy_ids={"p01_high_tech_award"})
    assert first.total == Decimal("200000.00")
    assert renewed.total == Decimal("100000.00")


def test_software_hardware_subsidy_is_capped_per_project():
    registry = demo_registry()
    record = {"credit_code": "X", "industry_code": "C1951", "tags": [],
              "indicators": {2024: {"software_hardware_investment": Decimal("7200000")}}}
    answer = explain(registry, record, 2024, policy_ids={"p04_digital_transformation"})
    clause = _clause(answer, "digital_subsidy")
    assert clause.amount == Decimal("1000000.00")
    assert clause.steps[:2] == (
        "软件系统、硬件设备投入金额 720万元 × 20% = 144万元",
        "单个项目最高补助限额 100万元:144万元 → 100万元",
    )
