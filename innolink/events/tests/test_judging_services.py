"""Judging services: rounds with a rubric, conflict-free assignment within load limits, scoring
only one's own assignment, normalised ranked results with ties, awards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_user
from innolink.events import selectors, services
from innolink.events.models import (
    Award,
    Criterion,
    DeclaredConflict,
    JudgingRound,
    ResultRow,
    ReviewAssignment,
    Score,
)
from innolink.events.tests.factories import (
    make_institution,
    make_proposal,
    make_researcher,
    make_reviewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged(staff):
    """A round (k=2) with three entries and four reviewers; reviewer 0 shares an institution
    with the first entry's researcher, reviewer 1 serves the second entry's enterprise."""
    hqu = make_institution("华侨大学")
    proposals = [make_proposal(researcher=make_researcher(institution=hqu)),
                 make_proposal(), make_proposal()]
    reviewers = [make_reviewer(institution=hqu),
                 make_reviewer(enterprises=[proposals[1].challenge.enterprise]),
                 make_reviewer(), make_reviewer()]
    rnd = services.round_create(actor=staff, title="2026 揭榜领题赛决赛", reviewers_per_entry=2,
                                default_max_load=3)
    entries = services.round_entries_add(actor=staff, round=rnd, proposals=proposals)
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=reviewers)
    return {"round": rnd, "entries": entries, "reviewers": reviewers, "proposals": proposals}


def test_round_gets_the_default_rubric(staff):
    rnd = services.round_create(actor=staff, title="初赛")
    assert [(c.name, c.max_points) for c in rnd.criteria.all()] == [
        ("技术可行性", Decimal(30)), ("创新性", Decimal(30)), ("团队能力", Decimal(20)),
        ("预算合理性", Decimal(20))]
    assert AuditEntry.objects.filter(model="events.judginground", action="create").count() == 1


@pytest.mark.parametrize("criteria, message", [
    ([("创新性", "30"), ("创新性", "20")], "评分项名称不能重复"),
    ([("创新性", "0")], "评分项“创新性”的满分应在 0.5 到 100 之间"),
    ([("创新性", "abc")], "评分项“创新性”的满分必须是数字"),
    ([("", "10")], "第 1 个评分项缺少名称"),
    ([], "评分细则至少需要一个评分项"),
])
def test_bad_rubric_is_refused_and_nothing_written(staff, criteria, message):
    with pytest.raises(ValidationFailed) as caught:
        services.round_create(actor=staff, title="初赛", criteria=criteria)
    assert caught.value.fields == {"criteria": [message]}
    assert not JudgingRound.objects.exists() and not Criterion.objects.exists()


def test_a_round_judging_a_programme_takes_its_weighted_rubric(staff, client):
    # a contest's listings come with the judging rubric the contest publishes (decision 0352)
    from django.urls import reverse

    from innolink.challenges.models import Programme

    programme = Programme.objects.create(
        name="第三届揭榜领题赛（演示）", track="揭榜领题赛", rubric=[
            {"name": "技术方案先进性", "weight": 40, "guidance": "路线与指标"},
            {"name": "团队实力", "weight": 30, "guidance": ""},
            {"name": "转化可行性", "weight": 30, "guidance": "中试与成本"}])
    rnd = services.round_create(actor=staff, title="揭榜领题赛复赛", programme_id=programme.pk)
    assert rnd.programme == programme
    assert [(c.name, c.max_points, c.guidance) for c in rnd.criteria.all()] == [
        ("技术方案先进性", Decimal("40.00"), "路线与指标"), ("团队实力", Decimal("30.00"), ""),
        ("转化可行性", Decimal("30.00"), "中试与成本")]
    entry = AuditEntry.objects.get(model="events.judginground", object_id=str(rnd.pk))
    assert entry.changes["programme"] == [None, programme.name]
    # criteria given explicitly still win; a programme without a rubric leaves the default
    own = services.round_create(actor=staff, title="自定细则", programme_id=programme.pk,
                                criteria=[("创新性", 100, "")])
    assert [c.name for c in own.criteria.all()] == ["创新性"]
    bare = Programme.objects.create(name="无细则的榜单")
    assert [c.name for c in services.round_create(
        actor=staff, title="默认", programme_id=bare.pk).criteria.all()] == [
        n for n, _p, _g in services.DEFAULT_RUBRIC]
    with pytest.raises(ValidationFailed):
        services.round_create(actor=staff, title="x", programme_id=999999)
    # the page prefills the rubric of the chosen programme and keeps the choice
    client.force_login(staff)
    page = client.get(reverse("events:round-create") + f"?programme={programme.pk}")
    body = page.content.decode()
    assert 'value="技术方案先进性"' in body and f'name="programme" value="{programme.pk}"' in body


def test_k_out_of_range_is_refused(staff):
    with pytest.raises(ValidationFailed) as caught:
        services.round_create(actor=staff, title="初赛", reviewers_per_entry=0)
    assert caught.value.fields == {"reviewers_per_entry": ["每个方案的评审专家数应在 1 到 15 之间"]}


def test_assignment_never_uses_a_conflict_and_says_why(staff, judged):
    out = services.round_assign(actor=staff, round=judged["round"])
    e0, e1, _ = (e.pk for e in judged["entries"])
    r0, r1, r2, r3 = (u.pk for u in judged["reviewers"])
    assert out.created == 6 and out.unmet == {} and out.problems == []
    pairs = set(ReviewAssignment.objects.values_list("entry_id", "reviewer_id"))
    assert (e0, r0) not in pairs and (e1, r1) not in pairs
    enterprise = judged["proposals"][1].challenge.enterprise.name
    assert (e0, r0, "同一单位：华侨大学") in out.refused
    assert (e1, r1, f"同一企业：{enterprise}") in out.refused
    loads = {}
    for _, r in pairs:
        loads[r] = loads.get(r, 0) + 1
    assert max(loads.values()) <= 3
    assert all(sum(1 for e, _ in pairs if e == entry.pk) == 2 for entry in judged["entries"])
    # running it again adds nothing: every entry already has k reviewers
    assert services.round_assign(actor=staff, round=judged["round"]).created == 0


def test_feasibility_explains_why_k_cannot_be_met(staff, judged):
    rnd = judged["round"]
    rnd.reviewers_per_entry = 4
    rnd.save()
    out = services.round_assign(actor=staff, round=rnd)
    title0, title1 = (p.challenge.title for p in judged["proposals"][:2])
    assert out.problems == [
        f"《{title0}》需要 4 位评审专家，但只有 3 位无利益冲突的专家（回避 1 位：同一单位 1 位）",
        f"《{title1}》需要 4 位评审专家，但只有 3 位无利益冲突的专家（回避 1 位：同一企业 1 位）",
    ]
    assert sum(m for m, _ in out.unmet.values()) == 12 - out.created


def _open(staff, judged):
    services.round_assign(actor=staff, round=judged["round"])
    services.round_open_scoring(actor=staff, round=judged["round"])
    return judged["round"]


def _full(rnd, minus: Decimal = Decimal(0)):
    return {c.pk: str(c.max_points - minus) for c in rnd.criteria.all()}


def test_reviewer_scores_only_their_own_assignment(staff, judged):
    rnd = _open(staff, judged)
    mine = ReviewAssignment.objects.filter(round=rnd).first()
    other = ReviewAssignment.objects.filter(round=rnd).exclude(reviewer=mine.reviewer).first()
    with pytest.raises(NotFound):
        services.score_submit(actor=mine.reviewer, assignment=other, points=_full(rnd))
    assert not Score.objects.exists()
    services.score_submit(actor=mine.reviewer, assignment=mine, points=_full(rnd, Decimal(5)),
                          comment="路线清晰")
    mine.refresh_from_db()
    assert mine.state == "submitted" and mine.total == Decimal("80.00")
    assert Score.objects.filter(assignment=mine).count() == 4
    assert AuditEntry.objects.filter(model="events.reviewassignment",
                                     object_id=str(mine.pk)).exists()


def test_bad_scores_are_refused_with_the_rule_and_nothing_written(staff, judged):
    rnd = _open(staff, judged)
    a = ReviewAssignment.objects.filter(round=rnd).first()
    crit = list(rnd.criteria.all())
    points = _full(rnd)
    points[crit[0].pk] = "1e30"  # out of range, not a 500
    points[crit[1].pk] = "abc"
    del points[crit[2].pk]
    with pytest.raises(ValidationFailed) as caught:
        services.score_submit(actor=a.reviewer, assignment=a, points=points)
    assert caught.value.fields == {
        f"criterion_{crit[0].pk}": ["“技术可行性”的得分应在 0 到 30 之间"],
        f"criterion_{crit[1].pk}": ["“创新性”的得分必须是数字"],
        f"criterion_{crit[2].pk}": ["请为“团队能力”打分"],
    }
    a.refresh_from_db()
    assert a.state == "assigned" and a.total is None and not Score.objects.exists()


def test_scores_refused_before_scoring_opens(staff, judged):
    services.round_assign(actor=staff, round=judged["round"])
    a = ReviewAssignment.objects.first()
    with pytest.raises(Conflict):
        services.score_submit(actor=a.reviewer, assignment=a, points=_full(judged["round"]))


def test_finalise_ranks_with_ties_and_records_awards(staff, judged):
    rnd = _open(staff, judged)
    with pytest.raises(Conflict) as caught:
        services.round_finalise(actor=staff, round=rnd)
    assert caught.value.extra == {"missing": 6}
    # every reviewer gives the first two entries the same score and the third less
    third = judged["entries"][2].pk
    for a in ReviewAssignment.objects.filter(round=rnd):
        services.score_submit(actor=a.reviewer, assignment=a, points=_full(
            rnd, Decimal(10) if a.entry_id == third else Decimal(2)))
    rows = services.round_finalise(actor=staff, round=rnd)
    by_entry = {r.entry_id: r for r in ResultRow.objects.filter(round=rnd)}
    e0, e1, e2 = (e.pk for e in judged["entries"])
    assert len(rows) == 3
    assert (by_entry[e0].rank, by_entry[e1].rank, by_entry[e2].rank) == (1, 1, 3)
    assert by_entry[e0].tied_with == [e1] and by_entry[e2].tied_with == []
    rnd.refresh_from_db()
    assert rnd.state == "finalised"
    # scoring is closed now
    a = ReviewAssignment.objects.filter(round=rnd).first()
    with pytest.raises(Conflict):
        services.score_submit(actor=a.reviewer, assignment=a, points=_full(rnd))
    # awards: a bad prize is refused, a good one recorded and the researcher notified
    entry = judged["entries"][0]
    with pytest.raises(ValidationFailed) as bad:
        services.award_record(actor=staff, round=rnd, entry=entry, level="first", prize="-1")
    assert bad.value.fields == {"prize": ["奖金：不得为负数"]}
    for huge in ("1e30", "1" + "0" * 40, Decimal("1E+30"), "NaN", "100.001"):  # never a 500
        with pytest.raises(ValidationFailed) as bad:
            services.award_record(actor=staff, round=rnd, entry=entry, level="first",
                                  prize=huge)
        assert bad.value.fields["prize"][0].startswith("奖金："), huge
    assert not Award.objects.exists()
    award = services.award_record(actor=staff, round=rnd, entry=entry, level="first",
                                  prize="100000.00")
    assert award.prize == Decimal("100000.00")
    assert Notification.objects.filter(kind="events.award",
                                       recipient=entry.proposal.researcher.user).exists()
    services.award_record(actor=staff, round=rnd, entry=entry, level="second")
    award.refresh_from_db()
    assert award.level == "second" and award.prize is None
    assert AuditEntry.objects.filter(model="events.award").count() == 2


def test_recusal_withdraws_the_assignment_and_blocks_reassignment(staff, judged):
    rnd = _open(staff, judged)
    a = ReviewAssignment.objects.filter(round=rnd).first()
    reviewer, proposal = a.reviewer, a.entry.proposal
    services.conflict_declare(actor=reviewer, reviewer=reviewer, proposal=proposal,
                              reason="曾指导该团队")
    assert not ReviewAssignment.objects.filter(pk=a.pk).exists()
    assert Notification.objects.filter(kind="events.recused", recipient=staff).exists()
    services.round_assign(actor=staff, round=rnd)
    assert not ReviewAssignment.objects.filter(entry=a.entry, reviewer=reviewer).exists()
    plan = selectors.round_assignment_plan(rnd)
    assert (a.entry_id, reviewer.pk, "本人声明回避：曾指导该团队") in plan.refused


def test_declaration_needs_a_reason_and_one_target(staff, judged):
    reviewer = judged["reviewers"][2]
    with pytest.raises(ValidationFailed) as caught:
        services.conflict_declare(actor=reviewer, reviewer=reviewer, reason=" ",
                                  proposal=judged["proposals"][0])
    assert caught.value.fields == {"reason": ["请填写回避理由"]}
    with pytest.raises(PermissionDenied):  # one reviewer cannot declare for another
        services.conflict_declare(actor=judged["reviewers"][3], reviewer=reviewer,
                                  reason="x", proposal=judged["proposals"][0])
    assert not DeclaredConflict.objects.exists()


def test_only_reviewers_join_a_round(staff, judged):
    with pytest.raises(ValidationFailed):
        services.round_reviewers_add(actor=staff, round=judged["round"],
                                     reviewers=[make_user(Role.RESEARCHER)])
    with pytest.raises(Conflict):
        services.round_reviewers_add(actor=staff, round=judged["round"],
                                     reviewers=[judged["reviewers"][0]])
    assert judged["round"].reviewers.count() == 4
