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


# --------------------------------------------------------------------------- ADR 0130: the structured format

import json
from pathlib import Path

from innolink.engines.rules import load_registry
from innolink.engines.rules.fields import load_catalogue

_LIBRARY = Path(__file__).resolve().parents[3] / "policies" / "library"


def _library():
    load_catalogue()
    load_catalogue(_LIBRARY / "data" / "catalogue.yaml")
    return load_registry(_LIBRARY)


def test_every_route_of_an_or_is_reported_with_its_gap_and_ties_are_not_broken():
    registry = _library()
    record = {"credit_code": "A", "qualifications": [{"type": "strategic_emerging", "certified_on": dt.date(2025, 6, 30),
                                                      "first": True}],
              "indicators": {2025: {"strategic_output": Decimal(19_600_000), "output_value": Decimal(40_000_000)}}}
    clause = explain(registry, record, 2025, policy_ids={"lib_jj_chain_2025"}).clause(
        "lib_jj_chain_2025", "new_strategic_emerging")
    (choice,) = clause.choices
    assert choice.tie and [r.tied for r in choice.routes] == [True, True]
    assert [r.checks[0].gap for r in choice.routes] == ["40万元", "1个百分点"]
    assert {m.field for m in clause.misses} == {"strategic_output", "strategic_output/output_value"}
    assert clause.summary.startswith("暂不符合;满足以下任一即可")
    # a 45% share is farther: the output route is nearest and no longer tied
    record["indicators"][2025]["output_value"] = Decimal(43_555_556)
    clause = explain(registry, record, 2025, policy_ids={"lib_jj_chain_2025"}).clause(
        "lib_jj_chain_2025", "new_strategic_emerging")
    (choice,) = clause.choices
    assert not choice.tie and choice.routes[0].checks[0].field == "strategic_output"
    assert [m.field for m in clause.misses] == ["strategic_output"]


def test_levels_say_which_level_matched_and_what_the_next_one_needs():
    registry = _library()
    tiers = explain(registry, {"credit_code": "A", "indicators": {2022: {"tech_upgrade_investment": Decimal(12_000_000)}}},
                    2022, policy_ids={"lib_hy_industry"}).clause("lib_hy_industry", "tech_upgrade")
    level = tiers.level
    assert (level.matched.label, level.matched.amount) == ("工业技改投入达到1000万元", Decimal("80000.00"))
    assert (level.next.label, level.next.gap, level.next.amount) == ("工业技改投入达到3000万元", "1800万元", Decimal("100000.00"))
    assert level.message == "已达「工业技改投入达到1000万元」档,奖励8万元;再增加1800万元可达「工业技改投入达到3000万元」档,奖励10万元"
    cases = explain(registry, {"credit_code": "A", "qualifications": [
        {"type": "smart_manufacturing", "level": "city_factory", "certified_on": dt.date(2023, 6, 1)}]},
        2023, policy_ids={"lib_sz_industry_2022"}).clause("lib_sz_industry_2022", "smart_factory")
    assert cases.level.matched.amount == Decimal("200000.00")
    assert cases.level.next.amount == Decimal("300000.00") and cases.level.next.checks


def test_a_missing_input_that_alone_decides_is_named_and_the_answer_is_plain_json():
    registry = _library()
    record = {"credit_code": "A", "qualifications": [{"type": "tech_little_giant", "certified_on": dt.date(2023, 9, 1)}],
              "indicators": {}}
    answer = explain(registry, record, 2024, policy_ids={"lib_jj_sci_tech"})
    clause = answer.clause("lib_jj_sci_tech", "little_giant_rd_match")
    assert clause.status == "undecided"
    (need,) = clause.needs
    assert (need.source, need.field, need.year, need.kind, need.unit, need.decisive) == (
        "indicator", "provincial_rd_award", 2024, "money", "元", True)
    assert need.message == "请补充2024年度省级科技小巨人企业研发投入奖励金额(元)"
    top = answer.needs[0]
    assert top.decisive and "lib_jj_sci_tech/little_giant_rd_match" in top.clauses
    data = json.loads(json.dumps(answer.as_dict(), ensure_ascii=False))
    assert data["format"] == 1 and data["needs"][0]["field"] == "provincial_rd_award"
    assert isinstance(data["total"], str)
    assert answer.as_dict()["not_eligible"][0]["status"] in ("undecided", "not_eligible")


def test_industry_codes_are_named_as_an_enterprise_reads_them():
    # given the application's names for industry codes (the engine holds no reference table)
    from innolink.engines.rules import fields as F

    names = {"C26": "化学原料和化学制品制造业", "C25": "石油、煤炭及其他燃料加工业", "B": "采矿业"}
    saved = F.CODE_NAMES.pop("industry_code", None)  # the Django app's names, when it is loaded
    F.register_code_names("industry_code", lambda code: f"{code} {names.get(code[:3]) or names.get(code[:1], '')}".strip())
    try:
        registry = _library()
        record = {"credit_code": "X", "industry_code": "C2611", "tags": [],
                  "indicators": {2022: {"employees": 100, "quarter_electricity_fee": Decimal("100000")}}}
        answer = explain(registry, record, 2022, policy_ids={"lib_zz_relief_2022"})
        clause = next(a for a in answer.not_eligible if a.clause_id == "industrial_utilities")
        # then both the enterprise's code and the excluded ones carry their names, not bare codes
        (miss,) = clause.misses
        assert miss.value == "C2611 化学原料和化学制品制造业"
        assert miss.threshold.startswith("C25 石油、煤炭及其他燃料加工业、C26 化学原料和化学制品制造业、")
        assert miss.message.startswith("国民经济行业代码为C2611 化学原料和化学制品制造业,需不属于C25 石油")
        # and without names registered, codes are shown as they are
        del F.CODE_NAMES["industry_code"]
        plain = explain(_library(), record, 2022, policy_ids={"lib_zz_relief_2022"})
        assert next(a for a in plain.not_eligible if a.clause_id == "industrial_utilities").misses[0].value == "C2611"
    finally:
        F.CODE_NAMES.pop("industry_code", None)
        if saved is not None:
            F.register_code_names("industry_code", saved)
