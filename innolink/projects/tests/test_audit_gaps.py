"""Gaps an audit of issue 13 found (ADR 0510): the 在建 filter, one visibility rule for the list,
the detail, the API and the export, the correction form on the corrected period, a refused
report keeping what was typed, and an escalated problem showing its request's state."""

import csv
import io
import re

import pytest
from django.urls import reverse

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.projects import services
from innolink.projects.models import ProgressReport, ProjectProblem, ReportValue
from innolink.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def listed(client, url: str) -> set[str]:
    body = client.get(url).content.decode()
    return set(re.findall(r'href="/projects/(\d+)/"', body))


def test_the_open_filter_lists_every_project_not_closed(client, staff, leader):
    active, closed = make_project(staff), make_project(staff, title="已结项的项目")
    services.project_close(actor=staff, project=closed)
    client.force_login(leader)
    assert listed(client, reverse("projects:list") + "?status=open") == {str(active.pk)}
    assert listed(client, reverse("projects:list")) == {str(active.pk), str(closed.pk)}
    rows = client.get("/api/projects?status=open").json()
    assert [r["id"] for r in rows] == [active.pk]


def test_one_visibility_rule_for_list_detail_api_and_export(client, staff):
    institute = Institution.objects.create(name="某高校新材料研究院")
    outsider = make_enterprise(name="无关企业")
    partner_company = make_enterprise(name="合作企业")
    first = make_project(staff, parties=[
        {"role": "lead", "enterprise_id": make_enterprise(town="陈埭").pk},
        {"role": "partner", "institution_id": institute.pk},
        {"role": "partner", "enterprise_id": partner_company.pk}])
    second = make_project(staff, title="另一个项目")
    cadre = make_user(Role.CADRE)
    first.__class__.objects.filter(pk=second.pk).update(cadre=cadre)
    users = {
        "partner researcher": (make_user(Role.RESEARCHER, institution=institute), {first.pk}),
        "partner enterprise": (make_user(Role.ENTERPRISE, enterprise=partner_company),
                               {first.pk}),
        "reviewer of the partner": (make_user(Role.REVIEWER, institution=institute), set()),
        "outside enterprise": (make_user(Role.ENTERPRISE, enterprise=outsider), set()),
        "responsible cadre": (cadre, {second.pk}),
    }
    for name, (user, expected) in users.items():
        client.force_login(user)
        page = client.get(reverse("projects:list"))
        shown = ({int(x) for x in listed(client, reverse("projects:list"))}
                 if page.status_code == 200 else set())
        api = client.get("/api/projects")
        api_ids = {r["id"] for r in api.json()} if api.status_code == 200 else set()
        export = client.get(reverse("projects:export"))
        exported = set()
        if export.status_code == 200:
            rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
            titles = {r[0] for r in rows[1:]}
            exported = {p.pk for p in (first, second) if p.title in titles}
        readable = {p.pk for p in (first, second)
                    if client.get(reverse("projects:detail", args=[p.pk])).status_code == 200}
        api_readable = {p.pk for p in (first, second)
                        if client.get(f"/api/projects/{p.pk}").status_code == 200}
        assert shown == api_ids == exported == readable == api_readable == expected, name


def test_the_export_follows_the_list_filters_and_neutralises_cells(client, staff, leader):
    make_project(staff, title="=HYPERLINK(\"http://x\")")
    closed = make_project(staff, title="已结项")
    services.project_close(actor=staff, project=closed)
    client.force_login(leader)
    response = client.get(reverse("projects:export") + "?status=open")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "项目名称" and len(rows) == 2
    assert rows[1][0].startswith("'=")  # never a live formula
    assert rows[1][7] == "3000.00"  # 万元


def accepted_report(staff, project, period="2025Q3", value="0.4"):
    report = services.report_file(actor=staff, project=project, period=period,
                                  values={project.targets.first().pk: value},
                                  funds_in_place="500", funds_unit=services.WAN,
                                  narrative=f"{period} 进展")
    return services.report_accept(actor=staff, report=report)


