"""Pages: staff manage events and rounds; participants see only their own agenda; reviewers
see and score only their own assignments. Another tenant gets the same 404 as a missing id."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import Event, ReviewAssignment, Score
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    services.event_publish(actor=staff, event=event)
    return event


def _page(response, url: str) -> bytes:
    """The page without its own URL and the per-response CSRF token."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", response.content.replace(url.encode(), b""))


def _missing_vs_other(client, url_other: str, url_missing: str):
    other, missing = client.get(url_other), client.get(url_missing)
    assert other.status_code == missing.status_code == 404
    assert _page(other, url_other) == _page(missing, url_missing)


def test_staff_create_event_page(client, staff):
    client.force_login(staff)
    assert client.get("/events/new/").status_code == 200
    response = client.post("/events/new/", {
        "title": "揭榜领题对接会", "date": EVENT_DATE.isoformat(), "venue": "晋江", "start": "09:00",
        "slot_minutes": "20", "slot_count": "4", "break_minutes": "5", "rooms": "A厅，B厅"})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert event.slots.count() == 4 and event.rooms.count() == 2


def test_create_event_bad_input_shows_the_rule_and_writes_nothing(client, staff):
    client.force_login(staff)
    response = client.post("/events/new/", {
        "title": "对接会", "date": EVENT_DATE.isoformat(), "venue": "晋江", "start": "09:00",
        "slot_minutes": "20", "slot_count": "4", "break_minutes": "5", "rooms": "A，A"})
    assert response.status_code == 422
    assert "会议室名称不能重复" in response.content.decode()
    assert not Event.objects.exists()


def test_staff_detail_shows_schedule_and_unplaced_reasons(client, staff, pairs):
    event = services.event_create(actor=staff, title="短会", date=EVENT_DATE, venue="晋江",
                                  slot_count=2, rooms=["A", "B"])
    services.invitations_invite_shortlisted(actor=staff, event=event)
    client.force_login(staff)
    response = client.post(f"/events/{event.pk}/schedule/", follow=True)
    text = response.content.decode()
    assert "排程完成：已安排 3 场洽谈。" in text
    assert f"{pairs['enterprise'].name}需参加 3 场洽谈，但只有 2 个可参会时段" in text
    assert 'id="schedule"' in text


def test_participant_sees_own_agenda_and_outsider_learns_nothing(client, published, pairs):
    insider = make_user(Role.ENTERPRISE, enterprise=pairs["enterprise"])
    client.force_login(insider)
    # the detail page sends a participant to their agenda
    assert client.get(f"/events/{published.pk}/")["Location"] == f"/events/{published.pk}/agenda/"
    text = client.get(f"/events/{published.pk}/agenda/").content.decode()
    assert text.count('class="agenda"') == 1
    assert pairs["proposals"][2].researcher.name in text  # a counterpart
    assert "A 厅" in text or "B 厅" in text
    client.force_login(make_user(Role.ENTERPRISE))
    _missing_vs_other(client, f"/events/{published.pk}/agenda/", "/events/999999/agenda/")
    _missing_vs_other(client, f"/events/{published.pk}/", "/events/999999/")


def test_researcher_agenda_lists_their_meetings(client, published, pairs):
    client.force_login(pairs["proposals"][0].researcher.user)
    text = client.get(f"/events/{published.pk}/agenda/").content.decode()
    assert text.count("<tr><td>") == 2  # two meetings for the first researcher


def test_staff_prints_one_page_per_participant(client, staff, published):
    client.force_login(staff)
    text = client.get(f"/events/{published.pk}/agenda/").content.decode()
    # E, another enterprise, R1, R2 and the offer's researcher
    assert text.count('class="agenda"') == 5
    assert "events/print.css" in text


def test_non_staff_cannot_manage(client, published):
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.post(f"/events/{published.pk}/schedule/").status_code in (403, 404)
    assert client.get("/events/new/").status_code == 403
    assert client.get("/events/rounds/").status_code == 403


def test_event_list_query_count_does_not_grow(client, staff, django_assert_num_queries):
    client.force_login(staff)
    for i in range(3):
        services.event_create(actor=staff, title=f"活动{i}", date=EVENT_DATE, venue="晋江")
    with django_assert_num_queries(4) as few:
        client.get("/events/")
    for i in range(30):
        services.event_create(actor=staff, title=f"活动{i}", date=EVENT_DATE, venue="晋江")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/events/")
    assert response.content.decode().count("<tr>") == 34


# ---------------------------------------------------------------------------- judging

@pytest.fixture
def scoring(staff):
    proposals = [make_proposal() for _ in range(3)]
    reviewers = [make_reviewer() for _ in range(3)]
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=2)
    services.round_entries_add(actor=staff, round=rnd, proposals=proposals)
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=reviewers)
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    return {"round": rnd, "reviewers": reviewers, "proposals": proposals}


