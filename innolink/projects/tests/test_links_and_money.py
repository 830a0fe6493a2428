"""What the leaders' overview and the project pages say about money and where their figures
lead (#13 leftovers, ADR 0793): a rate links to the projects it counts, a filter shows its
label (an unknown code is ignored), English reads "Milestones", ": " and yuan."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from innolink.projects.overview import overview_section
from innolink.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _future_project(staff):
    """Signed last month, every milestone and target still ahead: counted by no rate but
    资金到位率 (it has an investment)."""
    today = timezone.localdate()
    ahead = (today + dt.timedelta(days=400)).isoformat()
    return make_project(staff, title="气象+服务协议", signed_on=(today - dt.timedelta(days=20)).isoformat(),
                        milestones=[{"stage": "registered", "due_on": ahead}],
                        targets=[{"metric": "output", "name": "年产值", "unit": "万元",
                                  "target": "100", "due_on": ahead}])


def _filtered_line(html: str) -> str:
    match = re.search(r'<p class="small muted" id="list-filtered">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def test_each_rate_on_the_overview_links_to_the_projects_it_counts(client, staff, leader):
    late = make_project(staff)  # signed 2025-04-15: registration and start long overdue
    ahead = _future_project(staff)
    section = overview_section(today=timezone.localdate())
    urls = {f.key: f.url for f in section.figures}
    assert urls["projects.start"] == "/projects/?measure=start"
    assert urls["projects.fulfilment"] == "/projects/?measure=fulfilment"
    assert urls["projects.funds"] == "/projects/?measure=funds"
    client.force_login(leader)
    start = client.get(urls["projects.start"]).content.decode()
    assert late.title in start and ahead.title not in start
    assert "计入“开工率”的项目" in _filtered_line(start)
    funds = client.get(urls["projects.funds"]).content.decode()
    assert late.title in funds and ahead.title in funds
    note = next(f.note for f in section.figures if f.key == "projects.funds")
    assert note == "0 万元 / 6,000 万元"  # nothing in place yet, two projects of 3,000 万元
    with translation.override("en"):
        section = overview_section(today=timezone.localdate())
    note = next(f.note for f in section.figures if f.key == "projects.funds")
    assert note == "0 yuan / 60 million yuan"


def test_the_filtered_by_line_shows_a_reason_label_and_ignores_an_unknown_code(client, staff,
                                                                               leader):
    late = make_project(staff)
    ahead = _future_project(staff)
    client.force_login(leader)
    html = client.get(reverse("projects:list"), {"reason": "milestone_overdue"}).content.decode()
    assert _filtered_line(html).startswith("已按总览的口径筛选 · 节点逾期 ·")
    assert late.title in html and ahead.title not in html
    html = client.get(reverse("projects:list"), {"reason": "<b>bogus</b>"}).content.decode()
    assert _filtered_line(html) == "" and 'name="reason"' not in html  # not echoed, not kept
    assert late.title in html and ahead.title in html  # an unknown code filters nothing
    html = client.get(reverse("projects:list"), {"reason": "milestone_overdue"},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Milestone overdue" in _filtered_line(html)


def test_english_project_page_and_late_list_read_as_english(client, staff, leader):
    project = make_project(staff, investment="3000")
    client.force_login(leader)
    url = reverse("projects:detail", args=[project.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h2>Milestones</h2>" in html
    assert "<dd>30 million yuan</dd>" in html  # 3,000 万元 planned
    assert '<td class="num">50 million yuan</td>' in html  # the 年产值 target of 5,000 万元
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<dd>3,000 万元</dd>" in html
    assert '<td class="num">5,000 万元</td>' in html  # the 年产值 target, typed in 万元
    with translation.override("en"):
        late = overview_section(today=timezone.localdate()).late
        assert late and late[0].title.startswith(f"{project.title}: ")
        assert "：" not in late[0].title.removeprefix(project.title)


def test_a_reason_about_a_target_in_wan_reads_as_an_amount():
    from innolink.projects.selectors import reason_text

    reason = {"code": "target_behind", "severity": "at_risk", "name": "年产值", "latest": "1340",
              "unit": "万元", "expected": "14112", "target": "20000"}
    with translation.override("zh-hans"):
        assert reason_text(reason) == ("指标“年产值”落后于进度：最新 1,340 万元，按进度应达 14,112 万元"
                                       "（目标 2 亿元）")
    with translation.override("en"):
        assert reason_text(reason) == ("Target “年产值” is behind: latest 13.4 million yuan, the "
                                       "trajectory expects 141.12 million yuan (target 200 million yuan)")
    capacity = {**reason, "unit": "吨/年", "latest": "0.5", "expected": "1", "target": "2"}
    with translation.override("zh-hans"):
        assert reason_text(capacity) == "指标“年产值”落后于进度：最新 0.5 吨/年，按进度应达 1（目标 2）"
