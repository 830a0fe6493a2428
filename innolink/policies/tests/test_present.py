"""Reasons and arithmetic the engine words in Chinese read in the page's language."""

from types import SimpleNamespace

from django.utils import translation

from innolink.policies import present


def _check(**kw):
    base = {"field": "town", "label": "所在镇街", "op": "in", "value": "龙湖", "threshold": "灵源、内坑",
            "gap": None, "passed": False, "message": "所在镇街为龙湖,需属于灵源、内坑", "needs": ()}
    base.update(kw)
    return SimpleNamespace(**base)


def _text(check, lang):
    with translation.override(lang):
        return present.miss_view(check, None, 2025).text


def test_membership_and_dates_in_english_and_chinese():
    town = _check()
    assert _text(town, "en") == "所在镇街 is 龙湖; it must be one of 灵源、内坑"
    assert _text(town, "zh-hans") == "所在镇街为龙湖，需属于灵源、内坑"
    founded = _check(field="founded_on", label="成立日期", op="within_years", value="2015-06-02",
                     threshold="3年内", message="成立日期为2015-06-02,需不早于2023-01-01(3年内)")
    assert _text(founded, "en") == "成立日期 is 2015-06-02; it must be on or after 2023-01-01 (within 3 years)"
    certified = _check(field="high_tech.certified_on", label="高新技术企业认定日期", op="in_policy_year",
                       value="2022-10-25", threshold="0", message="高新技术企业认定日期为2022-10-25,需在2025年内")
    assert _text(certified, "en") == "高新技术企业认定日期 is 2022-10-25; it must fall within 2025"


def test_qualifications_and_prerequisites():
    tags = _check(field="tags", label="资质", op="has_all", value=None, threshold="国家级小巨人、瞪羚",
                  message="需具备:瞪羚")
    assert _text(tags, "en") == "Requires: 瞪羚"  # only what the enterprise lacks
    assert _text(tags, "zh-hans") == "需具备：瞪羚"
    excluded = _check(field="tags", op="has_none", value=None, threshold="失信", message="存在排除情形:失信")
    assert _text(excluded, "en") == "Excluded by: 失信"
    requires = _check(field="requires", label="研发经费增量奖励", op="requires", value=None,
                      threshold="研发经费增量奖励", message="需先符合「研发经费增量奖励」")
    assert _text(requires, "en") == "Requires first qualifying for “研发经费增量奖励”"


def test_comparison_word_follows_the_language():
    rd = _check(field="rd_expense", label="研发经费支出", op="ge", value="352万元", threshold="500万元",
                gap="148万元", message="研发经费支出还差148万元(当前352万元,需不低于500万元)")
    assert _text(rd, "en") == "研发经费支出: now 352万元, required at least 500万元, short by 148万元"
    assert _text(rd, "zh-hans") == "研发经费支出：当前352万元，需不低于500万元，还差148万元"


def test_an_unknown_operator_keeps_the_engine_sentence():
    odd = _check(op="matches", message="某条件不满足")
    assert _text(odd, "en") == "某条件不满足"


def test_steps_translate_their_frame_and_amounts_not_the_rule_names():
    from innolink.engines.rules import steps as S

    steps = [S.Step(S.MULTIPLY, label="进口额", base=S.Money(100_000_000), factor="0.5%", amount=S.Money(500_000)),
             S.Step(S.NOT_ABOVE, label="最高补助", limit=S.Money(30_000_000)),
             S.Step(S.PAYABLE_SHARED, amount=S.Money(500_000), ratio="1∶1",
                    parts=S.Seq([S.Step(S.SHARE, level="市", amount=S.Money(250_000)),
                                 S.Step(S.SHARE, level="县", amount=S.Money(250_000))])),
             "一段旧的文字"]  # a plain string (stored earlier) is shown as it is
    with translation.override("en"):
        assert present.steps_view(steps) == [
            "进口额 1 million yuan × 0.5% = 5,000 yuan", "Within 最高补助 300,000 yuan",
            "Payable 5,000 yuan, shared 1∶1: 市 2,500 yuan, 县 2,500 yuan", "一段旧的文字"]
    with translation.override("zh-hans"):
        assert present.steps_view(steps) == [str(s) for s in steps]
        assert present.steps_view(steps)[2] == "应兑现 5000元,按 1∶1 分担:市 2500元、县 2500元"


