"""Ranking refusals read in the user's language, on pages and in the API (issue 16, ADR 0785);
the engine's refusals are message ids worded in the reader's language (ADR 0792)."""

from __future__ import annotations

import pytest
from django.utils import translation

from innolink.core.errors import ApplicationError
from innolink.core.models import Job
from innolink.core.testing import assert_json_error
from innolink.rankings import services
from innolink.rankings.models import RankingEntry, RankingRun
from innolink.rankings.tests.factories import computed_run

pytestmark = pytest.mark.usefixtures("small_lists")


@pytest.fixture
def run_with_pending(population, organizer):
    run = computed_run(2025, organizer)
    pending = RankingEntry.objects.filter(ranking_list__run=run, review="pending").count()
    assert pending
    return run, pending


def test_an_unfinished_review_is_refused_in_the_api_in_both_languages(client, organizer,
                                                                      run_with_pending):
    run, pending = run_with_pending
    client.force_login(organizer)
    url = f"/api/rankings/runs/{run.pk}/reviewed"
    english = assert_json_error(client.post(url, HTTP_ACCEPT_LANGUAGE="en"), 409,
                                "reviews_pending")
    chinese = assert_json_error(client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans"), 409,
                                "reviews_pending")
    assert english["message"] == (f"{pending} entries with an uncertain place are not "
                                  "reviewed yet")
    assert chinese["message"] == f"还有 {pending} 条入围不确定的条目未复核"
    run.refresh_from_db()
    assert run.status == RankingRun.Status.COMPUTED


@pytest.mark.parametrize("language, expected", [
    ("en", "entries with an uncertain place are not reviewed yet"),
    ("zh-hans", "条入围不确定的条目未复核"),
])
def test_an_unfinished_review_is_refused_on_the_page_in_the_users_language(
        client, organizer, run_with_pending, language, expected):
    run, _pending = run_with_pending
    client.force_login(organizer)
    text = client.post(f"/rankings/runs/{run.pk}/reviewed/", follow=True,
                       HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in text
    run.refresh_from_db()
    assert run.status == RankingRun.Status.COMPUTED


@pytest.mark.parametrize("language, expected, other", [
    ("en", "weights sum to 100, not the declared 90", "权重之和"),
    ("zh-hans", "权重之和为 100，与声明的 90 不符", "weights sum"),
])
def test_a_bad_methodology_reads_in_the_users_language(population, organizer, small_lists,
                                                       language, expected, other):
    path = small_lists / "comprehensive_100.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  sum: 100", "  sum: 90", 1),
                    encoding="utf-8")
    with translation.override(language), pytest.raises(ApplicationError) as info:
        services.run_start(year=2025, actor=organizer)
    assert info.value.code == "ranking.weights_sum_mismatch"
    assert expected in info.value.message and other not in info.value.message
    assert not RankingRun.objects.exists() and not Job.objects.exists()


def test_a_failed_runs_reason_shows_in_the_readers_language(client, organizer):
    # a run that failed before ADR 0792, as migration 0002 left it
    run = RankingRun.objects.create(year=2025, status=RankingRun.Status.FAILED, error={
        "code": "ranking.missing_field", "message": "数据快照缺少字段 ['tax_paid']",
        "message_en": "snapshot lacks fields ['tax_paid']"})
    client.force_login(organizer)
    english = client.get(f"/rankings/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(f"/rankings/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "snapshot lacks fields" in english.content.decode()
    assert "数据快照缺少字段" not in english.content.decode()
    assert "数据快照缺少字段" in chinese.content.decode()
    body = client.get(f"/api/rankings/runs/{run.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["error"]["code"] == "ranking.missing_field"
    assert body["error"]["message"] == "snapshot lacks fields ['tax_paid']"
