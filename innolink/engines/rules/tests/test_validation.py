"""Each load-time validation error: stable code, bilingual message, file/path location."""

import textwrap

import pytest

from innolink.engines.rules import ErrorCode, RulesError, load_policy_text, load_registry, load_test_cases

from ._support import demo_registry

CLAUSE = """\
- id: c1
  title: 研发奖励
  text: 对年度研发经费支出高于200万元的企业给予5万元奖励
  conditions: {field: rd_expense, op: 高于, value: 200万元}
  benefit: {fixed: 5万元}
"""


def _policy(clauses: str = CLAUSE, versions: str | None = None, extra: str = "") -> str:
    if versions is None:
        versions = (
            "  - effective_from: 2024-01-01\n"
            "    doc_number: 示例〔2024〕1号\n"
            "    budget: 100万元\n"
            "    shares: {市: 1}\n"
            "    lane: auto\n"
            f"{extra}"
            "    clauses:\n" + textwrap.indent(clauses, "      ")
        )
    return "id: demo\ntitle: 示例政策\nissuer: 晋江市科技局\narea: 创新主体与平台\nversions:\n" + versions


def _error(text: str) -> RulesError:
    with pytest.raises(RulesError) as info:
        load_policy_text(text, "demo.yaml")
    return info.value


def test_valid_policy_loads():
    policy = load_policy_text(_policy(), "demo.yaml")
    assert [c.id for c in policy.versions[0].clauses] == ["c1"]


def test_unknown_indicator():
    err = _error(_policy(CLAUSE.replace("field: rd_expense", "field: rd_spend")))
    assert err.code == ErrorCode.UNKNOWN_FIELD == "rules.unknown_field"
    assert err.location == "demo.yaml: versions[0].clauses[0].conditions.field"
    assert "未知指标 'rd_spend'" in err.message and "unknown indicator" in err.message


def test_unknown_derived_indicator():
    err = _error(_policy(CLAUSE.replace("field: rd_expense", "field: rd_expense.yoy_double")))
    assert err.code == ErrorCode.UNKNOWN_FIELD


def test_bad_operator():
    err = _error(_policy(CLAUSE.replace("op: 高于", "op: 远高于")))
    assert err.code == ErrorCode.BAD_OPERATOR
    assert err.location == "demo.yaml: versions[0].clauses[0].conditions.op"


def test_operator_not_allowed_on_attribute():
    clause = CLAUSE.replace("{field: rd_expense, op: 高于, value: 200万元}", "{field: town, op: 高于, value: 青阳}")
    assert _error(_policy(clause)).code == ErrorCode.BAD_OPERATOR


def test_missing_unit_on_threshold():
    err = _error(_policy(CLAUSE.replace("value: 200万元", "value: 2000000")))
    assert err.code == ErrorCode.MISSING_UNIT
    assert err.location == "demo.yaml: versions[0].clauses[0].conditions.value"


def test_missing_unit_on_amount():
    err = _error(_policy(CLAUSE.replace("fixed: 5万元", "fixed: 50000")))
    assert (err.code, err.location) == (ErrorCode.MISSING_UNIT, "demo.yaml: versions[0].clauses[0].benefit.fixed")


def test_wrong_unit_for_money():
    assert _error(_policy(CLAUSE.replace("value: 200万元", "value: 200件"))).code == ErrorCode.BAD_UNIT


def test_wrong_unit_for_count():
    clause = CLAUSE.replace("field: rd_expense, op: 高于, value: 200万元", "field: employees, op: 以上, value: 10万元")
    assert _error(_policy(clause)).code == ErrorCode.BAD_UNIT


def test_overlapping_versions():
    version = (
        "  - effective_from: START\n"
        "    effective_to: END\n"
        "    doc_number: 示例\n    budget: 100万元\n    shares: {市: 1}\n    lane: auto\n"
        "    clauses:\n" + textwrap.indent(CLAUSE, "      ")
    )
    text = _policy(versions=version.replace("START", "2022-01-01").replace("END", "2024-06-30")
                   + version.replace("START", "2024-01-01").replace("END", "2026-12-31"))
    err = _error(text)
    assert err.code == ErrorCode.OVERLAPPING_VERSIONS
    assert err.location == "demo.yaml: versions[1].effective_from"


def test_open_ended_version_followed_by_another_overlaps():
    version = (
        "  - effective_from: START\n"
        "    doc_number: 示例\n    budget: 100万元\n    shares: {市: 1}\n    lane: auto\n"
        "    clauses:\n" + textwrap.indent(CLAUSE, "      ")
    )
    err = _error(_policy(versions=version.replace("START", "2022-01-01") + version.replace("START", "2024-01-01")))
    assert err.code == ErrorCode.OVERLAPPING_VERSIONS


