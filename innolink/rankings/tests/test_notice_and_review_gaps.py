"""Issue 16 (ADR 0795): a 公示 with an unanswered objection cannot be ended before its closing
day, ending early and publishing ask for confirmation, and 存疑 without a note shows its error
in the row (htmx swaps no 4xx, so the row comes back with the message at its field)."""

import pytest

from innolink.rankings import services
from innolink.rankings.models import RankingEntry, RankingRun
from innolink.rankings.tests.factories import computed_run, notice_run

pytestmark = pytest.mark.usefixtures("small_lists")


def test_the_notice_page_guards_ending_early_and_publishing(client, population, organizer):
    run = notice_run(2025, organizer)
    client.force_login(organizer)
    url = f"/rankings/runs/{run.pk}/"
    body = client.get(url).content.decode()
    assert 'data-confirm="公示期至' in body and 'id="close-notice">' in body
    ranking_list = run.lists.get(list_id="comprehensive_100")
    services.objection_submit(ranking_list=ranking_list, name="王建国", phone="0595-85600000",
                              content="该企业纳税总额含代扣代缴部分，请核实。")
    body = client.get(url).content.decode()
    assert 'id="close-notice" disabled' in body
    response = client.post(f"/rankings/runs/{run.pk}/close-notice/", follow=True)
    assert "不能提前结束公示" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RankingRun.Status.NOTICE


def test_publishing_asks_first(client, population, organizer):
    run = notice_run(2025, organizer)
    services.run_close_notice(run=run, actor=organizer)  # no objection: ending early is allowed
    client.force_login(organizer)
    body = client.get(f"/rankings/runs/{run.pk}/").content.decode()
    assert 'data-confirm="发布后榜单向公众公开' in body


def test_queried_without_a_note_shows_the_error_in_the_row(client, population, organizer):
    run = computed_run(2025, organizer)
    entry = RankingEntry.objects.filter(ranking_list__run=run, review="pending").first()
    client.force_login(organizer)
    response = client.post(f"/rankings/entries/{entry.pk}/review/",
                           {"decision": "queried", "note": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # swapped by htmx
    body = response.content.decode()
    assert f'id="entry-{entry.pk}"' in body
    assert 'class="field-error" role="alert">复核存疑时须填写复核意见' in body
    assert '<option value="queried" selected>' in body and 'aria-invalid="true"' in body
    entry.refresh_from_db()
    assert entry.review == "pending" and entry.reviewed_by is None
