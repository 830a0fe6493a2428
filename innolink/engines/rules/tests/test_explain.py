"""Explanations for one enterprise: nearest misses first, reasons worded in Chinese."""

import datetime as dt
from decimal import Decimal

from innolink.engines.rules import explain

from ._support import demo_registry


def test_nearest_misses_come_first():
    # given an enterprise missing the R&D award by 23万 and the high-tech award by a whole certificate
    record = {
        "credit_code": "X", "tags": ["tech_sme"],
        "indicators": {2024: {"rd_expense": Decimal("3770000")}, 2023: {"rd_expense": Decimal("3000000")}},
    }
    answer = explain(demo_registry(), record, 2024, policy_ids={"p01_high_tech_award", "p02_rd_investment_award"})
    # then the order is by (failing conditions, sum of relative gaps)
    keys = [a.nearness for a in answer.not_eligible]
    assert keys == sorted(keys)
    assert answer.not_eligible[0].clause_id == "rd_increment_award"
    assert answer.not_eligible[0].nearness == (1, 0.23)
    assert answer.eligible == ()
    assert answer.total == Decimal("0.00")


def test_any_reports_only_the_closest_alternative():
    record = {"credit_code": "X", "industry_code": "C3841", "founded_on": dt.date(2015, 1, 1),
              "indicators": {2024: {"revenue": Decimal("100000000")}, 2023: {"revenue": Decimal("80000000")}}}
    answer = explain(demo_registry(), record, 2024, policy_ids={"p07_new_tracks"})
    clause = answer.not_eligible[0]
    assert [m.message for m in clause.misses] == ["营业收入较上年增长率还差5个百分点(当前25%,需不低于30%)"]


def test_eligible_clause_lists_steps_and_group_outcome():
    record = {"credit_code": "X", "tags": ["specialized_national", "specialized_provincial"]}
    answer = explain(demo_registry(), record, 2024, policy_ids={"p10_specialized_sme"})
    assert [(a.clause_id, a.amount) for a in answer.eligible] == [
        ("national", Decimal("500000.00")), ("provincial", Decimal("0.00")),
    ]
    assert answer.eligible[1].steps[1] == (
        "与同组条款就高不重复(国家级与省级专精特新奖励就高不重复),"
        "已按「国家级专精特新“小巨人”企业奖励」兑现,本条不重复兑现"
    )
    assert answer.total == Decimal("500000.00")


def test_rounding_step_is_marked():
    record = {"credit_code": "X", "tags": ["tech_sme"],
              "indicators": {2024: {"rd_expense": Decimal("3000000.25")},
                             2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": Decimal("1000000")}}}
    answer = explain(demo_registry(), record, 2024, policy_ids={"p02_rd_investment_award"})
    assert answer.eligible[0].amount == Decimal("60000.02")
    assert answer.eligible[0].steps[1] == "研发经费支出较上年增量 100万元(1,000,000.25元) × 6% = 6万元(60,000.02元)(四舍五入到分)"


def test_answer_carries_policy_metadata():
    record = {"credit_code": "X", "tags": ["high_tech"], "high_tech_cert_date": dt.date(2024, 3, 1),
              "high_tech_first_cert": True}
    clause = explain(demo_registry(), record, 2024, policy_ids={"p01_high_tech_award"}).eligible[0]
    assert (clause.policy_title, clause.doc_number, clause.lane) == (
        "晋江市高新技术企业认定奖励", "晋江市大力推进科技创新能力建设若干措施(2025年修订为晋政规〔2025〕2号)", "auto",
    )
    assert clause.text == "当年首次认定的高新技术企业给予20万元奖励,重新认定的给予10万元奖励。"


def test_excluded_ownership_is_named():
    record = {"credit_code": "X", "town": "东石", "size_class": "small", "founded_on": dt.date(2023, 6, 1),
              "ownership": "state"}
    answer = explain(demo_registry(), record, 2024, policy_ids={"p12_parks_talent"})
    settle = next(a for a in answer.not_eligible if a.clause_id == "startup_settle")
    assert [m.message for m in settle.misses] == ["所有制类型为国有,属于排除情形(国有)"]