def test_unknown_key_is_refused():
    err = _error(_policy(CLAUSE + "  bonus: 1\n"))
    assert (err.code, err.location) == (ErrorCode.UNKNOWN_KEY, "demo.yaml: versions[0].clauses[0].bonus")


def test_missing_key():
    err = _error(_policy(CLAUSE.replace("  title: 研发奖励\n", "")))
    assert (err.code, err.location) == (ErrorCode.MISSING_KEY, "demo.yaml: versions[0].clauses[0]")


def test_bad_lane():
    err = _error(_policy().replace("lane: auto", "lane: fast"))
    assert (err.code, err.location) == (ErrorCode.BAD_VALUE, "demo.yaml: versions[0].lane")


def test_bad_shares():
    assert _error(_policy().replace("shares: {市: 1}", "shares: {市: 0}")).code == ErrorCode.BAD_SHARES


def test_duplicate_clause_id():
    err = _error(_policy(CLAUSE + CLAUSE))
    assert (err.code, err.location) == (ErrorCode.DUPLICATE_ID, "demo.yaml: versions[0].clauses[1].id")


def test_requires_must_name_an_earlier_clause():
    err = _error(_policy(CLAUSE + "  requires: [c9]\n"))
    assert err.code == ErrorCode.BAD_REFERENCE


def test_undefined_group():
    assert _error(_policy(CLAUSE + "  group: g1\n")).code == ErrorCode.BAD_REFERENCE


def test_unknown_tag_and_town():
    tag = CLAUSE.replace("{field: rd_expense, op: 高于, value: 200万元}", "{field: tags, op: has, value: [no_such_tag]}")
    town = CLAUSE.replace("{field: rd_expense, op: 高于, value: 200万元}", "{field: town, op: in, value: [北京]}")
    assert _error(_policy(tag)).code == ErrorCode.BAD_VALUE
    assert _error(_policy(town)).code == ErrorCode.BAD_VALUE


def test_rate_on_count_base_is_refused():
    clause = CLAUSE.replace("{fixed: 5万元}", "{rate: 5%, base: employees}")
    assert _error(_policy(clause)).code == ErrorCode.BAD_UNIT


def test_bad_yaml_reports_the_line():
    err = _error("id: [unclosed\n")
    assert err.code == ErrorCode.BAD_YAML
    assert err.location.startswith("demo.yaml: line")


def test_error_renders_as_api_dict():
    err = _error(_policy(CLAUSE.replace("op: 高于", "op: 远高于")))
    assert err.as_dict() == {
        "code": "rules.bad_operator",
        "message": err.message,
        "extra": {"location": "demo.yaml: versions[0].clauses[0].conditions.op"},
    }


