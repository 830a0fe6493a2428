"""Ranking runs: computed in a job, stored, reproducible; refusals before any run; the
workflow computed → reviewed → 公示 → published with its audit trail."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from innolink.core.errors import ApplicationError, Conflict, ValidationFailed
from innolink.core.models import AuditEntry, Job
from innolink.engines.ranking import ListResult, compare_lists, load_methodologies, run_rankings
from innolink.enterprises.models import EnterpriseYear
from innolink.rankings import selectors, services
from innolink.rankings.fetch import build_snapshot
from innolink.rankings.models import (
    Correction,
    Objection,
    RankingEntry,
    RankingList,
    RankingRun,
)
from innolink.rankings.tests.factories import (
    computed_run,
    flag,
    make_population,
    notice_run,
    published_run,
    reviewed_run,
)

pytestmark = pytest.mark.usefixtures("small_lists")


def _audit(run, action="transition"):
    return list(AuditEntry.objects.filter(model="rankings.rankingrun", object_id=str(run.pk),
                                          action=action).order_by("id"))


def test_a_run_stores_every_list_as_the_engine_computes_it(population, organizer, small_lists):
    run = computed_run(2025, organizer)

    assert run.status == RankingRun.Status.COMPUTED
    assert run.job.status == Job.Status.SUCCEEDED
    expected = run_rankings(load_methodologies(small_lists), build_snapshot(2025))
    assert run.fingerprint == expected.fingerprint
    assert run.data_fingerprint == expected.data_fingerprint
    stored = {rl.list_id: rl for rl in run.lists.all()}
    assert list(stored) == list(services.LIST_ORDER)  # display order, tax list included
    for list_id, lr in expected.lists.items():
        assert stored[list_id].result == lr.to_dict()
        assert stored[list_id].methodology_hash == lr.methodology_hash
        members = list(stored[list_id].entries.filter(in_list=True).order_by("position")
                       .values_list("enterprise_id", "rank"))
        assert members == [(e.enterprise_id, e.rank) for e in lr.entries]
        pending = stored[list_id].entries.filter(review=RankingEntry.Review.PENDING).count()
        assert pending == sum(e.uncertain for e in (*lr.entries, *lr.review))


def test_recomputing_a_run_gives_the_same_lists_until_the_data_change(population, organizer):
    run = computed_run(2025, organizer)

    assert services.run_reproduce(run=run) == {
        "same_data": True, "same_fingerprint": True, "identical": True,
        "same_lists": {list_id: True for list_id in services.LIST_ORDER}}
    again = computed_run(2025, organizer)
    assert again.fingerprint == run.fingerprint
    assert ([rl.result for rl in again.lists.all()] == [rl.result for rl in run.lists.all()])

    year = EnterpriseYear.objects.get(enterprise=population[0], year=2025)
    year.values = {**year.values, "revenue": "999999999.00"}
    year.save()
    outcome = services.run_reproduce(run=run)
    assert outcome["same_data"] is False and outcome["identical"] is False


def test_the_2024_run_uses_the_first_edition_without_growth_indicators(population, organizer):
    run = computed_run(2024, organizer)

    comprehensive = run.lists.get(list_id="comprehensive_100")
    assert comprehensive.methodology_version == "2024.1"
    assert "revenue_growth" not in comprehensive.result["indicator_info"]
    assert "【2024年度版】" in comprehensive.note_zh


def test_flagged_and_state_owned_enterprises_never_enter_a_list(population, organizer):
    flag(population[0], "dishonest")
    flag(population[1], "serious_violation")
    population[2].ownership = "state"
    population[2].save()

    run = computed_run(2025, organizer)

    excluded = {e.pk for e in population[:3]}
    assert not RankingEntry.objects.filter(ranking_list__run=run,
                                           enterprise_id__in=excluded).exists()
    counts = run.lists.get(list_id="comprehensive_100").result["excluded"]
    assert counts["flag:dishonest"] == 1 and counts["flag:serious_violation"] == 1


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("change, code", [
    (lambda t: t.replace("name: tax_paid,", "name: tax_paidd,", 1), "ranking.unknown_indicator"),
    (lambda t: t.replace("  sum: 100", "  sum: 90", 1), "ranking.weights_sum_mismatch"),
    (lambda t: t.replace("list_size: 5", "list_size: 500", 1),
     "ranking.list_size_exceeds_population"),
])
def test_a_bad_methodology_is_refused_before_any_run(population, organizer, small_lists,
                                                     change, code):
    path = small_lists / "comprehensive_100.yaml"
    _write(small_lists, path.name, change(path.read_text(encoding="utf-8")))

    with pytest.raises(ApplicationError) as info:
        services.run_start(year=2025, actor=organizer)

    assert info.value.code == code and info.value.status == 422
    assert info.value.message  # the engine's Chinese/English message
    assert not RankingRun.objects.exists() and not Job.objects.exists()
    assert not AuditEntry.objects.filter(model="rankings.rankingrun").exists()


def test_a_year_no_methodology_covers_is_refused(population, organizer):
    with pytest.raises(ValidationFailed) as info:
        services.run_start(year=2019, actor=organizer)
    assert "year" in info.value.fields
    assert not RankingRun.objects.exists()


def test_the_workflow_is_audited_at_every_step(population, organizer):
    run = computed_run(2025, organizer)
    pending = RankingEntry.objects.filter(ranking_list__run=run, review="pending")
    assert pending.exists()

    with pytest.raises(Conflict, match="未复核"):
        services.run_mark_reviewed(run=run, actor=organizer)
    first = pending.first()
    with pytest.raises(ValidationFailed) as info:
        services.entry_review(entry=first, actor=organizer, decision="queried", note="")
    assert "note" in info.value.fields
    services.entry_review(entry=first, actor=organizer, decision="queried",
                          note="净利润与纳税不匹配，已电话核实")
    remaining = pending.count()
    confirmed = services.entries_confirm_pending(run=run, actor=organizer, note="已核对申报数据")
    assert confirmed == remaining and not pending.exists()
    run = services.run_mark_reviewed(run=run, actor=organizer)
    closes = timezone.localdate() + dt.timedelta(days=7)
    run = services.run_open_notice(run=run, actor=organizer, closes_on=closes)
    run = services.run_close_notice(run=run, actor=organizer)
    run = services.run_publish(run=run, actor=organizer)

    assert run.status == RankingRun.Status.PUBLISHED and run.published_at is not None
    steps = [e.changes["status"] for e in _audit(run)]
    assert steps == [["queued", "computed"], ["computed", "reviewed"], ["reviewed", "notice"],
                     ["notice", "notice_closed"], ["notice_closed", "published"]]
    assert all(e.actor == organizer for e in _audit(run)[1:])
    assert AuditEntry.objects.filter(model="rankings.rankingentry", object_id=str(first.pk),
                                     changes__review=["pending", "queried"]).exists()


def test_transitions_out_of_order_are_refused_and_change_nothing(population, organizer):
    run = computed_run(2025, organizer)
    with pytest.raises(Conflict):
        services.run_publish(run=run, actor=organizer)
    with pytest.raises(Conflict):
        services.run_close_notice(run=run, actor=organizer)
    run.refresh_from_db()
    assert run.status == RankingRun.Status.COMPUTED
    assert len(_audit(run)) == 1


def test_the_notice_needs_a_closing_date_after_today(population, organizer):
    run = reviewed_run(2025, organizer)
    for closes in (timezone.localdate(), timezone.localdate() + dt.timedelta(days=90)):
        with pytest.raises(ValidationFailed) as info:
            services.run_open_notice(run=run, actor=organizer, closes_on=closes)
        assert "closes_on" in info.value.fields
    run.refresh_from_db()
    assert run.status == RankingRun.Status.REVIEWED and run.notice_closes_on is None


def test_only_one_edition_of_a_year_is_public(population, organizer):
    notice_run(2025, organizer)
    second = reviewed_run(2025, organizer)
    with pytest.raises(Conflict, match="更正"):
        services.run_open_notice(run=second, actor=organizer,
                                 closes_on=timezone.localdate() + dt.timedelta(days=3))


def test_objections_are_real_name_and_block_publication_until_answered(population, organizer):
    run = notice_run(2025, organizer)
    ranking_list = run.lists.get(list_id="comprehensive_100")
    member = ranking_list.entries.filter(in_list=True).first()

    with pytest.raises(ValidationFailed) as info:
        services.objection_submit(ranking_list=ranking_list, name="", phone="abc",
                                  content="太短")
    assert set(info.value.fields) == {"name", "phone", "content"}
    assert not Objection.objects.exists()
    objection = services.objection_submit(
        ranking_list=ranking_list, name="王建国", phone="0595-85600000",
        content="该企业纳税总额含代扣代缴部分，请核实。", enterprise_id=member.enterprise_id)
    # an unanswered objection keeps the 公示 open to its closing day (issue 16)
    with pytest.raises(Conflict, match="不能提前结束公示") as early:
        services.run_close_notice(run=run, actor=organizer)
    assert early.value.code == "objections_open" and early.value.extra == {"open_objections": 1}
    run.refresh_from_db()
    assert run.status == RankingRun.Status.NOTICE
    assert [e.changes["status"] for e in _audit(run)][-1] == ["reviewed", "notice"]
    # past its closing day, publishing still waits for the answer
    RankingRun.objects.filter(pk=run.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    run.refresh_from_db()
    with pytest.raises(Conflict, match="未答复"):
        services.run_publish(run=run, actor=organizer)
    services.objection_answer(objection=objection, actor=organizer,
                              answer="经核实，纳税总额按税务部门口径，名次不变。")
    run = services.run_publish(run=run, actor=organizer)
    assert run.status == RankingRun.Status.PUBLISHED
    objection.refresh_from_db()
    assert objection.status == "answered" and objection.answered_by == organizer


def test_objections_outside_the_notice_are_refused(population, organizer):
    run = notice_run(2025, organizer)
    ranking_list = run.lists.first()
    RankingRun.objects.filter(pk=run.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    ranking_list.refresh_from_db()
    with pytest.raises(Conflict, match="不在公示期"):
        services.objection_submit(ranking_list=ranking_list, name="王建国",
                                  phone="13800000000", content="公示已截止后提出的异议内容。")
    assert not Objection.objects.exists()


def test_corrections_are_only_for_published_lists(population, organizer):
    run = notice_run(2025, organizer)
    ranking_list = run.lists.first()
    with pytest.raises(Conflict):
        services.correction_add(ranking_list=ranking_list, actor=organizer,
                                description="更正某企业所属镇街")
    run = services.run_close_notice(run=run, actor=organizer)
    services.run_publish(run=run, actor=organizer)
    correction = services.correction_add(ranking_list=ranking_list, actor=organizer,
                                         description="更正某企业所属镇街")
    assert list(Correction.objects.all()) == [correction]
    assert AuditEntry.objects.filter(model="rankings.correction", action="create").count() == 1


def test_public_visibility_follows_the_workflow(population, organizer):
    run = reviewed_run(2025, organizer)
    with pytest.raises(ApplicationError):
        selectors.public_list(2025, "comprehensive_100")
    services.run_open_notice(run=run, actor=organizer,
                             closes_on=timezone.localdate() + dt.timedelta(days=5))
    assert selectors.public_list(2025, "comprehensive_100").run == run


def test_change_against_last_year_matches_the_engine_comparison(organizer):
    make_population(40, seed=11)
    last = published_run(2024, organizer)
    this = notice_run(2025, organizer)

    for list_id in services.LIST_ORDER:
        current = RankingList.objects.get(run=this, list_id=list_id)
        previous = RankingList.objects.get(run=last, list_id=list_id)
        oracle = compare_lists(ListResult.from_dict(current.result),
                               ListResult.from_dict(previous.result))
        _columns, rows = selectors.list_rows(current)
        changes = {r.entry.enterprise_id: r.change for r in rows if not r.new}
        assert changes == {c.enterprise_id: c.change for c in oracle.stayed}
        assert {r.entry.enterprise_id for r in rows if r.new} == {
            c.enterprise_id for c in oracle.new_entrants}


def test_a_notice_past_its_closing_day_is_closed_when_published(population, organizer):
    """Publishing straight from an expired 公示 records both steps; before the closing day the
    公示 must still be ended by hand (and cannot be published)."""
    run = notice_run(2025, organizer, days=3)
    with pytest.raises(Conflict):
        services.run_publish(run=run, actor=organizer)
    run.refresh_from_db()
    assert run.status == RankingRun.Status.NOTICE and len(_audit(run)) == 3
    RankingRun.objects.filter(pk=run.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    run.refresh_from_db()
    assert services.notice_expired(run)
    run = services.run_publish(run=run, actor=organizer)
    assert run.status == RankingRun.Status.PUBLISHED
    entries = _audit(run)
    assert [e.changes["status"] for e in entries[-2:]] == [["notice", "notice_closed"],
                                                           ["notice_closed", "published"]]
    assert entries[-2].note == "公示期满" and entries[-2].actor == organizer


def test_the_daily_command_closes_only_expired_notices(population, organizer):
    from io import StringIO

    from django.core.management import call_command

    expired = notice_run(2025, organizer, days=3)
    current = notice_run(2024, organizer, days=3)
    RankingRun.objects.filter(pk=expired.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    out = StringIO()
    call_command("rankings_close_notices", stdout=out)
    assert "1 项" in out.getvalue()
    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.status == RankingRun.Status.NOTICE_CLOSED
    assert current.status == RankingRun.Status.NOTICE and len(_audit(current)) == 3
    assert _audit(expired)[-1].actor is None and _audit(expired)[-1].note == "公示期满"
    call_command("rankings_close_notices", stdout=StringIO())  # again: nothing left to close
    assert len(_audit(expired)) == 4
