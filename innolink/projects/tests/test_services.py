"""Signed projects through their services: checks that write nothing, access, reports that lock
once accepted, corrections, computed status and the overview's tallies."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.dashboard import tallies
from innolink.dashboard.models import Tally
from innolink.projects import access, services
from innolink.projects.models import (
    ProgressReport,
    Project,
    ProjectMilestone,
    ProjectParty,
    ProjectProblem,
    ProjectTarget,
    ReportValue,
)
from innolink.projects.tests.factories import make_project, project_data

pytestmark = pytest.mark.django_db


def counts():
    return (Project.objects.count(), ProjectParty.objects.count(), ProjectTarget.objects.count(),
            ProjectMilestone.objects.count(), ProgressReport.objects.count(),
            ReportValue.objects.count(), ProjectProblem.objects.count(),
            AuditEntry.objects.count(), Tally.objects.count())


def test_create_records_parties_targets_milestones_and_computes_status(staff):
    project = make_project(staff)
    assert project.investment == Decimal("30000000.00")
    assert project.town == "陈埭"  # from the lead enterprise
    assert [m.stage for m in project.milestones.all()] == ["signed", "registered", "started",
                                                           "producing"]
    assert project.milestones.get(stage="signed").done_on == dt.date(2025, 4, 15)
    # today is long after the planned registration and start: late, with the reasons
    assert project.status == "late"
    codes = [r["code"] for r in project.status_reasons]
    assert "milestone_overdue" in codes and "report_missing" in codes
    assert AuditEntry.objects.filter(model="projects.project", action="create").count() == 1
    stored = tallies.stored(["projects."])
    assert stored[("projects.kind", "research", "陈埭", "2025-04")] == (
        1, Decimal("30000000.0000"))


@pytest.mark.parametrize("change, field, message", [
    ({"targets": [{"name": "产能", "target": "2", "due_on": "2026-12-31"}]},
     "targets.1.unit", "请填写单位"),
    ({"targets": [{"name": "产能", "unit": "吨/年", "target": "2", "due_on": "2025-01-01"}]},
     "targets.1.due_on", "早于签约日期"),
    ({"milestones": [{"stage": "started", "due_on": "2024-12-31"}]},
     "milestones.1.due_on", "早于签约日期"),
    ({"milestones": [{"stage": "launch", "due_on": "2025-12-31"}]},
     "milestones.1.stage", "阶段应为以下之一"),
    ({"parties": [{"role": "partner", "organisation": "某研究院"}]}, "parties", "责任主体"),
    ({"parties": []}, "parties", "至少填写一个参与方"),
    ({"department_id": ""}, "department_id", "请选择一个部门"),
    ({"kind": "mine"}, "kind", "应为以下之一"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_written(staff, change, field, message):
    data = project_data()
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.project_create(actor=staff, data={**data, **change})
    assert field in caught.value.fields, caught.value.fields
    assert message in " ".join(caught.value.fields[field])
    assert counts() == before


def test_only_organizer_staff_create_projects(leader):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.project_create(actor=leader, data=project_data())
    enterprise_user = make_user(Role.ENTERPRISE)
    with pytest.raises(PermissionDenied):
        services.project_create(actor=enterprise_user, data=project_data())
    assert counts() == before


def test_who_sees_which_projects(staff, leader):
    mine = make_enterprise(town="安海")
    other = make_enterprise()
    from innolink.accounts.models import Institution
    institute = Institution.objects.create(name="某材料研究所", kind="institute")
    p1 = make_project(staff, enterprise=mine, parties=[
        {"role": "lead", "enterprise_id": mine.pk},
        {"role": "partner", "institution_id": institute.pk}])
    p2 = make_project(staff, enterprise=other)
    own = make_user(Role.ENTERPRISE, enterprise=mine)
    outsider = make_user(Role.ENTERPRISE, enterprise=make_enterprise())
    partner = make_user(Role.RESEARCHER, institution=institute)
    qs = Project.objects.all()
    assert set(access.visible_projects(leader, qs)) == {p1, p2}
    assert set(access.visible_projects(own, qs)) == {p1}
    assert set(access.visible_projects(partner, qs)) == {p1}
    assert set(access.visible_projects(outsider, qs)) == set()
    assert access.can_file_report(own, p1) and not access.can_file_report(partner, p1)
    assert not access.can_file_report(leader, p1)


def test_report_values_milestones_and_funds_apply_when_accepted_then_lock(staff):
    project = make_project(staff)
    lead = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    capacity, output = project.targets.all()
    started = project.milestones.get(stage="started")
    report = services.report_file(
        actor=lead, project=project, period="2025Q3",
        values={capacity.pk: "0.5", output.pk: "800"},
        milestones={started.pk: {"done_on": "2025-09-20", "evidence": "开工仪式，施工许可证"}},
        funds_in_place="1200", narrative="厂房改造完成", problems=["环评批复尚未下达"])
    assert report.state == "submitted" and report.period_end == dt.date(2025, 9, 30)
    assert Notification.objects.filter(kind="project.report_filed", recipient=staff).exists()
    capacity.refresh_from_db()
    assert capacity.latest_value is None  # nothing applies before acceptance
    services.report_accept(actor=staff, report=report)
    capacity.refresh_from_db()
    started.refresh_from_db()
    project.refresh_from_db()
    assert capacity.latest_value == Decimal("0.5") and capacity.latest_on == dt.date(2025, 9, 30)
    assert started.done_on == dt.date(2025, 9, 20) and "施工许可证" in started.evidence
    assert project.funds_in_place == Decimal("1200.00")
    assert project.problems.get().description == "环评批复尚未下达"
    # the accepted period is locked: a new report for it is refused, nothing written
    before = counts()
    with pytest.raises(Conflict) as caught:
        services.report_file(actor=lead, project=project, period="2025Q3",
                             values={capacity.pk: "0.6"})
    assert caught.value.code == "report_locked"
    assert counts() == before
    # a correction is a new, audited report that supersedes the accepted one once reviewed
    fix = services.report_file(actor=lead, project=project, period="2025Q3",
                               values={capacity.pk: "0.6"}, corrects=report.pk)
    services.report_accept(actor=staff, report=fix)
    report.refresh_from_db()
    capacity.refresh_from_db()
    assert report.state == "superseded" and capacity.latest_value == Decimal("0.6")
    assert ReportValue.objects.filter(report=report).get(target=capacity).value == Decimal("0.5")
    assert AuditEntry.objects.filter(model="projects.progressreport",
                                     object_id=str(report.pk), action="transition").count() == 2


@pytest.mark.parametrize("kwargs, field", [
    ({"values": {"999999": "1"}}, "values.999999"),
    ({"values": {"{capacity}": "abc"}}, "values.{capacity}"),
    ({"period": "2025-13"}, "period"),
    ({"period": "2024Q4"}, "period"),
    ({"period": "2099Q1"}, "period"),
    ({"values": {}}, "values"),
    ({"milestones": {"{started}": {"done_on": "2025-09-20", "evidence": ""}}},
     "milestones.{started}.evidence"),
])
def test_bad_reports_are_refused_and_write_nothing(staff, kwargs, field):
    project = make_project(staff)
    capacity = project.targets.first()
    started = project.milestones.get(stage="started")

    def fill(value):
        if isinstance(value, str):
            return value.format(capacity=capacity.pk, started=started.pk)
        if isinstance(value, dict):
            return {fill(k): fill(v) for k, v in value.items()}
        return value

    args = {"period": "2025Q3", **{k: fill(v) for k, v in kwargs.items()}}
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.report_file(actor=staff, project=project, **args)
    assert fill(field) in caught.value.fields, caught.value.fields
    assert counts() == before


def test_reports_for_a_closed_project_and_by_outsiders_are_refused(staff):
    project = make_project(staff)
    outsider = make_user(Role.ENTERPRISE)
    with pytest.raises(NotFound):
        services.report_file(actor=outsider, project=project, period="2025Q3",
                             narrative="x")
    services.project_close(actor=staff, project=project)
    project.refresh_from_db()
    assert project.status == "closed"
    before = counts()
    with pytest.raises(Conflict) as caught:
        services.report_file(actor=staff, project=project, period="2025Q3", narrative="进展")
    assert caught.value.code == "project_closed"
    assert counts() == before


def test_problem_waits_for_the_service_desk_then_becomes_a_request(staff, monkeypatch):
    """转为诉求 through the service desk's real ``request_create`` (ADR 0400)."""
    from innolink.servicedesk.models import RequestEvent, ServiceRequest

    project = make_project(staff)
    report = services.report_file(actor=staff, project=project, period="2025Q3",
                                  narrative="进展", problems=["用地指标未落实，二期厂房无法开工"])
    problem = report.problems.get()
    with monkeypatch.context() as patched:
        patched.setattr(services, "servicedesk_request_create", lambda: None)
        with pytest.raises(Conflict) as caught:
            services.problem_escalate(actor=staff, problem=problem)
    assert caught.value.code == "servicedesk_missing"
    problem.refresh_from_db()
    assert problem.state == "open" and ServiceRequest.objects.count() == 0

    services.problem_escalate(actor=staff, problem=problem)
    problem.refresh_from_db()
    request = ServiceRequest.objects.get()
    lead = project.parties.get(role="lead").enterprise
    assert (problem.state, problem.request_ref, problem.request_url) == (
        "escalated", request.number, request.get_absolute_url())
    assert request.enterprise == lead and request.channel == "project"
    assert request.source == f"project:{project.pk}" and request.town == project.town
    assert "用地指标未落实" in request.description and project.title in request.description
    assert request.category.code == "other" and request.created_by == staff
    assert RequestEvent.objects.filter(request=request, kind="created").count() == 1
    assert AuditEntry.objects.filter(model="servicedesk.servicerequest",
                                     action="create").count() == 1
    # handled once: a second escalation is refused and files nothing
    with pytest.raises(Conflict):
        services.problem_escalate(actor=staff, problem=problem)
    assert ServiceRequest.objects.count() == 1


