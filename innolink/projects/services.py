"""Every write of signed projects. Each function is one transaction: it checks the actor and the
input (a refusal writes nothing), audits what it changes, recomputes the project's status and
its share of the overview's tallies, and notifies those concerned (rows in the transaction,
outside channels on commit)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, Max, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Department, Institution, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.notifications import notify
from innolink.dashboard.tallies import month_of, point, tally_set_objects
from innolink.engines.projects import status as engine
from innolink.enterprises.models import Enterprise
from innolink.projects import access
from innolink.projects.models import (
    ProgressReport,
    Project,
    ProjectKind,
    ProjectMilestone,
    ProjectParty,
    ProjectProblem,
    ProjectState,
    ProjectTarget,
    ReportCycle,
    ReportMilestone,
    ReportReminder,
    ReportValue,
    TargetMetric,
    stage_marks,
    stages_for,
)
from innolink.projects.validation import Errors, rows
from innolink.projects.errors import (
    BAD_TRANSITION,
    NO_ENTERPRISE,
    PROBLEM_HANDLED,
    PROJECT_CLOSED,
    REPORTS_PENDING,
    REPORT_LOCKED,
    REPORT_PENDING,
    SERVICEDESK_MISSING,
)

logger = logging.getLogger(__name__)

PROJECT_FIELDS = ("title", "kind", "summary", "signing_event_id", "signing_event_name",
                  "signed_on", "department_id", "cadre_id", "investment", "report_cycle", "town")
TALLY_SOURCE = "projects"
WAN = Decimal(10_000)
#: The department that answers for projects created from 揭榜 contracts and contest awards.
DEFAULT_DEPARTMENT_CODE = "kjj"


def _today() -> dt.date:
    return timezone.localdate()


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _require_manager(actor) -> None:
    if not access.can_manage(actor):
        raise PermissionDenied(_("只有组织方工作人员可以登记和管理签约项目"))


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


# --------------------------------------------------------------------------- checking input

def _clean_parties(data: dict, e: Errors) -> list[ProjectParty]:
    out = []
    given = rows(data.get("parties"))
    if not given:
        e.add("parties", _("参与方：至少填写一个参与方"))
    for i, row in enumerate(given, start=1):
        role = str(row.get("role") or "partner").strip()
        if role not in ProjectParty.Role.values:
            e.add(f"parties.{i}.role", _("第 %(i)s 个参与方：角色无效") % {"i": i})
            continue
        enterprise = institution = None
        organisation = str(row.get("organisation") or "").strip()[:160]
        code = str(row.get("enterprise_code") or "").strip().upper()
        if row.get("enterprise_id") or code:
            qs = Enterprise.objects.all()
            enterprise = (qs.filter(pk=row["enterprise_id"]).first()
                          if str(row.get("enterprise_id") or "").isdigit()
                          else qs.filter(credit_code=code).first() if code else None)
            if enterprise is None:
                e.add(f"parties.{i}.enterprise", _("第 %(i)s 个参与方：企业库中没有这家企业") % {"i": i})
                continue
        if row.get("institution_id"):
            institution = (Institution.objects.filter(pk=row["institution_id"]).first()
                           if str(row["institution_id"]).isdigit() else None)
            if institution is None:
                e.add(f"parties.{i}.institution", _("第 %(i)s 个参与方：机构不存在") % {"i": i})
                continue
        if sum(bool(x) for x in (enterprise, institution, organisation)) != 1:
            e.add(f"parties.{i}", _("第 %(i)s 个参与方：请在企业、机构、外部单位中选择一项") % {"i": i})
            continue
        out.append(ProjectParty(role=role, enterprise=enterprise, institution=institution,
                                organisation=organisation))
    if out and not any(p.role == ProjectParty.Role.LEAD for p in out):
        e.add("parties", _("参与方：请指定一个责任主体（负责报送进展）"))
    return out


def _clean_targets(given: list[dict], signed_on: dt.date | None, e: Errors,
                   start: int = 1) -> list[ProjectTarget]:
    out = []
    for i, row in enumerate(given, start=start):
        sub = Errors()
        name = sub.text(row, "name", _("第 %(i)s 个指标名称") % {"i": i}, max_length=80)
        label = _("指标“%(name)s”") % {"name": name or i}
        metric = str(row.get("metric") or "other").strip()
        if metric not in TargetMetric.values:
            sub.add("metric", _("%(label)s：指标类型无效") % {"label": label})
        unit = str(row.get("unit") or "").strip()[:24]
        if not unit:
            sub.add("unit", _("%(label)s：请填写单位（如 吨/年、万元、%%、人、件）") % {"label": label})
        target = sub.decimal(row, "target", _("%(label)s的目标值") % {"label": label})
        baseline = sub.decimal(row, "baseline", _("%(label)s的基数") % {"label": label},
                               required=False) or Decimal(0)
        due = sub.date(row, "due_on", _("%(label)s的达成期限") % {"label": label})
        if due and signed_on and due < signed_on:
            sub.add("due_on", _("%(label)s：达成期限 %(due)s 早于签约日期 %(signed)s") % {
                "label": label, "due": due.isoformat(), "signed": signed_on.isoformat()})
        if target is not None and target == baseline:
            sub.add("target", _("%(label)s：目标值应与基数不同") % {"label": label})
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"targets.{i}.{key}", message)
        if not sub.fields:
            out.append(ProjectTarget(position=i, metric=metric, name=name, unit=unit,
                                     baseline=baseline, target=target, due_on=due))
    return out


def _clean_milestones(given: list[dict], kind: str, signed_on: dt.date | None, e: Errors,
                      start: int = 1) -> list[ProjectMilestone]:
    stages = {code: label for code, label, _m in stages_for(kind)}
    out = []
    for i, row in enumerate(given, start=start):
        stage = str(row.get("stage") or "").strip()
        if stage not in stages:
            e.add(f"milestones.{i}.stage", _("第 %(i)s 个节点：阶段应为以下之一：%(values)s") % {
                "i": i, "values": "、".join(str(v) for v in stages.values())})
            continue
        title = str(row.get("title") or "").strip()[:120] or str(stages[stage])
        sub = Errors()
        due = sub.date(row, "due_on", _("节点“%(t)s”的计划日期") % {"t": title},
                       required=stage != "signed")
        if due and signed_on and due < signed_on:
            sub.add("due_on", _("节点“%(t)s”：计划日期 %(due)s 早于签约日期 %(signed)s") % {
                "t": title, "due": due.isoformat(), "signed": signed_on.isoformat()})
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"milestones.{i}.{key}", message)
        if not sub.fields:
            out.append(ProjectMilestone(position=i, stage=stage, title=title, due_on=due))
    return out


def _clean_project(data: dict, e: Errors) -> dict[str, Any]:
    from innolink.events.models import Event

    fields: dict[str, Any] = {}
    fields["title"] = e.text(data, "title", _("项目名称"), max_length=160)
    fields["kind"] = e.choice(data, "kind", _("项目类型"), ProjectKind.choices)
    fields["summary"] = e.text(data, "summary", _("项目简介"), required=False, max_length=4000)
    fields["signed_on"] = e.date(data, "signed_on", _("签约日期"))
    if fields["signed_on"] and fields["signed_on"] > _today():
        e.add("signed_on", _("签约日期：不能晚于今天"))
    fields["report_cycle"] = e.choice(data, "report_cycle", _("报告周期"), ReportCycle.choices,
                                      required=False) or ReportCycle.QUARTERLY
    unit = WAN if str(data.get("investment_unit") or "") == "wan" else Decimal(1)
    fields["investment"] = e.money(data, "investment", _("计划投资"), required=False,
                                   unit=unit) or Decimal("0.00")
    fields["signing_event_name"] = e.text(data, "signing_event_name", _("签约活动名称"),
                                          required=False, max_length=160)
    event_id = str(data.get("signing_event_id") or "").strip()
    fields["signing_event_id"] = None
    if event_id:
        event = Event.objects.filter(pk=event_id).first() if event_id.isdigit() else None
        if event is None:
            e.add("signing_event_id", _("签约活动：活动不存在"))
        else:
            fields["signing_event_id"] = event.pk
            fields["signing_event_name"] = fields["signing_event_name"] or event.title
    department_id = str(data.get("department_id") or "").strip()
    department = Department.objects.filter(pk=department_id).first() \
        if department_id.isdigit() else None
    if department is None:
        e.add("department_id", _("责任部门：请选择一个部门"))
    fields["department_id"] = department.pk if department else None
    cadre_id = str(data.get("cadre_id") or "").strip()
    fields["cadre_id"] = None
    if cadre_id:
        cadre = User.objects.filter(pk=cadre_id, is_active=True,
                                    role__in=[Role.CADRE, Role.ORGANIZER, Role.DEPT_HANDLER]
                                    ).first() if cadre_id.isdigit() else None
        if cadre is None:
            e.add("cadre_id", _("责任干部：应为在册的挂钩干部或工作人员"))
        else:
            fields["cadre_id"] = cadre.pk
    town = str(data.get("town") or "").strip()
    from innolink.enterprises.reference import TOWN_NAMES

    if town and town not in TOWN_NAMES:
        e.add("town", _("所在镇街：应为晋江市的 19 个镇街之一"))
    fields["town"] = town
    return fields


# --------------------------------------------------------------------------- status and tallies

def engine_input(project: Project) -> engine.ProjectIn:
    milestones = tuple(
        engine.MilestoneIn(m.stage, m.title, m.due_on, m.done_on,
                           stage_marks(project.kind, m.stage))
        for m in project.milestones.all())
    targets = tuple(
        engine.TargetIn(t.name, t.unit, t.baseline, t.target, t.due_on, t.latest_value,
                        t.latest_on)
        for t in project.targets.all())
    states = ProgressReport.objects.filter(project=project).values_list("period_start", "state")
    reported = frozenset(start for start, state in states
                         if state != ProgressReport.State.RETURNED)
    returned = frozenset(start for start, state in states
                         if state == ProgressReport.State.RETURNED) - reported
    return engine.ProjectIn(project.signed_on, project.report_cycle, milestones, targets,
                            reported, closed=project.state == ProjectState.CLOSED,
                            investment=project.investment, funds_in_place=project.funds_in_place,
                            returned_periods=returned)


def tally_rows(project: Project) -> dict:
    """What one project adds to the overview's tallies (decision 0500)."""
    m = project.measures or {}
    town, period, kind = project.town, month_of(project.signed_on), project.kind
    out = {
        point("projects.kind", kind, town, period): (1, project.investment),
        point("projects.status", project.status, town, period): (1, project.investment),
        point("projects.funds", kind, town, period): (0, project.funds_in_place),
    }
    for name in ("obligations_due", "obligations_met", "start_due", "started",
                 "production_due", "producing", "targets_reported"):
        if m.get(name):
            out[point(f"projects.{name}", kind, town, period)] = (int(m[name]), Decimal(0))
    if m.get("attainment_sum"):
        out[point("projects.attainment", kind, town, period)] = (
            0, Decimal(m["attainment_sum"]))
    return out