def test_reviewer_scores_own_assignment_in_the_page(client, scoring):
    reviewer = scoring["reviewers"][0]
    mine = ReviewAssignment.objects.filter(reviewer=reviewer).first()
    client.force_login(reviewer)
    text = client.get("/events/reviews/").content.decode()
    assert mine.entry.proposal.challenge.title in text
    assert client.get(f"/events/reviews/{mine.pk}/").status_code == 200
    crit = list(scoring["round"].criteria.all())
    bad = {f"criterion_{c.pk}": "25" for c in crit}
    bad[f"criterion_{crit[2].pk}"] = "21"
    response = client.post(f"/events/reviews/{mine.pk}/", bad)
    assert response.status_code == 422
    assert "“团队能力”的得分应在 0 到 20 之间" in response.content.decode()
    assert not Score.objects.exists()
    good = {f"criterion_{c.pk}": str(c.max_points - 1) for c in crit}
    response = client.post(f"/events/reviews/{mine.pk}/", {**good, "comment": "好"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.total == Decimal("96.00")


def test_another_reviewers_assignment_is_a_404_like_a_missing_one(client, scoring):
    a, b = scoring["reviewers"][:2]
    theirs = ReviewAssignment.objects.filter(reviewer=b).exclude(
        entry__in=ReviewAssignment.objects.filter(reviewer=a).values("entry")).first() \
        or ReviewAssignment.objects.filter(reviewer=b).first()
    client.force_login(a)
    _missing_vs_other(client, f"/events/reviews/{theirs.pk}/", "/events/reviews/999999/")
    crit = scoring["round"].criteria.all()
    response = client.post(f"/events/reviews/{theirs.pk}/",
                           {f"criterion_{c.pk}": "1" for c in crit})
    assert response.status_code == 404
    assert not Score.objects.exists()


def test_round_page_lists_refused_pairs_with_reasons(client, staff, scoring):
    conflicted = make_reviewer(enterprises=[scoring["proposals"][0].challenge.enterprise])
    services.round_reviewers_add(actor=staff, round=scoring["round"], reviewers=[conflicted])
    client.force_login(staff)
    text = client.get(f"/events/rounds/{scoring['round'].pk}/").content.decode()
    assert f"同一企业：{scoring['proposals'][0].challenge.enterprise.name}" in text
    assert 'id="live"' in text


def test_my_reviews_query_count_does_not_grow(client, staff, django_assert_num_queries):
    reviewer = make_reviewer(max_load=50)
    rnd = services.round_create(actor=staff, title="轮次", reviewers_per_entry=1,
                                default_max_load=50)
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[reviewer])
    services.round_entries_add(actor=staff, round=rnd, proposals=[make_proposal()])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    client.force_login(reviewer)
    with django_assert_num_queries(4) as few:
        client.get("/events/reviews/")
    services.round_entries_add(actor=staff, round=rnd,
                               proposals=[make_proposal() for _ in range(12)])
    services.round_assign(actor=staff, round=rnd)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/events/reviews/")
    assert response.content.decode().count("/events/reviews/") >= 13


def test_round_list_query_count_does_not_grow(client, staff, django_assert_num_queries):
    client.force_login(staff)
    services.round_create(actor=staff, title="轮次 0")
    with django_assert_num_queries(4) as few:
        client.get("/events/rounds/")
    for i in range(20):
        services.round_create(actor=staff, title=f"轮次 {i + 1}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/events/rounds/")
    assert response.content.decode().count("/events/rounds/") >= 21


def test_reviewer_keeps_a_profile_and_declares_an_enterprise_conflict(client):
    from innolink.enterprises.testing import make_enterprise
    from innolink.events.models import DeclaredConflict, ReviewerProfile

    reviewer = make_reviewer()
    anta = make_enterprise(name="安踏体育用品有限公司")
    client.force_login(reviewer)
    assert client.get("/events/reviews/profile/").status_code == 200
    response = client.post("/events/reviews/profile/", {
        "title": "教授", "fields": ["materials", "energy"], "keywords": "光刻胶 树脂",
        "station": "华侨大学材料博士后流动站", "enterprises": "91350582XXXXXXXXXX",
        "default_max_load": "6"})
    assert response.status_code == 422
    assert "未找到统一社会信用代码为 91350582XXXXXXXXXX 的企业" in response.content.decode()
    assert ReviewerProfile.objects.get(user=reviewer).keywords == ""  # unchanged
    response = client.post("/events/reviews/profile/", {
        "title": "教授", "fields": ["materials", "energy"], "keywords": "光刻胶 树脂",
        "station": "华侨大学材料博士后流动站", "enterprises": anta.credit_code,
        "default_max_load": "6"})
    assert response.status_code == 302
    profile = ReviewerProfile.objects.get(user=reviewer)
    assert profile.fields == ["materials", "energy"] and list(profile.enterprises.all()) == [anta]
    client.post("/events/reviews/profile/", {"action": "declare", "credit_code": anta.credit_code,
                                             "reason": "曾任技术顾问"})
    assert DeclaredConflict.objects.get(reviewer=reviewer).enterprise == anta
    # other roles may not open it
    client.force_login(make_user(Role.RESEARCHER))
    assert client.get("/events/reviews/profile/").status_code == 403


def test_staff_set_a_participants_unavailable_slots(client, staff, event, pairs):
    inv = services.invitation_create(actor=staff, event=event, proposal=pairs["proposals"][0])
    slot = event.slots.last()
    client.force_login(staff)
    text = client.get(f"/events/{event.pk}/").content.decode()
    assert 'id="availability"' in text and f'value="{inv.guest_key}"' in text
    response = client.post(f"/events/{event.pk}/availability/",
                           {"participant": inv.guest_key, "slot": [slot.pk]}, follow=True)
    assert "不可参会时段已保存" in response.content.decode()
    assert list(event.unavailability.values_list("participant_key", "slot_id")) == \
        [(inv.guest_key, slot.pk)]
    response = client.post(f"/events/{event.pk}/availability/",
                           {"participant": "r:424242", "slot": [slot.pk]}, follow=True)
    assert "该参会方不在本活动的邀请名单中" in response.content.decode()
    assert event.unavailability.count() == 1


def test_pages_are_available_in_english(client, staff):
    from django.conf import settings

    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/events/").content.decode()
    assert "New event" in text and "Competition judging" in text
    assert "新建活动" not in text


def test_staff_run_a_round_from_its_page(client, staff):
    proposals = [make_proposal() for _ in range(2)]
    reviewers = [make_reviewer() for _ in range(2)]
    client.force_login(staff)
    response = client.post("/events/rounds/new/", {
        "title": "初赛", "reviewers_per_entry": "1", "default_max_load": "3",
        "criterion_name": ["技术可行性", "创新性", ""], "criterion_max": ["60", "40", ""],
        "criterion_guidance": ["", "", ""]})
    from innolink.events.models import JudgingRound

    rnd = JudgingRound.objects.get(title="初赛")
    assert response["Location"] == f"/events/rounds/{rnd.pk}/"
    assert [c.name for c in rnd.criteria.all()] == ["技术可行性", "创新性"]
    base = f"/events/rounds/{rnd.pk}"
    text = client.post(f"{base}/entries/", {"proposal": [p.pk for p in proposals]},
                       follow=True).content.decode()
    assert "已加入 2 个参赛方案。" in text
    client.post(f"{base}/reviewers/", {"reviewer": [u.pk for u in reviewers]})
    member = rnd.reviewers.first()
    text = client.post(f"{base}/reviewers/{member.pk}/load/", {"max_load": "500"},
                       follow=True).content.decode()
    assert "评审上限应在 0 到 200 之间" in text
    client.post(f"{base}/reviewers/{member.pk}/load/", {"max_load": "2"})
    member.refresh_from_db()
    assert member.max_load == 2
    text = client.post(f"{base}/assign/", follow=True).content.decode()
    assert "新增分配 2 份评审。" in text
    text = client.post(f"{base}/open/", follow=True).content.decode()
    assert "已开始评分，评审专家已收到通知。" in text
    text = client.post(f"{base}/finalise/", follow=True).content.decode()
    assert "还有 2 份评审未提交" in text
    rnd.refresh_from_db()
    assert rnd.state == "scoring"


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_event_and_round_pages_do_not_grow_queries_with_size(client, staff, event):
    from innolink.events.tests.factories import make_researcher

    client.force_login(staff)
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=1,
                                default_max_load=30)
    first = make_proposal()
    services.invitation_create(actor=staff, event=event, proposal=first)
    services.round_entries_add(actor=staff, round=rnd, proposals=[first])
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[make_reviewer()])
    services.round_assign(actor=staff, round=rnd)
    services.event_schedule(actor=staff, event=event)
    urls = [f"/events/{event.pk}/", f"/events/{event.pk}/agenda/", f"/events/rounds/{rnd.pk}/"]
    small = [_count(client, u) for u in urls]
    more = [make_proposal(challenge=first.challenge, researcher=make_researcher())
            for _ in range(5)]
    for p in more:
        services.invitation_create(actor=staff, event=event, proposal=p)
    services.round_entries_add(actor=staff, round=rnd, proposals=more)
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[make_reviewer()
                                                                    for _ in range(3)])
    services.round_assign(actor=staff, round=rnd)
    services.event_schedule(actor=staff, event=event)
    assert [_count(client, u) for u in urls] == small
