"""Gaps an audit of issue 13 found in the overview (ADR 0510): the 在建 figure's link, the
service desk's overdue count and the received link's year, the late table's totals and each
block's full list, and the weekly brief's workbook font."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.dashboard.brief import XLSX_FONT, brief_content, render_xlsx
from innolink.dashboard.overview import sections
from innolink.dashboard.services import overview_refresh
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.projects import services as projects
from innolink.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def count_on_list(client, url: str) -> int:
    body = client.get(url).content.decode()
    match = re.search(r"共 (\d+) (项|件|个项目)", body)
    assert match, (url, body[:2000])
    return int(match.group(1))


def figures_now() -> dict:
    return {f.key: f for s in sections(today=timezone.localdate()) for f in s.figures}


def test_the_open_projects_figure_links_to_the_open_projects(client):
    staff = make_user(Role.ADMIN)
    make_project(staff)
    make_project(staff)
    projects.project_close(actor=staff, project=make_project(staff))
    overview_refresh(settle_seconds=0)
    client.force_login(make_user(Role.LEADER))
    figure = figures_now()["projects.open"]
    assert figure.url.endswith("?status=open")
    assert figure.value == count_on_list(client, figure.url) == 2


def desk_requests():
    from innolink.servicedesk.models import ServiceRequest
    from innolink.servicedesk.services import request_create

    company = make_enterprise(town="陈埭")
    made = [request_create(enterprise=company, channel="online", category="other",
                           description=f"诉求 {i}", actor=None, check_actor=False)
            for i in range(3)]
    last_year = timezone.now().replace(year=timezone.localdate().year - 1)
    request_create(enterprise=company, channel="hotline", category="other",
                   description="去年的转办", actor=None, check_actor=False,
                   external_id="12345-old", received_at=last_year)
    late = timezone.now() - dt.timedelta(days=2)
    ServiceRequest.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(deadline_at=late)
    return made


def test_the_desk_overdue_count_and_the_received_year_link(client):
    desk_requests()
    client.force_login(make_user(Role.LEADER))
    figures = figures_now()
    overdue = figures["servicedesk.overdue"]
    assert overdue.url == reverse("servicedesk:overdue")
    assert overdue.value == count_on_list(client, overdue.url) == 2
    received = figures["servicedesk.received"]
    assert f"year={timezone.localdate().year}" in received.url
    assert received.value == count_on_list(client, received.url) == 3
    body = client.get(reverse("dashboard:overview")).content.decode()
    assert 'id="fig-servicedeskoverdue"' in body and f'href="{overdue.url}"' in body


def test_the_late_table_says_how_many_and_links_each_block_to_its_full_list(client,
                                                                            monkeypatch):
    from innolink.projects import overview as project_overview

    desk_requests()
    staff = make_user(Role.ADMIN)
    for _ in range(3):
        make_project(staff)  # long past their milestones: late
    monkeypatch.setattr(project_overview, "LATE_LIMIT", 2)
    section = next(s for s in sections(today=timezone.localdate()) if s.key == "projects")
    assert (len(section.late), section.late_count) == (2, 3)
    assert section.late_url.endswith("?status=late")
    client.force_login(make_user(Role.LEADER))
    assert count_on_list(client, section.late_url) == 3
    body = client.get(reverse("dashboard:overview")).content.decode()
    summary = re.search(r'id="late-summary">([^<]+)<', body).group(1)
    assert "共 5 项" in summary  # 3 projects + 2 overdue requests, not the 4 rows shown
    blocks = re.search(r'id="late-blocks">(.*?)</ul>', body, re.S).group(1)
    assert f'href="{section.late_url}"' in blocks and "签约项目：3 项" in blocks
    assert f'href="{reverse("servicedesk:overdue")}"' in blocks
    content = brief_content(today=timezone.localdate())
    assert content.late_total == 5 and len(content.late) == 4


def test_the_brief_workbook_opens_in_a_chinese_font():
    from openpyxl import load_workbook

    staff = make_user(Role.ADMIN)
    make_project(staff)
    overview_refresh(settle_seconds=0)
    data = render_xlsx(brief_content(today=timezone.localdate()))
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    first_font = re.search(r"<fonts[^>]*><font>(.*?)</font>", styles).group(1)
    assert f'<name val="{XLSX_FONT}"/>' in first_font  # the default (Normal) font
    wb = load_workbook(io.BytesIO(data))
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == XLSX_FONT, (sheet.title, cell.coordinate)
