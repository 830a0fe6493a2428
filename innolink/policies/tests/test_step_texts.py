"""The engine's steps are messages: every frame is in the catalogue, and the once-only, top-up,
lifetime-cap, group and item steps read in English on an English page (no Chinese frame left,
only the names the rule files give)."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from innolink.engines.rules import explain, load_registry
from innolink.engines.rules import steps as S
from innolink.engines.rules.fields import load_catalogue
from innolink.policies import present

FEATURES = Path(__file__).resolve().parents[2] / "engines" / "rules" / "tests" / "features"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_every_engine_frame_is_listed_for_the_catalogue_and_translated():
    assert set(S.FRAMES) == set(present.STEP_FRAMES)
    with translation.override("en"):
        for frame in S.FRAMES:
            english = gettext(frame)
            assert english != frame or not CJK.search(frame), frame
            assert not CJK.search(english), (frame, english)
            # the same fields, so no page can fail on a missing or extra field
            assert set(re.findall(r"%\((\w+)\)s", english)) == set(re.findall(r"%\((\w+)\)s", frame)), frame


def _frame_only(step) -> str:
    """The English text with every parameter blanked: what the catalogue contributed."""
    with translation.override("en"):
        english = gettext(step.msgid)
    return re.sub(r"%\(\w+\)s", "", english)


def _answers():
    load_catalogue()
    registry = load_registry(FEATURES)
    records = [
        {"credit_code": "A", "qualifications": [  # top-up and once-only
            {"type": "specialized", "level": "provincial", "certified_on": dt.date(2022, 5, 1), "first": True},
            {"type": "specialized", "level": "national", "certified_on": dt.date(2024, 7, 1), "first": True}],
         "payments": [{"policy": "f1_qualifications", "family": "specialized_award", "year": 2022,
                       "amount": Decimal(200000)},
                      {"policy": "f1_qualifications", "family": "f1_qualifications.upgraded", "year": 2023,
                       "amount": Decimal(50000)}]},
        {"credit_code": "B", "qualifications": [  # lifetime cap
            {"type": "high_tech", "certified_on": dt.date(2024, 11, 1), "first": True}],
         "payments": [{"policy": "f1_qualifications", "family": "x", "year": 2022, "amount": Decimal(1_000_000)}]},
    ]
    return [explain(registry, r, 2024) for r in records]


def test_remembered_payments_and_caps_read_in_english():
    seen = set()
    for answer in _answers():
        for a in answer.eligible + answer.not_eligible:
            for step in (*a.steps, *(p.message for p in a.payments),
                         *(s for line in a.items for s in line.steps)):
                assert isinstance(step, S.Step), step
                seen.add(step.msgid)
                with translation.override("en"):
                    text = present.step_text(step)
                assert not CJK.search(_frame_only(step)), step.msgid
                assert text != str(step) or not CJK.search(step.msgid)
                with translation.override("zh-hans"):
                    assert present.step_text(step) == str(step)  # Chinese pages read the engine's words
    assert {S.TOP_UP, S.ONCE_PAID, S.LIFETIME_CAP, S.PAYABLE_SHARED, S.PAID_FAMILY} <= seen, seen


def test_amounts_inside_steps_are_worded_for_the_reader():
    step = S.Step(S.ONCE_PAID, years=S.Seq([2022, 2023]), paid=S.Money(5_000_000))
    assert str(step) == "一次性奖励:已于2022、2023年度兑现5万元,本年度不再兑现"
    with translation.override("en"):
        assert present.step_text(step) == "Once-only award: 50,000 yuan already paid for 2022, 2023, not paid again this year"


def test_a_step_survives_a_cache_round_trip():
    import pickle

    step = S.Step(S.GROUP, rule=S.Step(S.GROUP_HIGHEST), group="就高", winners=S.Seq(["甲", "乙"]))
    again = pickle.loads(pickle.dumps(step))
    assert again == step and again.msgid == S.GROUP and again.params["winners"].sep == "、"


@pytest.mark.django_db
def test_the_english_answer_page_has_no_chinese_step_frame(client, synced):
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user
    from innolink.policies.tests.factories import YEAR, high_tech_enterprise

    enterprise = high_tech_enterprise()
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    from django.urls import reverse

    client.cookies["django_language"] = "en"
    page = client.get(reverse("policies:mine") + f"?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Payable " in html
    assert "应兑现" not in html and "按比例核减" not in html


def test_a_stored_step_is_worded_again_in_the_readers_language():
    from innolink.engines.rules.answers import ConditionCheck

    check = ConditionCheck("revenue", "营业收入", "ge", "77万元", "100万元", "23万元", 0.23, False,
                           "营业收入77万元,需不低于100万元,还差23万元", "p.yaml")
    step = S.Step(S.SUMMARY_NOT, reason=S.Said(check, 2025))
    assert str(step) == "暂不符合:营业收入77万元,需不低于100万元,还差23万元"
    for value in (step, S.Step(S.ONCE_PAID, years=S.Seq([2022, 2023]), paid=S.Money(5_000_000))):
        import json

        stored = json.loads(json.dumps(S.to_data(value)))
        again = S.from_data(stored)
        assert again == value and again.msgid == value.msgid
        with translation.override("en"):
            assert present.step_text(stored) == present.step_text(value)
    with translation.override("en"):
        english = present.step_text(step)
    assert english == "Not yet eligible: " + _english_miss(check)
    # the frame is English; the label and the figures are the engine's display strings, as on
    # every English answer page
    assert english == "Not yet eligible: 营业收入: now 77万元, required at least 100万元, short by 23万元"
    assert present.step_text("一段旧的文字") == "一段旧的文字"  # an older stored text as it was


def _english_miss(check) -> str:
    with translation.override("en"):
        return present.miss_view(check, None, 2025).text


@pytest.mark.django_db
def test_a_failing_conditions_own_words_read_in_english_in_the_summary(client, synced):
    from django.template import Context, Template
    from django.urls import reverse
    from django.utils.html import escape

    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user
    from innolink.policies import fetch
    from innolink.policies.tests.factories import YEAR, rd_enterprise

    enterprise = rd_enterprise(rd="2000000", rd_prev="900000")  # exactly 200万: 高于 is strict
    answer = explain(fetch.rules_registry(), fetch.record_for(enterprise.pk, YEAR), YEAR,
                     policy_ids={"p02_rd_investment_award"})
    rd = next(a for a in answer.not_eligible if a.clause_id == "rd_increment_award")
    assert rd.summary.msgid == S.SUMMARY_NOT
    reason = rd.summary.params["reason"]
    assert isinstance(reason, S.Said) and str(reason) == rd.misses[0].message
    with translation.override("en"):
        english = present.step_text(rd.summary)
    assert english == "Not yet eligible: " + _english_miss(rd.misses[0])
    assert str(reason) not in english and "需" not in english and "当前" not in english, english
    # the pages show a summary through the ``step`` filter (an eligible card today)
    with translation.override("en"):
        shown = Template("{% load policies_tags %}{{ s|step }}").render(Context({"s": rd.summary}))
    assert shown == escape(present.readable(english))
    # the not-eligible card words the same check the same way
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("policies:mine") + f"?year={YEAR}").content.decode()
    assert escape(_english_miss(rd.misses[0])) in html and escape(str(reason)) not in html


LIBRARY = Path(__file__).resolve().parents[1] / "library"


def _library():
    load_catalogue()
    load_catalogue(LIBRARY / "data" / "catalogue.yaml")
    return load_registry(LIBRARY)


def test_levels_choices_and_inputs_read_in_the_pages_language():
    """A level's message and bracket labels, an 「或」's heading, a case level's remaining
    conditions and a missing input's request are steps too (ADR 0390): Chinese pages read the
    engine's words, English pages the English frames around the rules' names and figures."""
    registry = _library()
    tiers = explain(registry, {"credit_code": "A", "indicators": {2022: {"tech_upgrade_investment": Decimal(12_000_000)}}},
                    2022, policy_ids={"lib_hy_industry"}).clause("lib_hy_industry", "tech_upgrade")
    with translation.override("zh-hans"):
        chinese = present.level_view(tiers, 2022)
    assert chinese.message == str(tiers.level.message) == (
        "已达「工业技改投入达到1000万元」档,奖励8万元;再增加1800万元可达「工业技改投入达到3000万元」档,奖励10万元")
    with translation.override("en"):
        english = present.level_view(tiers, 2022)
    # the tiers' bounds are amounts worded for the reader (ADR 0799); the gap is still the
    # engine's text
    assert english.message == ("Tier “工业技改投入 reaches 10 million yuan” reached: award 80,000 yuan; "
                               "18 million yuan more reaches tier “工业技改投入 reaches 30 million yuan”: award 100,000 yuan")
    assert english.matched == "工业技改投入 reaches 10 million yuan"
    assert [lv["label"] for lv in english.ladder if lv["matched"] or lv["next"]] == [
        "工业技改投入 reaches 10 million yuan", "工业技改投入 reaches 30 million yuan"]

    cases = explain(registry, {"credit_code": "A", "qualifications": [
        {"type": "smart_manufacturing", "level": "city_factory", "certified_on": dt.date(2023, 6, 1)}]},
        2023, policy_ids={"lib_sz_industry_2022"}).clause("lib_sz_industry_2022", "smart_factory")
    with translation.override("en"):
        english = present.level_view(cases, 2023)
    assert english.message.startswith("“") and " applies: award 200,000 yuan; " in english.message
    with translation.override("zh-hans"):
        chinese = present.level_view(cases, 2023)
    # the engine's frame; the condition still needed inside it reads as the page words that
    # check elsewhere (as a summary's reason does, steps.Said)
    assert chinese.message.startswith("适用「绍兴市级智能工厂认定日期在政策年度内」,奖励20万元;")
    assert chinese.message.endswith(",还需:" + chinese.next_needs[0])
    # the next level's conditions read as the page words each check, in each language
    assert english.next_needs and len(english.next_needs) == len(chinese.next_needs)
    assert all(e != c for e, c in zip(english.next_needs, chinese.next_needs))
    assert ", still needs: " not in english.message and "and still needs: " in english.message

    record = {"credit_code": "A", "qualifications": [{"type": "tech_little_giant", "certified_on": dt.date(2023, 9, 1)}],
              "indicators": {}}
    clause = explain(registry, record, 2024, policy_ids={"lib_jj_sci_tech"}).clause(
        "lib_jj_sci_tech", "little_giant_rd_match")
    (need,) = clause.needs
    assert need.message == "请补充2024年度省级科技小巨人企业研发投入奖励金额(元)"
    with translation.override("en"):
        assert present.step_text(need.message) == "Please supply 省级科技小巨人企业研发投入奖励金额 for 2024 (元)"

    record = {"credit_code": "A", "qualifications": [{"type": "strategic_emerging", "certified_on": dt.date(2025, 6, 30),
                                                      "first": True}],
              "indicators": {2025: {"strategic_output": Decimal(19_600_000), "output_value": Decimal(40_000_000)}}}
    clause = explain(registry, record, 2025, policy_ids={"lib_jj_chain_2025"}).clause(
        "lib_jj_chain_2025", "new_strategic_emerging")
    with translation.override("en"):
        (choice,), _held = present.choices_view(clause, None, 2025)
    assert choice.label == "Any one of the following is enough"
    with translation.override("zh-hans"):
        assert present.choices_view(clause, None, 2025)[0][0].label == "满足以下条件之一即可"



# ---------------------------------------------------------------- routes of an 「或」 (ADR 0792)

LIBRARY = Path(__file__).resolve().parents[1] / "library"


def test_every_word_a_route_can_name_is_listed_and_reads_in_english():
    from innolink.engines.rules.parse import ORDER_OPS, QUAL_WORDS, WORD_FOR

    engine_words = ({w for w in ORDER_OPS if not w.isascii()} | set(WORD_FOR.values())
                    | set(QUAL_WORDS.values()) | {S.ROUTE_AND, S.ROUTE_OR})
    assert engine_words <= set(present.ROUTE_WORDS)
    with translation.override("en"):
        assert [w for w in present.ROUTE_WORDS if CJK.search(gettext(w))] == []


def _chain_clause(language: str | None = None):
    load_catalogue()
    load_catalogue(LIBRARY / "data" / "catalogue.yaml")
    registry = load_registry(LIBRARY)
    record = {"credit_code": "A", "qualifications": [
        {"type": "strategic_emerging", "certified_on": dt.date(2025, 6, 30), "first": True}],
        "indicators": {2025: {"strategic_output": Decimal(19_600_000),
                              "output_value": Decimal(40_000_000)}}}
    return explain(registry, record, 2025, policy_ids={"lib_jj_chain_2025"}).clause(
        "lib_jj_chain_2025", "new_strategic_emerging")


def test_the_routes_of_an_or_keep_their_chinese_text_and_read_in_english():
    clause = _chain_clause()
    (choice,) = clause.choices
    labels = [r.label for r in choice.routes]
    # the engine's text is as before: rule labels and values with the Chinese glue
    assert labels == ["工业战略性新兴产品产值2000万元及以上", "工业战略性新兴产品产值占工业总产值比重50%及以上"]
    assert all(isinstance(label, S.Step) for label in labels)
    with translation.override("en"):
        english = [present.step_text(label) for label in labels]
        summary = present.step_text(clause.summary)
    assert english == ["工业战略性新兴产品产值 at least 2000万元",
                       "工业战略性新兴产品产值占工业总产值比重 at least 50%"]
    assert summary == ("Not yet eligible; any one of these is enough: 工业战略性新兴产品产值 at least "
                       "2000万元 or 工业战略性新兴产品产值占工业总产值比重 at least 50%")
    with translation.override("zh-hans"):
        assert [present.step_text(label) for label in labels] == labels
        assert present.step_text(clause.summary) == clause.summary


def test_route_glue_reads_in_each_language():
    held = S.Step(S.ROUTE_QUAL, word=S.Word("持有"), value="国家高新技术企业")
    known = S.Step(S.ROUTE_KNOWN, label="研发费用")
    more = S.Step(S.ROUTE_PARTS_MORE, parts=S.Seq([held, known, S.Step(S.ROUTE_NOT, label=known)],
                                                  S.ROUTE_AND))
    either = S.Step(S.ROUTE_PARTS, parts=S.Seq([held, known], S.ROUTE_OR))
    assert (more, either) == ("持有国家高新技术企业且研发费用有数据且非(研发费用有数据)等",
                              "持有国家高新技术企业或研发费用有数据")
    with translation.override("en"):
        assert present.step_text(more) == ("国家高新技术企业 (held) and 研发费用 on record and "
                                           "not (研发费用 on record), etc.")
        assert present.step_text(either) == "国家高新技术企业 (held) or 研发费用 on record"
    with translation.override("zh-hans"):
        assert present.step_text(more) == more and present.step_text(either) == either
    again = S.from_data(S.to_data(more))  # a stored route reads the same
    assert again == more and isinstance(again.params["parts"][0].params["word"], S.Word)
