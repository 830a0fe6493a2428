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


def test_steps_translate_their_frame_only():
    steps = ["进口额 100万元 × 0.5% = 0.5万元", "未超过最高补助 30万元",
             "应兑现 0.5万元,按 1∶1 分担:市 0.25万元、县 0.25万元"]
    with translation.override("en"):
        assert present.steps_view(steps) == [
            "进口额 100万元 × 0.5% = 0.5万元", "Not above 最高补助: 30万元",
            "Payable 0.5万元, shared 1∶1: 市 0.25万元、县 0.25万元"]
    with translation.override("zh-hans"):
        assert present.steps_view(steps)[2] == "应兑现 0.5万元，按 1∶1 分担：市 0.25万元、县 0.25万元"