def test_the_lead_enterprise_escalates_its_own_problem(staff):
    """The desk's channel check is the project's access rule here: the responsible
    enterprise's user may escalate (the desk itself lets enterprises file online only)."""
    from innolink.servicedesk.models import ServiceRequest

    project = make_project(staff)
    lead = project.parties.get(role="lead").enterprise
    user = make_user(Role.ENTERPRISE, enterprise=lead)
    report = services.report_file(actor=user, project=project, period="2025Q3",
                                  narrative="进展", problems=["电力增容迟迟未批"])
    services.problem_escalate(actor=user, problem=report.problems.get())
    request = ServiceRequest.objects.get()
    assert (request.enterprise, request.created_by, request.channel) == (lead, user, "project")
    # another enterprise cannot
    other = make_user(Role.ENTERPRISE, enterprise=make_enterprise(town="陈埭"))
    second = services.report_file(actor=user, project=project, period="2025Q4",
                                  narrative="进展", problems=["融资担保"])
    before = (ServiceRequest.objects.count(), AuditEntry.objects.count())
    with pytest.raises((NotFound, PermissionDenied)):
        services.problem_escalate(actor=other, problem=second.problems.get())
    assert (ServiceRequest.objects.count(), AuditEntry.objects.count()) == before


def test_a_project_without_an_enterprise_party_files_nothing(staff):
    from innolink.servicedesk.models import ServiceRequest

    project = make_project(staff)
    report = services.report_file(actor=staff, project=project, period="2025Q3",
                                  narrative="进展", problems=["人才公寓"])
    ProjectParty.objects.filter(project=project, enterprise__isnull=False).update(
        enterprise=None, organisation="某研究院")
    before = (ServiceRequest.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict) as caught:
        services.problem_escalate(actor=staff, problem=report.problems.get())
    assert caught.value.code == "no_enterprise"
    assert (ServiceRequest.objects.count(), AuditEntry.objects.count()) == before
    assert report.problems.get().state == "open"


