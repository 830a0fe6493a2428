"""AI scenarios: needs and solutions matched both ways by the matching engine with explanations;
proposing and signing are scoped to the two sides and staff."""

import pytest

from innolink.compute import fetch, services
from innolink.compute.models import ScenarioMatch, Tally
from innolink.compute.tests.conftest import provider_user
from innolink.core.errors import Conflict, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(enterprise_a):
    vision = provider_user("视觉科技", kind="solution", is_partner=True)
    planner = provider_user("排产软件", kind="solution", is_partner=True)
    s1 = services.solution_save(actor=vision, title="鞋面缺陷视觉检测系统", kinds=["视觉质检"],
                                description="基于深度学习的鞋面、大底外观缺陷检测，产线实时判定",
                                cases="某鞋企大底车间：漏检率由5%降至0.8%\n某纺织企业布面瑕疵检测")
    s2 = services.solution_save(actor=planner, title="订单智能排产", kinds=["智能排产", "需求预测"],
                                description="按订单交期和设备产能自动排产，预测季节性订单",
                                cases="某食品企业：排产时间由半天缩短到10分钟")
    need = services.need_create(actor=enterprise_a, kind="视觉质检", title="运动鞋大底外观缺陷检测",
                                description="大底成型后人工目检，夜班漏检多，希望用视觉检测替代",
                                data_available="三个月的缺陷照片约2万张", expected_gain="漏检率降到1%以下")
    return {"vision": vision, "planner": planner, "s1": s1, "s2": s2, "need": need}


def test_both_directions_rank_with_explanations(catalogue):
    found = fetch.solutions_for_need(catalogue["need"])
    assert [s.pk for s, _score, _e in found][0] == catalogue["s1"].pk
    explanation = found[0][2]
    assert explanation["summary"] and "领域一致：视觉质检" in explanation["reasons"]
    back = fetch.needs_for_solution(catalogue["s1"])
    assert back[0][0].pk == catalogue["need"].pk


def test_propose_and_sign_count_in_the_tallies(catalogue, enterprise_a, enterprise_b):
    with pytest.raises(NotFound):
        services.match_propose(actor=enterprise_b, need_id=catalogue["need"].pk,
                               solution_id=catalogue["s1"].pk)
    with pytest.raises(NotFound):  # a provider may propose only its own solution
        services.match_propose(actor=catalogue["planner"], need_id=catalogue["need"].pk,
                               solution_id=catalogue["s1"].pk)
    match = services.match_propose(actor=catalogue["vision"], need_id=catalogue["need"].pk,
                                   solution_id=catalogue["s1"].pk)
    assert match.explanation["summary"] and match.score > 0
    with pytest.raises(Conflict):
        services.match_propose(actor=enterprise_a, need_id=catalogue["need"].pk,
                               solution_id=catalogue["s1"].pk)
    with pytest.raises(NotFound):
        services.match_decide(actor=catalogue["vision"], match_id=match.pk, signed=True)
    services.match_decide(actor=enterprise_a, match_id=match.pk, signed=True)
    assert ScenarioMatch.objects.get(pk=match.pk).state == "signed"
    tally = Tally.objects.get(town="陈埭")
    assert (tally.scenarios_matched, tally.scenarios_signed) == (1, 1)


@pytest.mark.parametrize("budget", ["1e30", "1" + "0" * 40, "99999999999999999", "NaN", "-5"])
def test_huge_or_odd_budget_is_a_field_error_and_nothing_written(enterprise_a, budget):
    from innolink.compute.models import ScenarioNeed
    from innolink.core.errors import ValidationFailed
    from innolink.core.models import AuditEntry

    before = (ScenarioNeed.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        services.need_create(actor=enterprise_a, kind="视觉质检", title="大底外观缺陷检测",
                             description="人工目检漏检多", budget=budget)
    assert "预算" in " ".join(caught.value.fields["budget"])
    assert (ScenarioNeed.objects.count(), AuditEntry.objects.count()) == before
