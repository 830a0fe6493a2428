"""The overview page: who may read it, a fixed number of queries whatever the data, figures
that link to lists showing exactly what they count, the map and the weekly brief."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges.tests.factories import make_challenge, make_proposal
from innolink.enterprises.testing import make_user
from innolink.dashboard import geo
from innolink.dashboard.brief import brief_content, render_xlsx
from innolink.dashboard.models import Brief
from innolink.dashboard.overview import sections
from innolink.dashboard.services import brief_generate, overview_refresh
from innolink.policies import services as policies
from innolink.policies.services import policy_sync
from innolink.policies.tests.factories import high_tech_enterprise, submitted
from innolink.projects.tests.factories import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # its file starts first (decision 0797)


def seed(n: int, staff):
    for i in range(n):
        application = submitted(high_tech_enterprise(town=["安海", "陈埭", "青阳"][i % 3]))
        policies.application_approve(actor=staff, application_id=application.pk)
        policies.application_pay(actor=staff, application_id=application.pk, amount="50000")
        challenge = make_challenge(state="published", staff=staff)
        make_proposal(challenge)
        make_project(staff)
    overview_refresh(settle_seconds=0)


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_takes_a_fixed_number_of_queries(client):
    policy_sync(actor=None, source="test")
    staff = make_user(Role.ADMIN)
    leader = make_user(Role.LEADER)
    client.force_login(leader)
    seed(1, staff)
    small = page_queries(client)
    seed(4, staff)
    assert page_queries(client) == small


def test_leaders_and_staff_read_it_and_others_are_refused(client):
    for role in (Role.ENTERPRISE, Role.RESEARCHER, Role.REVIEWER):
        client.force_login(make_user(role))
        assert client.get(reverse("dashboard:overview")).status_code == 403
        assert client.get(reverse("dashboard:unpaid")).status_code == 403
        assert client.get(reverse("dashboard:briefs")).status_code == 403
    from innolink.rankings.models import RankingRun

    RankingRun.objects.create(year=2025, status="notice")  # a word in a table cell
    overview_refresh(settle_seconds=0)
    client.force_login(make_user(Role.LEADER))
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "公示中" in body
    assert "领导驾驶舱" in body and "镇街边界没有任何软件包提供" in body
    # read-only: a leader cannot start the refresh job
    assert client.post(reverse("dashboard:refresh")).status_code == 403


def count_on_list(client, url: str) -> int:
    body = client.get(url).content.decode()
    match = re.search(r"共 (\d+) (项|户次|个项目)", body)
    assert match, (url, body[:3000])
    return int(match.group(1))


def test_each_figure_links_to_a_list_of_exactly_what_it_counts(client):
    policy_sync(actor=None, source="test")
    staff = make_user(Role.ADMIN)
    seed(3, staff)
    leader = make_user(Role.LEADER)
    client.force_login(leader)
    figures = {f.key: f for s in sections(today=timezone.localdate()) for f in s.figures}
    for key in ("challenges.posted", "challenges.published", "challenges.claimed"):
        assert figures[key].value == count_on_list(client, figures[key].url) == 3, key
    for status in ("on_track", "at_risk", "late"):
        figure = figures[f"projects.{status}"]
        assert figure.value == count_on_list(client, figure.url), status
    assert figures["projects.late"].value == 3
    # the ledger: the payments this year add up to the figure, 万元
    paid = figures["policies.paid"]
    assert paid.value == Decimal("15.00")
    response = client.get(paid.url)
    assert response.status_code == 200
    # by town, through the map's links
    anhai = client.get(f"{figures['challenges.published'].url}&town=陈埭")
    assert anhai.status_code == 200


def test_the_map_places_every_town_and_keeps_their_relative_positions():
    grid = geo.tile_grid()
    assert len(grid) == 19 and len(set(grid.values())) == 19
    for a, (lon_a, lat_a) in geo.TOWN_SEATS.items():
        for b, (lon_b, lat_b) in geo.TOWN_SEATS.items():
            if lon_a < lon_b - 0.05:
                assert grid[a][0] <= grid[b][0], (a, b)
            if lat_a > lat_b + 0.05:
                assert grid[a][1] <= grid[b][1], (a, b)
    rings = geo.county_outline()
    if rings is None:
        pytest.skip("scripts/setup has not installed the county boundaries")
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    for lon, lat in geo.TOWN_SEATS.values():
        assert min(lons) <= lon <= max(lons) and min(lats) <= lat <= max(lats)
    drawn = geo.draw({"安海": Decimal(5), "陈埭": Decimal(1)}, url="/x/?a=1", unit="家")
    tiles = {t.town: t for t in drawn["tiles"]}
    assert tiles["安海"].fill == geo.PALETTE[-1] and tiles["池店"].fill == geo.EMPTY
    assert tiles["陈埭"].url == "/x/?a=1&town=陈埭"


def test_the_weekly_brief_is_a_pdf_and_a_workbook_of_numbers(client):
    policy_sync(actor=None, source="test")
    staff = make_user(Role.ADMIN)
    seed(2, staff)
    leader = make_user(Role.LEADER)
    brief = brief_generate(actor=leader)
    assert bytes(brief.pdf).startswith(b"%PDF") and len(brief.pdf) > 5000
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(bytes(brief.xlsx)))
    rows = list(wb["指标"].iter_rows(min_row=3, values_only=True))
    paid = next(r for r in rows if r[1] == "已拨付")
    assert isinstance(paid[2], (int, float)) and paid[2] == pytest.approx(10.0)
    late = list(wb["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert len(late) == 2 and all(r[2] for r in late)  # every late item names its owner
    client.force_login(leader)
    response = client.get(reverse("dashboard:brief-download", args=[brief.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.post(reverse("dashboard:briefs")).status_code == 302
    assert Brief.objects.count() == 2


def test_the_brief_says_what_moved_since_last_week():
    from innolink.dashboard.models import FigureSnapshot

    today = timezone.localdate()
    FigureSnapshot.objects.create(taken_on=today - dt.timedelta(days=7), key="registry.enterprises",
                                  value=Decimal(0))
    from innolink.enterprises.testing import make_enterprise

    make_enterprise()
    overview_refresh(settle_seconds=0)
    content = brief_content(today=today)
    assert any("在库企业：本周 +1" in line for _s, line in content.moved)
    assert render_xlsx(content)


def linked(links, pattern):
    return [u for u in links if re.fullmatch(pattern, u.split("?")[0])]


@pytest.mark.parametrize("role,hidden", [
    (Role.DEPT_HANDLER, [r"/enterprises/", r"/policies/metrics/", r"/policies/\d+/unpaid/"]),
    (Role.LEADER, [r"/enterprises/"]),
])
def test_the_page_links_only_to_pages_the_reader_may_open(client, role, hidden):
    """A department handler saw links to the registry, the payment statistics and the unpaid
    list by policy, a leader to the registry, which answer them 403; the organizer keeps them."""
    policy_sync(actor=None, source="test")
    seed(1, make_user(Role.ADMIN))
    client.force_login(make_user(role))
    body = client.get(reverse("dashboard:overview")).content.decode()
    links = set(re.findall(r'href="([^"]+)"', body))
    assert not [u for pattern in hidden for u in linked(links, pattern)], links
    for path in sorted({u.split("?")[0] for u in links if u.startswith("/")}):
        if path.startswith(("/static/", "/accounts/logout")):
            continue
        assert client.get(path).status_code != 403, path
    client.force_login(make_user(Role.ORGANIZER))
    body = client.get(reverse("dashboard:overview")).content.decode()
    links = set(re.findall(r'href="([^"]+)"', body))
    assert all(linked(links, pattern) for pattern in hidden)
