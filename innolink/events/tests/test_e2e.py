"""End to end in headless Chromium (Debian's package, driven by Playwright): the organizer
creates and schedules an event and a participant's agenda shows the meeting; a reviewer scores
an assigned proposal."""

from __future__ import annotations

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import Event, ReviewAssignment
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, user):
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")
    return page


def test_organizer_schedules_and_participant_sees_the_meeting(live_server, browser):
    staff = make_user(Role.ORGANIZER, username="e2e-organizer", display_name="林主任")
    proposal = make_proposal()
    proposal.challenge.title = "鞋底耐磨性提升"
    proposal.challenge.save()
    researcher = proposal.researcher
    researcher.name = "陈博士团队"
    researcher.save()
    participant = make_user(Role.ENTERPRISE, username="e2e-enterprise",
                            enterprise=proposal.challenge.enterprise)

    page = _login(browser, live_server, staff)
    page.click("nav >> text=对接活动")
    page.click("text=新建活动")
    page.fill("#id_title", "端到端对接会")
    page.fill("#id_date", EVENT_DATE.isoformat())
    page.fill("#id_venue", "晋江国际会展中心")
    page.fill("#id_slot_count", "3")
    page.fill("#id_rooms", "A厅，B厅")
    page.click("text=创建活动")
    page.wait_for_selector("#invite-all")
    page.click("#invite-all")
    page.wait_for_selector("text=已邀请 1 对。")
    page.click("#run-schedule")
    page.wait_for_selector("text=排程完成：已安排 1 场洽谈。")
    assert "陈博士团队" in page.inner_text("#schedule")
    page.click("#publish-schedule")
    page.wait_for_selector("text=日程已发布，参会各方已收到通知。")
    page.close()

    event = Event.objects.get(title="端到端对接会")
    meeting = event.meetings.select_related("slot", "room").get()
    page = _login(browser, live_server, participant)
    page.click("nav >> text=对接活动")
    page.click("text=端到端对接会")
    page.wait_for_selector(".agenda")
    agenda = page.inner_text(".agenda")
    assert "陈博士团队" in agenda and "鞋底耐磨性提升" in agenda
    assert meeting.room.name in agenda and "09:00" in agenda
    page.close()


def test_reviewer_scores_an_assigned_proposal(live_server, browser):
    staff = make_user(Role.ORGANIZER)
    reviewer = make_reviewer(username="e2e-reviewer", display_name="吴教授")
    proposal = make_proposal()
    rnd = services.round_create(actor=staff, title="端到端决赛", reviewers_per_entry=1)
    services.round_entries_add(actor=staff, round=rnd, proposals=[proposal])
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[reviewer])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    criteria = list(rnd.criteria.all())

    page = _login(browser, live_server, reviewer)
    page.click("nav >> text=我的评审")
    page.click("#assignments a:text-is('评分')")
    page.wait_for_selector("#score-form")
    for c, points in zip(criteria, ["26", "24.5", "18", "15"]):
        page.fill(f"#criterion_{c.pk}", points)
    page.fill("textarea[name=comment]", "技术路线可行，预算略高。")
    page.click("#submit-score")
    page.wait_for_selector("text=评分已提交。")
    assert "83.50" in page.inner_text("#assignments")
    assignment = ReviewAssignment.objects.get(reviewer=reviewer)
    assert assignment.state == "submitted" and str(assignment.total) == "83.50"
    page.close()


def test_organizer_corrects_an_events_venue(live_server, browser_page):
    staff = make_user(Role.ORGANIZER, username="e2e-editor")
    event = services.event_create(actor=staff, title="端到端改址对接会", date=EVENT_DATE,
                                  venue="晋江国际会展中心", slot_count=3)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.click("#edit-event")
    page.wait_for_selector("#event-form")
    assert page.input_value("#id_venue") == "晋江国际会展中心"  # prefilled
    assert page.input_value("#id_date") == EVENT_DATE.isoformat()
    page.fill("#id_venue", "晋江市科技创新中心 3 楼")
    page.click("#save-event")
    page.wait_for_selector("text=活动信息已保存。")
    assert "晋江市科技创新中心 3 楼" in page.inner_text(".facts")
    event.refresh_from_db()
    assert event.venue == "晋江市科技创新中心 3 楼"


def test_the_reviewer_list_of_a_round_filters_as_one_types(live_server, browser):
    staff = make_user(Role.ORGANIZER)
    rnd = services.round_create(actor=staff, title="筛选测试", reviewers_per_entry=1)
    for i in range(30):
        make_reviewer(username=f"filter-reviewer-{i}", display_name=f"专家{i:02d}")
    make_reviewer(username="filter-target", display_name="黄教授")
    page = _login(browser, live_server, staff)
    page.goto(f"{live_server.url}/events/rounds/{rnd.pk}/")
    labels = page.locator("#reviewer-candidates label")
    assert labels.count() == 31
    page.check("#reviewer-candidates label:has-text('专家03') input")
    page.fill("input[data-filter-list=reviewer-candidates]", "黄")
    visible = [lab.inner_text() for lab in labels.all() if lab.is_visible()]
    assert [t.split(" · ")[0].strip() for t in visible] == ["专家03", "黄教授"]
    assert page.inner_text("#reviewer-candidates-count") == "2"
    page.fill("input[data-filter-list=reviewer-candidates]", "")
    assert page.inner_text("#reviewer-candidates-count") == "31"
    page.close()
