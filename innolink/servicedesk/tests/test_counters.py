"""The aggregate counters equal a full recount after random writes (every service, refusals,
time passing across months and the sweep), and the overview reads them in a fixed number of
queries."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innolink.accounts.roles import Role
from innolink.core.errors import ApplicationError
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.servicedesk import selectors, services
from innolink.servicedesk.models import RateCounter, RequestEvent, ServiceRequest, Status
from innolink.servicedesk.tests.helpers import frozen, local

CATEGORIES = ["land", "labor", "tax", "other", "property"]
TEXTS = ["厂房产权证办不下来", "春节后缺普工两百人", "出口退税三个月未到账", "不知道找哪个部门",
         "二期扩产缺三十亩工业用地", "宿舍楼规划核实未通过"]


def _recount_independently() -> dict[str, int]:
    """Totals computed from the requests' own state and history, not from the tallies."""
    events = RequestEvent.objects
    return {
        "received": ServiceRequest.objects.count(),
        "rated": events.filter(kind=RequestEvent.Kind.RATED).count(),
        "reopened": events.filter(kind=RequestEvent.Kind.REOPENED).count(),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_equal_a_full_recount_after_random_writes(desk, seed, coordinator, leader):
    rng = random.Random(seed)
    handlers = {code: make_user(Role.DEPT_HANDLER, department=desk[key])
                for code, key in (("zrzyj", "zr"), ("zjj", "zj"), ("rsj", "rs"), ("qyfw", "fb"))}
    companies = [make_enterprise(town=rng.choice(["陈埭", "安海", "磁灶"])) for _ in range(4)]
    owners = {c.pk: make_user(Role.ENTERPRISE, enterprise=c) for c in companies}
    moment = local(2025, 9, 25, 9, 0)
    failures = 0
    for step in range(120):
        moment += dt.timedelta(minutes=rng.choice([7, 45, 130, 600, 1500, 4000]))
        with frozen(moment):
            open_ids = list(ServiceRequest.objects.exclude(
                status__in=[Status.CLOSED, Status.MERGED]).values_list("pk", flat=True))
            action = rng.choice(["create", "create", "sign", "reply", "rate", "return", "decide",
                                 "review", "close", "merge", "sweep", "assign", "extension"])
            try:
                if action == "create" or not open_ids:
                    company = rng.choice(companies)
                    services.request_create(
                        enterprise=company, channel="online", actor=owners[company.pk],
                        category=rng.choice(CATEGORIES), description=rng.choice(TEXTS),
                        kind=rng.choice(["consult", "help", "complaint"]),
                        urgent=rng.random() < 0.1)
                    continue
                request = ServiceRequest.objects.get(pk=rng.choice(open_ids))
                handler = handlers.get(request.department.code) if request.department else None
                if action == "sweep":
                    services.sla_sweep()
                elif action == "sign":
                    services.request_sign(actor=handler, request_id=request.pk)
                elif action == "reply":
                    services.request_reply(actor=handler, request_id=request.pk, text="已办理")
                elif action == "rate":
                    rating = rng.choice(["satisfied", "basic", "unsatisfied"])
                    services.request_rate(actor=owners[request.enterprise_id],
                                          request_id=request.pk, rating=rating, comment="意见")
                elif action == "return":
                    services.request_return(actor=handler, request_id=request.pk, reason="不归口")
                elif action == "decide":
                    services.request_return_decide(
                        actor=coordinator, request_id=request.pk, accept=rng.random() < 0.5,
                        department=rng.choice(["zjj", "rsj", "zrzyj"]), note="协调意见")
                elif action == "review":
                    services.request_review(actor=coordinator, request_id=request.pk,
                                            reopen=rng.random() < 0.6, note="复核")
                elif action == "close":
                    services.request_close(actor=coordinator, request_id=request.pk)
                elif action == "assign":
                    services.request_assign(actor=coordinator, request_id=request.pk,
                                            department=rng.choice(["zjj", "rsj", "zrzyj"]))
                elif action == "extension":
                    ext = services.request_extension_ask(actor=handler, request_id=request.pk,
                                                         days=2, reason="需要时间")
                    services.request_extension_decide(actor=coordinator, extension_id=ext.pk,
                                                      approve=rng.random() < 0.7)
                elif action == "merge":
                    same = [pk for pk in open_ids if pk != request.pk and ServiceRequest.objects
                            .filter(pk=pk, enterprise_id=request.enterprise_id).exists()]
                    if same:
                        services.request_merge(actor=coordinator, source_id=request.pk,
                                               target_id=rng.choice(same))
            except ApplicationError:
                failures += 1  # refused in this state: nothing may have been counted
    # then the counters agree with the history, key by key
    assert selectors.counters_stored() == selectors.counters_recount()
    # and with totals taken from the requests themselves
    stored = {f: sum(r[f] for r in RateCounter.objects.values(f)) for f in RateCounter.FIELDS}
    independent = _recount_independently()
    assert stored["received"] == independent["received"]
    assert stored["rated"] == independent["rated"]
    assert stored["reopened"] == independent["reopened"]
    assert stored["satisfied"] + stored["basic"] + stored["unsatisfied"] == stored["rated"]
    assert stored["sign_timely"] <= stored["sign_total"]
    assert stored["done_timely"] <= stored["done_total"]
    assert ServiceRequest.objects.count() > 10 and failures > 0
    # a rebuild from the history changes nothing
    before = selectors.counters_stored()
    services.counters_rebuild()
    assert selectors.counters_stored() == before


def test_overview_reads_aggregates_in_a_fixed_number_of_queries(desk, filed, handler, owner):
    from django.utils import timezone

    from innolink.servicedesk.overview import overview_section

    today = timezone.localdate()
    services.request_sign(actor=handler, request_id=filed.pk)
    with CaptureQueriesContext(connection) as few:
        section = overview_section(today=today)
    for i in range(15):
        services.request_create(enterprise=filed.enterprise, channel="online", category="land",
                                description=f"第{i}件用地诉求", actor=owner)
    with CaptureQueriesContext(connection) as many:
        again = overview_section(today=today)
    assert len(few.captured_queries) == len(many.captured_queries) <= 12
    figures = {f.key: f for f in again.figures}
    assert figures["servicedesk.received"].value == 16
    assert figures["servicedesk.timely_sign_rate"].value == 100
    assert figures["servicedesk.received"].by_town == {"陈埭": 16}  # the map's town keys
    assert figures["servicedesk.received"].by_month == [(f"{today:%Y-%m}", 16)]
    assert all(f.definition for f in again.figures)
    assert section.key == "servicedesk" and again.late == []


def test_overview_lists_overdue_with_owners(desk, company, owner):
    from innolink.servicedesk.overview import overview_section

    with frozen(local(2025, 9, 29, 10, 0)):
        services.request_create(enterprise=company, channel="online", category="land",
                                description="产权证办不下来", actor=owner)
    with frozen(local(2025, 10, 20, 10, 0)):
        section = overview_section(today=dt.date(2025, 10, 20))
    assert [(i.owner, i.days_late) for i in section.late] == [("自然资源局", 20)]
    assert section.late[0].due == dt.date(2025, 9, 29)


def test_the_leaders_overview_shows_the_three_rates_and_the_overdue_list(
        client, desk, company, owner, handler, leader):
    """On the dashboard's page (not only the section): the 三率 with their definitions, the
    overdue request with its owner and a link the leader can follow, the map by town and the
    measures page narrowed to the town the map links to."""
    import re

    from django.urls import reverse
    from django.utils import timezone

    late_at = timezone.now() - dt.timedelta(days=20)
    with frozen(late_at):
        late = services.request_create(enterprise=company, channel="online", category="land",
                                       description="厂房产权证办不下来，影响贷款", actor=owner)
    services.request_create(enterprise=make_enterprise(town="安海"), channel="hotline",
                            category="land", description="安海园区用地指标", actor=None)
    client.force_login(leader)
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    for label in ("企业诉求办理", "及时签收率", "按时办结率", "满意率"):
        assert label in body, label
    assert late.number in body and late.get_absolute_url() in body
    assert "自然资源局" in body
    assert client.get(late.get_absolute_url()).status_code == 200
    # the map is coloured by the towns it knows (bare names), not by display labels
    from innolink.dashboard.geo import TOWN_SEATS
    from innolink.dashboard.overview import sections

    desk_section = next(s for s in sections(today=timezone.localdate()) if s.key == "servicedesk")
    received = next(f for f in desk_section.figures if f.key == "servicedesk.received")
    assert received.by_town == {"陈埭": 1, "安海": 1}
    for figure in desk_section.figures:
        assert set(figure.by_town or {}) <= set(TOWN_SEATS), figure.key
    assert client.get(reverse("dashboard:overview") + "?measure=servicedesk.received"
                      ).status_code == 200
    measures = reverse("servicedesk:measures")
    year = timezone.localdate().year
    town_page = client.get(f"{measures}?year={year}&by=department&town=陈埭").content.decode()
    city_page = client.get(f"{measures}?year={year}&by=department").content.decode()
    first_kpi = re.compile(r'<div class="kpis">\s*<div><b>(\d+)</b>')
    assert first_kpi.search(town_page).group(1) == "1"
    assert first_kpi.search(city_page).group(1) == "2"
    # an unknown town is ignored, not an error
    assert client.get(f"{measures}?town=<x>").status_code == 200