def test_the_correction_form_opens_on_the_corrected_period(client, staff):
    project = make_project(staff)
    old = accepted_report(staff, project, "2025Q3", "0.4")
    accepted_report(staff, project, "2025Q4", "0.8")
    client.force_login(staff)
    url = reverse("projects:report", args=[project.pk])
    body = client.get(f"{url}?corrects={old.pk}").content.decode()
    selected = re.findall(r'<option value="([^"]+)" selected', body)
    assert selected == ["2025Q3"]  # not the newest period
    assert re.findall(r'<option value="(\d{4}Q\d)"', body) == ["2025Q3"]
    target = project.targets.first()
    assert f'name="value-{target.pk}" inputmode="decimal" value="0.4"' in body
    assert 'name="funds_in_place" inputmode="decimal" value="500"' in body
    assert "2025Q3 进展" in body
    # only an accepted report of this project can be corrected
    pending = services.report_file(actor=staff, project=project, period="2026Q1",
                                   narrative="待审")
    assert client.get(f"{url}?corrects={pending.pk}").status_code == 404
    # posting the correction files it against that period
    response = client.post(f"{url}?corrects={old.pk}", {
        "period": "2025Q3", f"value-{target.pk}": "0.5", "narrative": "更正"})
    assert response.status_code == 302
    correction = ProgressReport.objects.get(corrects=old)
    assert correction.period_start == old.period_start


def test_a_refused_report_keeps_what_was_typed_with_messages_at_the_fields(client, staff):
    project = make_project(staff)
    target = project.targets.first()
    milestone = project.milestones.get(stage="registered")
    client.force_login(staff)
    before = (ProgressReport.objects.count(), ReportValue.objects.count(),
              ProjectProblem.objects.count(), AuditEntry.objects.count())
    response = client.post(reverse("projects:report", args=[project.pk]), {
        "period": "2025Q4", f"value-{target.pk}": "一点五", "funds_in_place": "abc",
        f"done-{milestone.pk}": "2025-11-02", f"evidence-{milestone.pk}": "营业执照",
        "narrative": "已注册，正在安装产线", "problems": "用地指标未落实"})
    assert response.status_code == 422
    body = response.content.decode()
    assert (ProgressReport.objects.count(), ReportValue.objects.count(),
            ProjectProblem.objects.count(), AuditEntry.objects.count()) == before
    assert re.search(rf'name="value-{target.pk}" inputmode="decimal" value="一点五" '
                     r'aria-invalid="true"><span class="field-error">[^<]*应为数字', body)
    assert re.search(r'name="funds_in_place" inputmode="decimal" value="abc" '
                     r'aria-invalid="true"><span class="field-error">', body)
    assert f'name="done-{milestone.pk}" value="2025-11-02"' in body
    assert f'name="evidence-{milestone.pk}" value="营业执照"' in body
    assert "已注册，正在安装产线" in body and "用地指标未落实" in body
    assert re.findall(r'<option value="([^"]+)" selected', body) == ["2025Q4"]


def test_an_escalated_problem_shows_its_request_state_on_the_project(client, staff, leader):
    from innolink.servicedesk.models import ServiceRequest

    project = make_project(staff)
    report = services.report_file(actor=staff, project=project, period="2025Q3",
                                  narrative="进展", problems=["用地指标未落实"])
    problem = services.problem_escalate(actor=staff, problem=report.problems.get())
    request = ServiceRequest.objects.get()
    client.force_login(leader)
    url = reverse("projects:detail", args=[project.pk])

    def state_shown() -> str:
        body = client.get(url).content.decode()
        found = re.search(r'class="small request-state">[^<]*<span class="tag[^"]*">([^<]+)<',
                          body)
        return found.group(1) if found else ""

    assert problem.request_ref in client.get(url).content.decode()
    assert state_shown() == str(request.get_status_display())
    ServiceRequest.objects.filter(pk=request.pk).update(status="closed", deadline_at=None)
    assert state_shown() == "已办结"