def project_recompute(project: Project, *, today: dt.date | None = None) -> Project:
    """Recompute status, reasons and measures from the engine and replace the project's share
    of the tallies. Called inside every project write and by the daily refresh."""
    today = today or _today()
    data = engine_input(project)
    result = engine.status(data, today=today)
    t = engine.tallies(data, today=today)
    project.status = result.code
    project.status_reasons = [{"code": r.code, "severity": r.severity, **r.params}
                              for r in result.reasons]
    project.status_on = today
    project.measures = {"obligations_due": t.obligations_due,
                        "obligations_met": t.obligations_met, "start_due": t.start_due,
                        "started": t.started, "production_due": t.production_due,
                        "producing": t.producing, "targets_reported": t.targets_reported,
                        "attainment_sum": str(t.attainment_sum)}
    Project.objects.filter(pk=project.pk).update(
        status=project.status, status_reasons=project.status_reasons, status_on=today,
        measures=project.measures)
    tally_set_objects(TALLY_SOURCE, {project.pk: tally_rows(project)})
    return project


def projects_refresh(*, today: dt.date | None = None) -> int:
    """Recompute every project whose status was computed before ``today`` (time moves a
    project from on track to at risk or late without anyone writing). Returns how many."""
    today = today or _today()
    ids = list(Project.objects.exclude(status_on=today).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            project_recompute(Project.objects.select_for_update().get(pk=pk), today=today)
    return len(ids)


# --------------------------------------------------------------------------- projects

def _default_milestones(kind: str, signed_on: dt.date) -> list[ProjectMilestone]:
    return [ProjectMilestone(position=0, stage="signed", title=str(stages_for(kind)[0][1]),
                             due_on=signed_on, done_on=signed_on)]


@transaction.atomic
def project_create(*, actor, data: dict[str, Any], source: str = "web") -> Project:
    """Register a signed project with its parties, targets and milestones (all or nothing)."""
    _require_manager(actor)
    e = Errors()
    fields = _clean_project(data, e)
    parties = _clean_parties(data, e)
    targets = _clean_targets(rows(data.get("targets")), fields.get("signed_on"), e)
    milestones = _clean_milestones(rows(data.get("milestones")), fields.get("kind") or "",
                                   fields.get("signed_on"), e)
    e.raise_if_any()
    if not fields["town"]:
        lead = next((p for p in parties if p.role == "lead" and p.enterprise), None)
        fields["town"] = lead.enterprise.town if lead else ""
    project = Project.objects.create(**fields, created_by=actor,
                                     is_demo=bool(data.get("is_demo")),
                                     source_note=str(data.get("source_note") or "")[:300])
    for party in parties:
        party.project = project
    ProjectParty.objects.bulk_create(parties)
    for target in targets:
        target.project = project
    ProjectTarget.objects.bulk_create(targets)
    if not any(m.stage == "signed" for m in milestones):
        milestones = _default_milestones(project.kind, project.signed_on) + milestones
    for m in milestones:
        m.project = project
        if m.stage == "signed" and m.done_on is None:
            m.done_on = project.signed_on
    ProjectMilestone.objects.bulk_create(milestones)
    audit_record(actor=actor, action="create", instance=project, changes={
        **audit_diff({}, snapshot(project, PROJECT_FIELDS)),
        "parties": [None, [p.name for p in parties]],
        "targets": [None, [str(t) for t in targets]],
        "milestones": [None, [f"{m.title} {m.due_on or ''}" for m in milestones]]},
        source=source)
    project_recompute(project)
    _notify_parties(project, N_("签约项目已登记：%(t)s"), {"t": project.title},
                    kind="project.created")
    return project


@transaction.atomic
def project_target_add(*, actor, project: Project, data: dict[str, Any],
                       source: str = "web") -> ProjectTarget:
    _require_manager(actor)
    project = _locked(project)
    if project.state == ProjectState.CLOSED:
        raise Conflict(_("项目已结项，不能修改"), code=PROJECT_CLOSED)
    e = Errors()
    position = project.targets.count() + 1
    found = _clean_targets([data], project.signed_on, e, start=position)
    e.raise_if_any()
    target = found[0]
    target.project = project
    target.save()
    audit_record(actor=actor, action="update", instance=project,
                 changes={"targets": [None, str(target)]}, source=source)
    project_recompute(project)
    return target


@transaction.atomic
def project_milestone_add(*, actor, project: Project, data: dict[str, Any],
                          source: str = "web") -> ProjectMilestone:
    _require_manager(actor)
    project = _locked(project)
    if project.state == ProjectState.CLOSED:
        raise Conflict(_("项目已结项，不能修改"), code=PROJECT_CLOSED)
    e = Errors()
    position = project.milestones.count() + 1
    found = _clean_milestones([data], project.kind, project.signed_on, e, start=position)
    e.raise_if_any()
    milestone = found[0]
    milestone.project = project
    milestone.save()
    audit_record(actor=actor, action="update", instance=project,
                 changes={"milestones": [None, f"{milestone.title} {milestone.due_on}"]},
                 source=source)
    project_recompute(project)
    return milestone


@transaction.atomic
def project_close(*, actor, project: Project, note: str = "", source: str = "web") -> Project:
    _require_manager(actor)
    project = _locked(project)
    if project.state == ProjectState.CLOSED:
        raise Conflict(_("项目已结项"), code=PROJECT_CLOSED)
    pending = ProgressReport.objects.filter(project=project,
                                            state=ProgressReport.State.SUBMITTED).count()
    if pending:
        raise Conflict(_("还有 %(n)s 份进展报告待审核，请先处理") % {"n": pending},
                       code=REPORTS_PENDING)
    project.state, project.closed_on = ProjectState.CLOSED, _today()
    project.save(update_fields=["state", "closed_on", "updated_at"])
    audit_record(actor=actor, action="transition", instance=project,
                 changes={"state": [ProjectState.ACTIVE, ProjectState.CLOSED]},
                 note=(note or "")[:300], source=source)
    project_recompute(project)
    return project


# --------------------------------------------------------------------------- reports

def _report_period(project: Project, period: Any, e: Errors) -> tuple[dt.date, dt.date] | None:
    if isinstance(period, dt.date):
        return engine.period_of(period, project.report_cycle)
    try:
        return engine.parse_period(str(period or ""), project.report_cycle)
    except ValueError:
        example = "2026Q4" if project.report_cycle == ReportCycle.QUARTERLY else "2026-11"
        e.add("period", _("报告期：格式应为 %(ex)s（本项目%(cycle)s报告）") % {
            "ex": example, "cycle": project.get_report_cycle_display()})
        return None


@transaction.atomic
def report_file(*, actor, project: Project, period: Any, values: dict | None = None,
                milestones: dict | None = None, funds_in_place: Any = None,
                narrative: str = "", problems: list[str] | None = None,
                corrects: ProgressReport | int | None = None,
                funds_unit: Decimal = Decimal(1), source: str = "web") -> ProgressReport:
    """File a progress report for one period: values against the project's targets, milestone
    evidence, cumulative funds in place and problems. A period whose report was accepted is
    locked; a change is filed as a correction (``corrects``) and reviewed again."""
    project = _locked(project)
    if not access.can_read(actor, project):
        raise NotFound()
    if not access.can_file_report(actor, project):
        raise PermissionDenied(_("进展报告由项目责任主体、责任干部或组织方报送"))
    if project.state == ProjectState.CLOSED:
        raise Conflict(_("项目已结项，不再接收进展报告"), code=PROJECT_CLOSED)
    e = Errors()
    found = _report_period(project, period, e)
    today = _today()
    if found:
        start, end = found
        if end < project.signed_on:
            e.add("period", _("报告期：早于签约日期 %(d)s") % {"d": project.signed_on.isoformat()})
        if start > today:
            e.add("period", _("报告期：尚未开始，不能提前填报"))
    targets = {t.pk: t for t in project.targets.all()}
    clean_values: dict[int, Decimal] = {}
    for raw_key, raw_value in (values or {}).items():
        if raw_value is None or str(raw_value).strip() == "":
            continue
        key = int(raw_key) if str(raw_key).isdigit() else None
        if key not in targets:
            e.add(f"values.{raw_key}", _("指标 %(k)s：不是本项目的指标") % {"k": raw_key})
            continue
        label = _("指标“%(name)s”本期值") % {"name": targets[key].name}
        value = e.decimal({f"values.{raw_key}": raw_value}, f"values.{raw_key}", label,
                          negative=True)
        if value is not None:
            clean_values[key] = value
    own_milestones = {m.pk: m for m in project.milestones.all()}
    clean_milestones: list[tuple[ProjectMilestone, dt.date, str]] = []
    for raw_key, raw in (milestones or {}).items():
        key = int(raw_key) if str(raw_key).isdigit() else None
        if key not in own_milestones:
            e.add(f"milestones.{raw_key}", _("节点 %(k)s：不是本项目的节点") % {"k": raw_key})
            continue
        m = own_milestones[key]
        raw = raw if isinstance(raw, dict) else {}
        sub = Errors()
        done_on = sub.date(raw, "done_on", _("节点“%(t)s”完成日期") % {"t": m.title})
        evidence = sub.text(raw, "evidence", _("节点“%(t)s”佐证") % {"t": m.title},
                            max_length=2000)
        if done_on and found and (done_on > found[1] or done_on < project.signed_on):
            sub.add("done_on", _("节点“%(t)s”：完成日期应在签约日期与本报告期末之间") % {"t": m.title})
        for name, messages in sub.fields.items():
            for message in messages:
                e.add(f"milestones.{key}.{name}", message)
        if not sub.fields:
            clean_milestones.append((m, done_on, evidence))
    funds = e.money({"funds_in_place": funds_in_place}, "funds_in_place", _("累计资金到位"),
                    required=False,
                    unit=funds_unit)
    narrative = e.text({"narrative": narrative}, "narrative", _("进展说明"), required=False,
                       max_length=4000)
    clean_problems = [str(p).strip()[:2000] for p in (problems or []) if str(p or "").strip()]
    if not (clean_values or clean_milestones or narrative or funds is not None):
        e.add("values", _("报告内容：请至少填写一项指标值、节点佐证、资金到位或进展说明"))
    corrected = None
    if corrects is not None and found:
        corrected_id = corrects.pk if isinstance(corrects, ProgressReport) else corrects
        corrected = ProgressReport.objects.filter(
            pk=corrected_id if str(corrected_id).isdigit() else None, project=project,
            state=ProgressReport.State.ACCEPTED, period_start=found[0]).first()
        if corrected is None:
            e.add("corrects", _("更正：只能更正本项目同一报告期已确认的报告"))
    e.raise_if_any()
    start, end = found
    existing = list(ProgressReport.objects.filter(project=project, period_start=start).exclude(
        state__in=[ProgressReport.State.RETURNED, ProgressReport.State.SUPERSEDED]))
    if any(r.state == ProgressReport.State.SUBMITTED for r in existing):
        raise Conflict(_("%(p)s 的报告已提交，正在审核") % {
            "p": engine.period_label(start, project.report_cycle)}, code=REPORT_PENDING)
    if corrected is None and any(r.state == ProgressReport.State.ACCEPTED for r in existing):
        raise Conflict(_("%(p)s 的报告已确认并锁定；如需修改，请提交更正报告") % {
            "p": engine.period_label(start, project.report_cycle)}, code=REPORT_LOCKED)
    report = ProgressReport.objects.create(
        project=project, period_start=start, period_end=end, narrative=narrative,
        funds_in_place=funds, corrects=corrected, filed_by=actor)
    ReportValue.objects.bulk_create([ReportValue(report=report, target_id=k, value=v)
                                     for k, v in clean_values.items()])
    ReportMilestone.objects.bulk_create([ReportMilestone(report=report, milestone=m,
                                                         done_on=d, evidence=ev)
                                         for m, d, ev in clean_milestones])
    ProjectProblem.objects.bulk_create([ProjectProblem(project=project, report=report,
                                                       description=p, created_by=actor)
                                        for p in clean_problems])
    audit_record(actor=actor, action="create", instance=report, changes={
        "period": [None, engine.period_label(start, project.report_cycle)],
        "values": [None, {targets[k].name: str(v) for k, v in clean_values.items()}],
        "milestones": [None, {m.title: d.isoformat() for m, d, _e in clean_milestones}],
        "funds_in_place": [None, funds], "problems": [None, clean_problems],
        "corrects": [None, corrected.pk if corrected else None]}, source=source)
    project_recompute(project)
    notify(recipients=_managers(), title=N_("待审核进展报告：%(t)s %(p)s"), params={
        "t": project.title, "p": engine.period_label(start, project.report_cycle)},
        url=project_url(project), kind="project.report_filed")
    return report


def _apply_accepted(project: Project) -> None:
    """Targets' latest values, milestones' completion and funds in place, from the accepted
    reports (the latest period wins; a correction has superseded what it corrects)."""
    accepted = ProgressReport.objects.filter(project=project,
                                             state=ProgressReport.State.ACCEPTED)
    latest: dict[int, tuple[dt.date, Decimal]] = {}
    for target_id, value, end in ReportValue.objects.filter(report__in=accepted).values_list(
            "target_id", "value", "report__period_end"):
        if target_id not in latest or end >= latest[target_id][0]:
            latest[target_id] = (end, value)
    for target in project.targets.all():
        end, value = latest.get(target.pk, (None, None))
        if (target.latest_value, target.latest_on) != (value, end):
            target.latest_value, target.latest_on = value, end
            target.save(update_fields=["latest_value", "latest_on"])
    done: dict[int, tuple[dt.date, str]] = {}
    for milestone_id, done_on, evidence, end in ReportMilestone.objects.filter(
            report__in=accepted).values_list("milestone_id", "done_on", "evidence",
                                             "report__period_end").order_by("report__period_end"):
        done[milestone_id] = (done_on, evidence)
    for m in project.milestones.all():
        if m.source_milestone_id:
            continue  # a contract milestone follows the challenge (projects_sync_challenge)
        done_on, evidence = done.get(m.pk, (None, ""))
        if m.stage == "signed":
            done_on = m.done_on or project.signed_on
            evidence = m.evidence
        if (m.done_on, m.evidence) != (done_on, evidence):
            m.done_on, m.evidence = done_on, evidence
            m.save(update_fields=["done_on", "evidence"])
    funds = accepted.exclude(funds_in_place=None).order_by("-period_end", "-id").values_list(
        "funds_in_place", flat=True).first()
    project.funds_in_place = funds if funds is not None else Decimal("0.00")
    project.save(update_fields=["funds_in_place", "updated_at"])


def _locked_report(report: ProgressReport) -> tuple[Project, ProgressReport]:
    project = _locked(report.project)
    return project, ProgressReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_accept(*, actor, report: ProgressReport, note: str = "",
                  source: str = "web") -> ProgressReport:
    project, report = _locked_report(report)
    if not access.can_review_report(actor, project):
        raise PermissionDenied(_("只有组织方工作人员可以审核进展报告"))
    if report.state != ProgressReport.State.SUBMITTED:
        raise Conflict(_("报告状态为“%(s)s”，不能确认") % {"s": report.get_state_display()},
                       code=BAD_TRANSITION)
    if report.corrects_id:
        old = ProgressReport.objects.select_for_update().get(pk=report.corrects_id)
        if old.state == ProgressReport.State.ACCEPTED:
            old.state = ProgressReport.State.SUPERSEDED
            old.save(update_fields=["state"])
            audit_record(actor=actor, action="transition", instance=old,
                         changes={"state": ["accepted", "superseded"]},
                         note=_("被报告 #%(n)s 更正") % {"n": report.pk}, source=source)
    report.state = ProgressReport.State.ACCEPTED
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    report.review_note = (note or "").strip()[:500]
    report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(actor=actor, action="transition", instance=report,
                 changes={"state": ["submitted", "accepted"]}, note=report.review_note,
                 source=source)
    _apply_accepted(project)
    project_recompute(project)
    if report.filed_by_id:
        notify(recipients=[report.filed_by], title=N_("进展报告已确认：%(t)s"), params={
            "t": project.title}, url=project_url(project), kind="project.report_accepted")
    return report


@transaction.atomic
def report_return(*, actor, report: ProgressReport, note: str,
                  source: str = "web") -> ProgressReport:
    project, report = _locked_report(report)
    if not access.can_review_report(actor, project):
        raise PermissionDenied(_("只有组织方工作人员可以审核进展报告"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": [_("退回理由：必填")]})
    if report.state != ProgressReport.State.SUBMITTED:
        raise Conflict(_("报告状态为“%(s)s”，不能退回") % {"s": report.get_state_display()},
                       code=BAD_TRANSITION)
    report.state = ProgressReport.State.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_note = actor, timezone.now(), note[:500]
    report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(actor=actor, action="transition", instance=report,
                 changes={"state": ["submitted", "returned"]}, note=note[:300], source=source)
    project_recompute(project)
    if report.filed_by_id:
        notify(recipients=[report.filed_by], title=N_("进展报告被退回：%(t)s"), params={
            "t": project.title}, note=note, url=project_url(project),
            kind="project.report_returned")
    return report


# --------------------------------------------------------------------------- problems

def servicedesk_request_create():
    """The service desk's ``request_create`` once that app has it, else None (the 转为诉求
    action is shown disabled until then)."""
    try:
        from innolink.servicedesk import services as desk
    except ImportError:
        return None
    return getattr(desk, "request_create", None)


def _problem_enterprise(project: Project):
    """The enterprise a project's problem is filed for: the lead enterprise, else the first
    enterprise among the parties (a request always belongs to an enterprise)."""
    party = (project.parties.filter(enterprise__isnull=False).select_related("enterprise")
             .order_by(Case(When(role="lead", then=0), default=1), "pk").first())
    return party.enterprise if party else None


@transaction.atomic
def problem_escalate(*, actor, problem: ProjectProblem, source: str = "web") -> ProjectProblem:
    """Turn a reported problem into a service-desk request (转为诉求)."""
    problem = ProjectProblem.objects.select_for_update().select_related("project").get(
        pk=problem.pk)
    project = problem.project
    if not access.can_read(actor, project):
        raise NotFound()
    if not (access.can_manage(actor) or access.can_file_report(actor, project)):
        raise PermissionDenied(_("只有项目责任方或组织方可以把问题转为诉求"))
    if problem.state != ProjectProblem.State.OPEN:
        raise Conflict(_("该问题已处理"), code=PROBLEM_HANDLED)
    create = servicedesk_request_create()
    if create is None:
        raise Conflict(_("企业诉求服务尚未上线，问题已记录，上线后可转为诉求"),
                       code=SERVICEDESK_MISSING)
    enterprise = _problem_enterprise(project)
    if enterprise is None:
        raise Conflict(_("该项目没有企业参与方，不能转为企业诉求"), code=NO_ENTERPRISE)
    text = _("【签约项目：%(t)s】%(d)s") % {"t": project.title, "d": problem.description}
    # who may escalate was checked above (the project's access rules), so the service desk's
    # own channel check is skipped; the category is left to the desk (其他), whose routing
    # suggestion reads the text and whose staff confirm the department
    request = create(enterprise=enterprise, channel="project", category="other",
                     description=text, title=problem.description[:30], actor=actor,
                     source=f"project:{project.pk}", town=project.town or None,
                     check_actor=False, audit_source=source)
    problem.state = ProjectProblem.State.ESCALATED
    problem.request_ref = str(getattr(request, "number", "") or getattr(request, "pk", ""))[:40]
    url = getattr(request, "get_absolute_url", None)
    problem.request_url = (url() if callable(url) else "")[:300]
    problem.save(update_fields=["state", "request_ref", "request_url"])
    audit_record(actor=actor, action="transition", instance=problem,
                 changes={"state": ["open", "escalated"], "request": [None, problem.request_ref]},
                 source=source)
    return problem


@transaction.atomic
def problem_resolve(*, actor, problem: ProjectProblem, source: str = "web") -> ProjectProblem:
    problem = ProjectProblem.objects.select_for_update().select_related("project").get(
        pk=problem.pk)
    if not access.can_read(actor, problem.project):
        raise NotFound()
    if not access.can_manage(actor):
        raise PermissionDenied(_("只有组织方工作人员可以标记问题已解决"))
    if problem.state == ProjectProblem.State.RESOLVED:
        raise Conflict(_("该问题已解决"), code=PROBLEM_HANDLED)
    old = problem.state
    problem.state = ProjectProblem.State.RESOLVED
    problem.save(update_fields=["state"])
    audit_record(actor=actor, action="transition", instance=problem,
                 changes={"state": [old, "resolved"]}, source=source)
    return problem


# --------------------------------------------------------------------------- reminders

def _managers() -> list[User]:
    return list(User.objects.filter(role__in=access.MANAGERS, is_active=True))


def _responsible_users(project: Project) -> list[User]:
    users = []
    for party in project.parties.filter(role="lead"):
        if party.enterprise_id:
            users += list(User.objects.filter(enterprise_id=party.enterprise_id,
                                              role=Role.ENTERPRISE, is_active=True))
        if party.institution_id:
            users += list(User.objects.filter(institution_id=party.institution_id,
                                              role=Role.RESEARCHER, is_active=True))
    if project.cadre_id:
        users.append(project.cadre)
    return users


def _notify_parties(project: Project, title: str, params: dict, *, kind: str) -> None:
    """``title`` is a msgid (``N_``) with ``params`` (ADR 0790)."""
    notify(recipients=_responsible_users(project), title=title, params=params,
           url=project_url(project), kind=kind)


def reports_chase(*, today: dt.date | None = None) -> int:
    """Notify the responsible party (and the cadre) of each active project whose report for the
    last ended period is missing past the grace days; once per project and period, and once
    more after each return: a returned (退回) report counts as not filed, so a period whose
    report was returned after the last reminder is chased again."""
    today = today or _today()
    sent = 0
    for project in Project.objects.filter(state=ProjectState.ACTIVE).select_related("cadre"):
        period = engine.last_ended_period(today, project.signed_on, project.report_cycle)
        if period is None or (today - period[1]).days <= engine.REPORT_GRACE_DAYS:
            continue
        reports = ProgressReport.objects.filter(project=project, period_start=period[0])
        if reports.exclude(state=ProgressReport.State.RETURNED).exists():
            continue
        returned_at = reports.aggregate(last=Max("reviewed_at"))["last"]
        with transaction.atomic():
            reminder, created = ReportReminder.objects.select_for_update().get_or_create(
                project=project, period_start=period[0])
            if not created and (returned_at is None or reminder.sent_at >= returned_at):
                continue
            label = engine.period_label(period[0], project.report_cycle)
            days = (today - period[1]).days
            body = (N_("报告期 %(p)s 的进展报告已被退回，已结束 %(d)s 天，请修改后重新报送。")
                    if returned_at else N_("报告期 %(p)s 已结束 %(d)s 天，尚未收到进展报告。"))
            rows_ = notify(recipients=_responsible_users(project),
                           title=N_("请报送进展报告：%(t)s %(p)s"), body=body,
                           params={"t": project.title, "p": label, "d": days},
                           url=project_url(project), kind="project.report_missing")
            if not created:
                reminder.sent_at = timezone.now()
            reminder.recipients = len(rows_)
            reminder.save(update_fields=["recipients", "sent_at"])
            audit_record(actor=None, action="create", instance=project,
                         changes={"report_reminder": [None, label]},
                         note="退回后再次催报" if not created else "", source="system")
            sent += 1
    return sent


# --------------------------------------------------------------------------- from other apps

def _default_department() -> Department | None:
    return (Department.objects.filter(code=DEFAULT_DEPARTMENT_CODE).first()
            or Department.objects.order_by("pk").first())


def _sync_challenge_milestones(project: Project, challenge) -> bool:
    """Contract milestones and acceptance follow the challenge; returns whether any changed."""
    from innolink.challenges.models import Milestone

    changed = False
    existing = {m.source_milestone_id: m for m in project.milestones.all()
                if m.source_milestone_id}
    position = project.milestones.count()
    for cm in Milestone.objects.filter(challenge=challenge).order_by("position", "id"):
        done_on = timezone.localdate(cm.done_at) if cm.done_at else None
        m = existing.get(cm.pk)
        if m is None:
            position += 1
            ProjectMilestone.objects.create(project=project, position=position,
                                            stage="contract", title=cm.title, due_on=cm.due_on,
                                            done_on=done_on, source_milestone=cm)
            changed = True
        elif (m.due_on, m.done_on) != (cm.due_on, done_on):
            m.due_on, m.done_on = cm.due_on, done_on
            m.save(update_fields=["due_on", "done_on"])
            changed = True
    accepted = project.milestones.filter(stage="accepted").first()
    last_due = max([m.due_on for m in project.milestones.all() if m.due_on] or [None],
                   key=lambda d: d or dt.date.min)
    accepted_on = timezone.localdate(challenge.accepted_at) if challenge.accepted_at else None
    if accepted is None and project.kind == ProjectKind.CHALLENGE:
        ProjectMilestone.objects.create(project=project, position=position + 1,
                                        stage="accepted", title=str(_("项目验收")),
                                        due_on=last_due, done_on=accepted_on)
        changed = True
    elif accepted is not None and accepted.done_on != accepted_on:
        accepted.done_on = accepted_on
        accepted.save(update_fields=["done_on"])
        changed = True
    return changed


def _poster_party(challenge) -> dict:
    """The lead party of a challenge's project: the registry enterprise, the platform
    institution, or an outside issuer by name (a listing of a real 榜单, decision 0352)."""
    if challenge.enterprise_id:
        return {"enterprise": challenge.enterprise}
    if challenge.institution_id:
        return {"institution": challenge.institution}
    return {"organisation": challenge.issuer.name[:160] if challenge.issuer_id else "—"}


def _solver_party(researcher) -> dict:
    """The partner party: the researcher's institution, else the researcher or team by name
    (an imported roster row need not name an institution)."""
    if researcher.institution_id:
        return {"institution": researcher.institution}
    return {"organisation": (researcher.name or "—")[:160]}


@transaction.atomic
def project_from_challenge(*, challenge_id: int) -> Project | None:
    """The project of a contracted 揭榜 challenge: created once (no double entry: a contest
    award of the same challenge already made one, which is then linked) and its contract
    milestones kept in step. Idempotent; the challenges app calls it after its commit and the
    reconciling job calls it for anything missed."""
    from innolink.challenges.models import Challenge

    challenge = (Challenge.objects.select_related("enterprise", "institution", "issuer",
                                                  "matched_proposal__researcher__institution")
                 .filter(pk=challenge_id).first())
    if challenge is None or challenge.contracted_at is None:
        return None
    project = Project.objects.select_for_update().filter(source_challenge=challenge).first()
    if project is None:
        department = _default_department()
        if department is None:
            logger.warning("no department for the project of challenge %s", challenge_id)
            return None
        start = challenge.contract_start or timezone.localdate(challenge.contracted_at)
        project = Project.objects.create(
            title=challenge.title[:160], kind=ProjectKind.CHALLENGE,
            summary=_("揭榜领题合同（榜单 #%(n)s）") % {"n": challenge.pk},
            signed_on=start, department=department,
            investment=challenge.contract_amount or Decimal("0.00"),
            report_cycle=ReportCycle.QUARTERLY,
            town=challenge.enterprise.town if challenge.enterprise_id else "",
            source_challenge=challenge, is_demo=challenge.is_demo)
        ProjectParty.objects.create(project=project, role="lead", **_poster_party(challenge))
        proposal = challenge.matched_proposal
        if proposal is not None:
            ProjectParty.objects.create(project=project, role="partner",
                                        **_solver_party(proposal.researcher))
        ProjectMilestone.objects.create(project=project, position=0, stage="signed",
                                        title=str(_("合同签订")), due_on=start, done_on=start)
        audit_record(actor=None, action="create", instance=project, changes={
            "source_challenge": [None, challenge.pk], "investment": [None, project.investment]},
            note="揭榜合同登记后自动生成", source="system")
    changed = _sync_challenge_milestones(project, challenge)
    if changed or project.status_on is None:
        project_recompute(project)
    return project


@transaction.atomic
def project_from_award(*, award_id: int) -> Project | None:
    """A contest award (赛事签约) becomes a project; when its challenge already has one (a
    contract came first), the award is linked to it instead of a second project."""
    from innolink.events.models import Award

    award = (Award.objects.select_related("round", "entry__proposal__challenge__enterprise",
                                          "entry__proposal__challenge__institution",
                                          "entry__proposal__challenge__issuer",
                                          "entry__proposal__researcher__institution")
             .filter(pk=award_id).first())
    if award is None:
        return None
    if Project.objects.filter(source_award=award).exists():
        return Project.objects.get(source_award=award)
    proposal = award.entry.proposal
    challenge = proposal.challenge
    project = Project.objects.select_for_update().filter(source_challenge=challenge).first()
    if project is not None:
        project.source_award = award
        project.save(update_fields=["source_award", "updated_at"])
        audit_record(actor=None, action="update", instance=project,
                     changes={"source_award": [None, award.pk]}, source="system")
        return project
    department = _default_department()
    if department is None:
        return None
    signed_on = timezone.localdate(award.awarded_at)
    project = Project.objects.create(
        title=challenge.title[:160], kind=ProjectKind.CONTEST,
        summary=_("%(round)s %(level)s") % {"round": award.round.title,
                                            "level": award.get_level_display()},
        signing_event_name=award.round.title[:160], signed_on=signed_on,
        department=department, report_cycle=ReportCycle.QUARTERLY,
        town=challenge.enterprise.town if challenge.enterprise_id else "",
        source_challenge=challenge, source_award=award, is_demo=challenge.is_demo)
    ProjectParty.objects.create(project=project, role="lead", **_poster_party(challenge))
    ProjectParty.objects.create(project=project, role="partner",
                                **_solver_party(proposal.researcher))
    ProjectMilestone.objects.create(project=project, position=0, stage="signed",
                                    title=str(_("签约")), due_on=signed_on, done_on=signed_on)
    audit_record(actor=None, action="create", instance=project,
                 changes={"source_award": [None, award.pk]}, note="赛事获奖后自动生成",
                 source="system")
    project_recompute(project)
    return project


def projects_reconcile() -> dict[str, int]:
    """Create what the after-commit calls may have missed, and bring contract milestones in
    step (the refresh job runs this)."""
    from django.db.models import Max

    from innolink.challenges.models import Challenge
    from innolink.events.models import Award

    made = synced = 0
    missing = Challenge.objects.filter(contracted_at__isnull=False, project__isnull=True)
    for pk in missing.values_list("pk", flat=True):
        made += project_from_challenge(challenge_id=pk) is not None
    for pk in Award.objects.filter(project__isnull=True).values_list("pk", flat=True):
        before = Project.objects.count()
        project_from_award(award_id=pk)
        made += Project.objects.count() > before
    from innolink.dashboard.models import TallyCursor

    cursor, _ = TallyCursor.objects.get_or_create(name="projects.reconcile")
    changed = Project.objects.filter(source_challenge__isnull=False, state=ProjectState.ACTIVE)
    if cursor.position:
        # a milestone done or an acceptance saves the challenge, which moves its updated_at
        changed = changed.filter(source_challenge__updated_at__gte=dt.datetime.fromisoformat(
            cursor.position) - dt.timedelta(seconds=5))
    newest = Challenge.objects.aggregate(m=Max("updated_at"))["m"]
    for project in changed.select_related("source_challenge"):
        with transaction.atomic():
            locked = _locked(project)
            if _sync_challenge_milestones(locked, project.source_challenge):
                project_recompute(locked)
                synced += 1
    if newest is not None:
        cursor.position = newest.isoformat()
        cursor.save(update_fields=["position"])
    return {"created": made, "synced": synced}