def test_missing_reports_are_chased_once_per_period(staff):
    project = make_project(staff)
    lead = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    today = dt.date(2025, 10, 20)  # 2025Q3 ended 20 days ago
    assert services.reports_chase(today=today) == 1
    assert Notification.objects.filter(recipient=lead, kind="project.report_missing").count() == 1
    assert services.reports_chase(today=today) == 0
    assert Notification.objects.filter(kind="project.report_missing").count() == 1


def test_tallies_follow_every_write_and_equal_a_recount(staff):
    p1 = make_project(staff)
    p2 = make_project(staff, kind="compute", milestones=[{"stage": "build", "due_on": "2025-08-31"}],
                      targets=[])
    report = services.report_file(actor=staff, project=p1, period="2025Q3",
                                  values={p1.targets.first().pk: "1"}, funds_in_place="500")
    services.report_accept(actor=staff, report=report)
    services.project_close(actor=staff, project=p2)
    services.projects_refresh(today=timezone.localdate() + dt.timedelta(days=1))
    assert tallies.same(tallies.stored(["projects."]), recount())


def recount():
    """Every project's rows from scratch."""
    return tallies.merge(*[services.tally_rows(p) for p in Project.objects.all()])


@pytest.mark.parametrize("investment, unit", [
    ("99999999999999", "wan"),     # 10^18 yuan: past the 16-digit column once in yuan
    ("1e30", "yuan"), ("1" + "0" * 40, "yuan"), ("NaN", "yuan"), ("1e-30", "wan"),
])
def test_huge_or_odd_money_is_a_field_error_and_nothing_written(staff, investment, unit):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.project_create(actor=staff, data=project_data(investment=investment,
                                                               investment_unit=unit))
    assert "investment" in caught.value.fields, caught.value.fields
    assert "计划投资" in " ".join(caught.value.fields["investment"])
    assert counts() == before