def test_the_leader_reads_every_project_page_and_writes_nothing(client, staff, leader):
    from innolink.projects.models import Project, ProjectMilestone, ProjectTarget

    project = make_project(staff)
    report = services.report_file(actor=staff, project=project, period="2025Q3",
                                  narrative="进展", problems=["用地指标未落实"])
    problem = report.problems.get()
    client.force_login(leader)
    for url in (reverse("projects:list"), reverse("projects:list") + "?status=open",
                reverse("projects:detail", args=[project.pk]), reverse("projects:measures"),
                reverse("projects:export")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'method="post"' not in response.content.split(b"<main")[-1] or \
            url == reverse("projects:export"), url
    state = lambda: (Project.objects.values_list("state", "status").get(pk=project.pk),  # noqa: E731
                     ProgressReport.objects.values_list("state", flat=True).get(pk=report.pk),
                     ProjectProblem.objects.values_list("state", flat=True).get(pk=problem.pk),
                     ProjectTarget.objects.count(), ProjectMilestone.objects.count(),
                     AuditEntry.objects.count())
    before = state()
    posts = {
        reverse("projects:create"): {"title": "x"},
        reverse("projects:report", args=[project.pk]): {"period": "2025Q4", "narrative": "x"},
        reverse("projects:target-add", args=[project.pk]): {"name": "x", "unit": "个",
                                                            "target": "1",
                                                            "due_on": "2026-12-31"},
        reverse("projects:milestone-add", args=[project.pk]): {"stage": "started",
                                                               "due_on": "2026-12-31"},
        reverse("projects:close", args=[project.pk]): {},
        reverse("projects:report-accept", args=[report.pk]): {},
        reverse("projects:report-return", args=[report.pk]): {"note": "x"},
        reverse("projects:problem-escalate", args=[problem.pk]): {},
        reverse("projects:problem-resolve", args=[problem.pk]): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code in (302, 403), url
    assert state() == before
    api = client.post(f"/api/projects/{project.pk}/reports",
                      data={"period": "2025Q4", "narrative": "x"},
                      content_type="application/json")
    assert api.status_code == 403 and state() == before


@pytest.mark.demo_seed
def test_the_demo_city_has_the_18_conference_projects():
    from innolink.accounts.models import Department
    from innolink.projects import demo
    from innolink.projects.models import Project

    for code, name in (("kjj", "科学技术局"), ("gxj", "工业和信息化局"), ("qxj", "气象局")):
        Department.objects.get_or_create(code=code, defaults={"name": name})
    make_user(Role.ORGANIZER, username="organizer")
    for i in range(20):
        make_enterprise(is_demo=True, size_class="large", town=["陈埭", "安海"][i % 2])
    demo.seed(seed=1)
    projects = Project.objects.filter(is_demo=True, signing_event_name=demo.EVENT)
    kinds = sorted(projects.values_list("kind", flat=True))
    assert len(kinds) == 18
    assert (kinds.count("compute"), kinds.count("ai_app"), kinds.count("research"),
            kinds.count("weather")) == (1, 8, 8, 1)
    bcb = projects.get(title="BCB光刻胶联合实验室")
    units = {t.unit for t in bcb.targets.all()}
    assert "万元" in units and any("吨" in u for u in units) and "%" in units
    assert ProgressReport.objects.filter(project__in=projects).exists()
    assert all(p.status_reasons or p.status == "on_track" for p in projects)  # with reasons
    demo.seed(seed=1)  # idempotent
    assert projects.count() == 18


def test_the_report_form_opens_on_the_period_the_reminder_chases(client, staff):
    import datetime as dt

    from django.utils import timezone

    from innolink.engines.projects import status as engine

    project = make_project(staff)
    today = timezone.localdate()
    chased = engine.last_ended_period(today, project.signed_on, "quarterly")
    label = engine.period_label(chased[0], "quarterly")
    client.force_login(staff)
    url = reverse("projects:report", args=[project.pk])

    def selected() -> list[str]:
        return re.findall(r'<option value="([^"]+)" selected', client.get(url).content.decode())

    assert selected() == [label]  # not the current, unfinished period
    services.report_file(actor=staff, project=project, period=label, narrative="已报")
    earlier = engine.period_label(chased[0] - dt.timedelta(days=1), "quarterly")
    assert selected() == [earlier]  # the latest ended period still without a report