def test_duplicate_policy_id_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(_policy(), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_policy(), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_registry(tmp_path)
    assert (info.value.code, info.value.location) == (ErrorCode.DUPLICATE_ID, "b.yaml: id")


def test_test_case_for_unknown_policy(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("policy: nope\ncases: []\n", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_test_cases(path, demo_registry())
    assert info.value.code == ErrorCode.UNKNOWN_POLICY


def test_convention_makes_yishang_exclusive_per_clause():
    # given a clause that declares 以上 exclusive
    clause = CLAUSE.replace("op: 高于", "op: 以上") + "  convention: {以上: exclusive}\n"
    atom = load_policy_text(_policy(clause), "demo.yaml").versions[0].clauses[0].condition.items[0]
    # then the comparison is strict
    assert atom.op == "gt"
    # and by default 以上 includes the bound
    default = load_policy_text(_policy(CLAUSE.replace("op: 高于", "op: 以上")), "demo.yaml")
    assert default.versions[0].clauses[0].condition.items[0].op == "ge"


def test_inclusive_flag_overrides_the_word():
    clause = CLAUSE.replace("op: 高于, value: 200万元}", "op: 高于, value: 200万元, inclusive: true}")
    atom = load_policy_text(_policy(clause), "demo.yaml").versions[0].clauses[0].condition.items[0]
    assert atom.op == "ge"


# --------------------------------------------------------------------------- rules format 2 refusals


def _clause_with(conditions: str, benefit: str = "{fixed: 5万元}", extra: str = "") -> str:
    return (f"- id: c1\n  title: 测试\n  text: 测试条款\n  conditions: {conditions}\n  benefit: {benefit}\n{extra}")


@pytest.mark.parametrize("conditions, where", [
    ("[{field: rd_expense, op: 高于, value: 200万元}, {field: rd_expense, op: 低于, value: 100万元}]",
     "conditions[1]"),
    ("[{field: revenue, op: 等于, value: 1万元}, {field: revenue, op: 等于, value: 2万元}]", "conditions[1]"),
    ("[{field: employees, op: 高于, value: 3人}, {field: employees, op: 低于, value: 4人}]", "conditions[1]"),
    ("[{field: town, op: in, value: [青阳]}, {field: town, op: not_in, value: [青阳, 梅岭]}]", "conditions[1]"),
    ("[{field: industry_code, op: prefix, value: [C19]}, {field: industry_code, op: not_prefix, value: [C]}]",
     "conditions[1]"),
    ("[{qualification: high_tech}, {qualification: high_tech, op: 未持有}]", "conditions[1]"),
    ("[{field: founded_on, op: before, value: 2010-01-01}, {field: founded_on, op: on_or_after, value: 2015-01-01}]",
     "conditions[1]"),
    ("{qualification: specialized, level: provincial, min_level: national}", "conditions"),
    ("{field: founded_on, op: between, value: [2024-01-01, 2023-01-01]}", "conditions.value"),
])
def test_a_clause_that_contradicts_itself_is_refused_with_the_place(conditions, where):
    err = _error(_policy(_clause_with(conditions)))
    assert err.code == ErrorCode.CONTRADICTION == "rules.contradiction"
    assert err.location == f"demo.yaml: versions[0].clauses[0].{where}"
    assert "矛盾" in err.message or "没有交集" in err.message or "早于" in err.message


def test_a_case_that_can_never_apply_is_refused():
    clause = _clause_with("{field: revenue, op: 高于, value: 1亿元}",
                          "{cases: [{when: {field: revenue, op: 低于, value: 5000万元}, benefit: {fixed: 1万元}}]}")
    err = _error(_policy(clause))
    assert err.code == ErrorCode.CONTRADICTION and "第1种情形" in err.message


@pytest.mark.parametrize("conditions, code, where", [
    ("{qualification: no_such_type}", ErrorCode.UNKNOWN_FIELD, "conditions.qualification"),
    ("{qualification: specialized, level: 市级}", ErrorCode.UNKNOWN_LEVEL, "conditions.level"),
    ("{qualification: high_tech, level: national}", ErrorCode.UNKNOWN_LEVEL, "conditions"),
    ("{qualification: high_tech, op: 晋级}", ErrorCode.UNKNOWN_LEVEL, "conditions.op"),
    ("{field: tax_credit_grade, op: 以上, value: AAA}", ErrorCode.UNKNOWN_LEVEL, "conditions.value"),
    ("{items: no_such_kind, op: 不少于, value: 1项}", ErrorCode.UNKNOWN_FIELD, "conditions.items"),
    ("{items: patents, where: {field: revenue, op: 高于, value: 1元}, op: 不少于, value: 1项}",
     ErrorCode.UNKNOWN_FIELD, "conditions.where.field"),
    ("{items: patents, op: 不少于, value: 2}", ErrorCode.MISSING_UNIT, "conditions.value"),
    ("{field: revenue.sum(3), op: 高于, value: 300}", ErrorCode.MISSING_UNIT, "conditions.value"),
])
def test_unknown_facts_levels_and_missing_units_are_refused(conditions, code, where):
    err = _error(_policy(_clause_with(conditions)))
    assert (err.code, err.location) == (code, f"demo.yaml: versions[0].clauses[0].{where}")


def test_payment_and_optional_declarations_are_checked():
    once_top_up = _clause_with("{field: revenue, op: 高于, value: 1元}", extra="  once: true\n  top_up: true\n")
    assert _error(_policy(once_top_up)).code == ErrorCode.CONTRADICTION
    optional_cap = _clause_with("{field: revenue, op: 高于, value: 1元}",
                                "{rate: 5%, base: revenue, cap_to: fiscal_contribution@prev}",
                                "  optional: [fiscal_contribution@prev]\n")
    assert _error(_policy(optional_cap)).code == ErrorCode.BAD_VALUE
    unused = _clause_with("{field: revenue, op: 高于, value: 1元}", extra="  optional: [exports]\n")
    err = _error(_policy(unused))
    assert err.code == ErrorCode.BAD_VALUE and err.location.endswith("clauses[0].optional")
    item_amount = _clause_with("{field: revenue, op: 高于, value: 1元}",
                               "{items: {of: equipment, each: {rate: 10%, base: amount, cap: 5}}}")
    assert _error(_policy(item_amount)).code == ErrorCode.MISSING_UNIT


def test_a_refused_file_publishes_nothing_in_a_registry(tmp_path):
    (tmp_path / "good.yaml").write_text(_policy(), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(_policy(_clause_with(
        "[{field: rd_expense, op: 高于, value: 200万元}, {field: rd_expense, op: 低于, value: 100万元}]")).replace(
        "id: demo", "id: demo_bad"), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_registry(tmp_path)
    assert info.value.code == ErrorCode.CONTRADICTION and info.value.location.startswith("bad.yaml:")