def _engine_checks():
    """Real checks of the engine's format 2 (ADR 0131) on the feature test registry."""
    import datetime as dt

    from innolink.engines.rules import explain, load_registry
    from innolink.engines.rules.fields import load_catalogue
    from innolink.engines.rules.tests.test_features_equivalence import FEATURES

    load_catalogue()
    record = {"credit_code": "A", "founded_on": dt.date(2015, 1, 1), "qualifications": [
        {"type": "specialized", "level": "provincial", "certified_on": dt.date(2020, 5, 1), "first": True},
        {"type": "dishonest", "level": None, "certified_on": dt.date(2023, 1, 1), "first": True},
        {"type": "listed", "level": None, "certified_on": dt.date(2018, 1, 1), "first": True},
        {"type": "high_tech", "level": None, "certified_on": dt.date(2022, 1, 1), "first": True}],
        "indicators": {2024: {"revenue": "60000000"}, 2023: {"revenue": "55000000"}, 2022: {"revenue": "1000"}}}
    answer = explain(load_registry(FEATURES), record, 2024, policy_ids={"f1_qualifications"}, history_from=2020)
    out = {}
    for clause in answer.not_eligible:
        for check in clause.misses:
            out.setdefault((clause.clause_id, check.op), check)
    return out


def test_engine_format_2_reasons_in_english_and_chinese():
    checks = _engine_checks()
    with translation.override("en"):
        assert present.miss_view(checks[("high_tech_split", "not_held")], None, 2024).text == \
            "Excluded by: 失信被执行人"  # not "Requires" (an excluded qualification)
        assert present.miss_view(checks[("national", "newly")], None, 2024).text == \
            "国家级专精特新“小巨人”企业 must be newly certified in 2024 (certified on 2020-05-01)"
        assert present.miss_view(checks[("upgraded", "upgraded")], None, 2024).text == \
            "专精特新中小企业 must rise to 省级专精特新中小企业及以上 in 2024 (now: not held)"
        assert present.miss_view(checks[("listed_recent", "within_years")], None, 2024).text == \
            "The certification date of 上市企业 must be within 3 years (certified on 2018-01-01)"
        assert present.miss_view(checks[("young", "within_years")], None, 2024).text == \
            "成立日期 is 2015-01-01; it must be within 5 years"  # not "before before …"
        assert present.miss_view(checks[("first_big", "gt")], None, 2024).text == \
            "营业收入 already met “超过5000万元” in 2023 (5500万元), so 2024 is not the first time"
    with translation.override("zh-hans"):
        assert present.miss_view(checks[("high_tech_split", "not_held")], None, 2024).text == "存在排除情形：失信被执行人"
        assert present.miss_view(checks[("young", "within_years")], None, 2024).text == "成立日期为2015-01-01，需在5年内"
        assert present.miss_view(checks[("first_big", "gt")], None, 2024).text == \
            "营业收入2023年已超过5000万元（5500万元），2024年不是首次"


def test_compared_amounts_read_in_yuan_in_english_and_as_before_in_chinese():
    """A condition over amounts carries them in fen (``ConditionCheck.money``): English words them
    through core.money.money_text; Chinese keeps the engine's 万元 text. Stored as data (a
    ``Said`` step) they come back the same."""
    import json

    from innolink.engines.rules import steps as S
    from innolink.engines.rules.answers import ConditionCheck

    check = ConditionCheck("rd_expense", "研发经费支出", "ge", "352.37万元", "500万元", "147.63万元",
                           0.29, False, "研发经费支出还差147.63万元(当前352.37万元,需不低于500万元)",
                           "p.yaml:3", year=2025, money=("352370000", "500000000", "147630000"))
    stored = S.from_data(json.loads(json.dumps(S.to_data(S.Said(check, 2025))))).check
    for c in (check, stored):
        with translation.override("en"):
            view = present.miss_view(c, None, 2025)
            assert "352.37万元" not in view.text and "万元" not in view.text
            assert "3,523,700 yuan" in view.text and "5 million yuan" in view.text
            assert view.text.endswith("1,476,300 yuan")
        with translation.override("zh-hans"):
            assert present.miss_view(c, None, 2025).text == \
                "研发经费支出：当前352.37万元，需不低于500万元，还差147.63万元"


def test_tier_bounds_are_amounts_worded_per_language():
    from innolink.engines.rules import steps as S

    reached = S.Step(S.TIER_REACHED, label="营业收入", base=S.Money(600_000_000),
                     tier=S.Money(500_000_000), amount=S.Money(10_000_000))
    with translation.override("en"):
        text = present.step_text(reached)
        assert "万元" not in text and "5 million yuan" in text and "6 million yuan" in text
    with translation.override("zh-hans"):
        assert present.step_text(reached) == str(reached) == "营业收入 600万元 达到 500万元 档,奖励 10万元"