def test_a_returned_report_counts_as_not_filed(staff):
    """A returned (退回) report neither silences the reminders nor keeps the project clear of
    report_missing: the period is chased again and the reason says the report was returned."""
    from innolink.projects import selectors

    project = make_project(staff, milestones=[], targets=[])
    lead = make_user(Role.ENTERPRISE, enterprise=project.parties.get(role="lead").enterprise)
    today = dt.date(2026, 10, 20)  # 2026Q3 ended 20 days ago
    assert services.reports_chase(today=today) == 1
    report = services.report_file(actor=lead, project=project, period="2026Q3", narrative="进展")
    assert services.reports_chase(today=today) == 0
    services.project_recompute(project, today=today)
    assert "report_missing" not in [r["code"] for r in project.status_reasons]

    services.report_return(actor=staff, report=report, note="数据不全")
    assert services.reports_chase(today=today) == 1  # chased again after the return
    assert services.reports_chase(today=today) == 0  # once per return
    chased = Notification.objects.filter(recipient=lead, kind="project.report_missing")
    assert chased.count() == 2
    assert "退回" in chased.order_by("-id").first().body
    services.project_recompute(project, today=today)
    project.refresh_from_db()
    missing = [r for r in project.status_reasons if r["code"] == "report_missing"]
    assert project.status == "at_risk" and missing and missing[0]["returned"] is True
    assert "已被退回" in selectors.reason_text(missing[0])

    # filed again: the period is covered once more
    services.report_file(actor=lead, project=project, period="2026Q3", narrative="补充数据")
    assert services.reports_chase(today=today) == 0
    services.project_recompute(project, today=today)
    assert project.status == "on_track"
