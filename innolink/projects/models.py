"""Signed cooperation projects (签约项目) tracked against typed targets and milestones.

A project has parties (registry enterprises, institutions or outside organisations), a signing
event and date, a responsible department and cadre, an investment, targets with units and due
dates, and milestones from its kind's stages. The responsible party files periodic progress
reports; an accepted report is locked and applies its values, and a correction is a new report
that supersedes it. ``status`` is computed (``engines/projects/status.py``), never typed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}
VALUE = {"max_digits": 18, "decimal_places": 4}


class ProjectKind(models.TextChoices):
    COMPUTE = "compute", _("算力平台")
    AI_APP = "ai_app", _("AI应用合作")
    RESEARCH = "research", _("产研成果")
    WEATHER = "weather", _("气象服务")
    CHALLENGE = "challenge", _("揭榜合同")
    CONTEST = "contest", _("赛事签约")
    OTHER = "other", _("其他")


#: Each kind's stages, in order: (code, label, marks) — ``marks`` says which stage counts as
#: 开工 ("start") and which as 投产 ("production") for the city measures. 揭榜合同 projects take
#: their stages from the contract's milestones instead.
STAGES: dict[str, list[tuple[str, object, str]]] = {
    "default": [("signed", _("签约"), ""), ("registered", _("注册"), ""),
                ("started", _("开工"), "start"), ("producing", _("投产"), "production"),
                ("full", _("达产"), "")],
    ProjectKind.COMPUTE: [("signed", _("签约"), ""), ("build", _("建设"), "start"),
                          ("online", _("上线"), "production"), ("operating", _("运营"), "")],
    ProjectKind.AI_APP: [("signed", _("签约"), ""), ("design", _("方案设计"), ""),
                         ("pilot", _("试点应用"), "start"), ("rollout", _("推广应用"), "production")],
    ProjectKind.WEATHER: [("signed", _("签约"), ""), ("integration", _("数据对接"), "start"),
                          ("online", _("服务上线"), "production"), ("service", _("常态服务"), "")],
    ProjectKind.CHALLENGE: [("signed", _("签约"), ""), ("contract", _("合同节点"), ""),
                            ("accepted", _("验收"), "")],
}


def stages_for(kind: str) -> list[tuple[str, object, str]]:
    return STAGES.get(kind, STAGES["default"])


def stage_marks(kind: str, stage: str) -> str:
    return next((m for code, _label, m in stages_for(kind) if code == stage), "")


class ReportCycle(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    QUARTERLY = "quarterly", _("按季度")


class ProjectState(models.TextChoices):
    ACTIVE = "active", _("实施中")
    CLOSED = "closed", _("已结项")


class ProjectStatus(models.TextChoices):
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("有风险")
    LATE = "late", _("逾期")
    CLOSED = "closed", _("已结项")


class Project(models.Model):
    title = models.CharField(_("项目名称"), max_length=160)
    kind = models.CharField(_("项目类型"), max_length=16, choices=ProjectKind.choices,
                            db_index=True)
    summary = models.TextField(_("项目简介"), blank=True)
    signing_event = models.ForeignKey("events.Event", verbose_name=_("签约活动"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    signing_event_name = models.CharField(_("签约活动名称"), max_length=160, blank=True)
    signed_on = models.DateField(_("签约日期"))
    department = models.ForeignKey("accounts.Department", verbose_name=_("责任部门"),
                                   on_delete=models.PROTECT, related_name="projects")
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任干部"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="projects_owned")
    investment = models.DecimalField(_("计划投资（元）"), default=Decimal("0.00"),
                                     validators=[MinValueValidator(Decimal(0))], **MONEY)
    funds_in_place = models.DecimalField(_("资金到位（元）"), default=Decimal("0.00"), **MONEY)
    report_cycle = models.CharField(_("报告周期"), max_length=16, choices=ReportCycle.choices,
                                    default=ReportCycle.QUARTERLY)
    town = models.CharField(_("所在镇街"), max_length=8, blank=True)
    state = models.CharField(_("项目状态"), max_length=16, choices=ProjectState.choices,
                             default=ProjectState.ACTIVE, db_index=True)
    closed_on = models.DateField(_("结项日期"), null=True, blank=True)
    #: Computed by ``services.project_recompute`` from the engine; never edited by a person.
    status = models.CharField(_("推进状态"), max_length=16, choices=ProjectStatus.choices,
                              default=ProjectStatus.ON_TRACK, db_index=True)
    status_reasons = models.JSONField(_("状态原因"), default=list, blank=True)
    status_on = models.DateField(_("状态计算日"), null=True, blank=True)
    measures = models.JSONField(default=dict, blank=True)  # the engine's Tallies, for lists
    source_challenge = models.OneToOneField("challenges.Challenge", verbose_name=_("来源榜单"),
                                            null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="project")
    source_award = models.OneToOneField("events.Award", verbose_name=_("来源赛事奖项"),
                                        null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="project")
    source_note = models.CharField(_("资料来源"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("签约项目")
        verbose_name_plural = _("签约项目")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["state", "status"], name="project_state_status")]

    def __str__(self) -> str:
        return self.title


class ProjectParty(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("责任主体")
        PARTNER = "partner", _("合作方")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices, default=Role.PARTNER)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="project_parties")
    institution = models.ForeignKey("accounts.Institution", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="project_parties")
    organisation = models.CharField(_("外部单位"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("项目参与方")
        verbose_name_plural = _("项目参与方")
        ordering = ["project", "role", "id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(enterprise__isnull=False, institution__isnull=True,
                                organisation="")
                       | models.Q(enterprise__isnull=True, institution__isnull=False,
                                  organisation="")
                       | (models.Q(enterprise__isnull=True, institution__isnull=True)
                          & ~models.Q(organisation=""))),
            name="project_party_one_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(self.enterprise or self.institution or self.organisation)


class TargetMetric(models.TextChoices):
    CAPACITY = "capacity", _("产能")
    OUTPUT = "output", _("年产值")
    REVENUE = "revenue", _("营业收入")
    COST_REDUCTION = "cost_reduction", _("降本幅度")
    JOBS = "jobs", _("新增就业")
    PATENTS = "patents", _("专利")
    USERS = "users", _("服务企业数")
    OTHER = "other", _("其他")


class ProjectTarget(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(default=0)
    metric = models.CharField(_("指标类型"), max_length=16, choices=TargetMetric.choices)
    name = models.CharField(_("指标名称"), max_length=80)
    unit = models.CharField(_("单位"), max_length=24)
    baseline = models.DecimalField(_("基数"), default=Decimal(0), **VALUE)
    target = models.DecimalField(_("目标值"), **VALUE)
    due_on = models.DateField(_("达成期限"))
    latest_value = models.DecimalField(_("最新值"), null=True, blank=True, **VALUE)
    latest_on = models.DateField(_("最新值所属期末"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目指标")
        verbose_name_plural = _("项目指标")
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} {plain(self.target)} {self.unit}"


class ProjectMilestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(_("阶段"), max_length=16)
    title = models.CharField(_("节点名称"), max_length=120)
    due_on = models.DateField(_("计划日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("佐证"), blank=True)
    source_milestone = models.OneToOneField("challenges.Milestone", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已确认")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已被更正")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.SUBMITTED, db_index=True)
    narrative = models.TextField(_("进展说明"), blank=True)
    funds_in_place = models.DecimalField(_("累计资金到位（元）"), null=True, blank=True,
                                         **MONEY)
    corrects = models.ForeignKey("self", verbose_name=_("更正的报告"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-period_start", "-filed_at", "-id"]
        indexes = [models.Index(fields=["project", "period_start"], name="report_period")]

    def __str__(self) -> str:
        return f"{self.project} {self.period_start:%Y-%m}"


class ReportValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    target = models.ForeignKey(ProjectTarget, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("本期值"), **VALUE)

    class Meta:
        verbose_name = _("报告指标值")
        verbose_name_plural = _("报告指标值")
        constraints = [models.UniqueConstraint(fields=["report", "target"],
                                               name="report_value_once")]


class ReportMilestone(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE,
                               related_name="milestone_evidence")
    milestone = models.ForeignKey(ProjectMilestone, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("完成日期"))
    evidence = models.TextField(_("佐证"))

    class Meta:
        verbose_name = _("报告节点佐证")
        verbose_name_plural = _("报告节点佐证")
        constraints = [models.UniqueConstraint(fields=["report", "milestone"],
                                               name="report_milestone_once")]


class ProjectProblem(models.Model):
    """A problem a report raises; it can become a service-desk request (转为诉求)."""

    class State(models.TextChoices):
        OPEN = "open", _("待协调")
        ESCALATED = "escalated", _("已转诉求")
        RESOLVED = "resolved", _("已解决")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    report = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="problems")
    description = models.TextField(_("问题描述"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.OPEN)
    request_ref = models.CharField(_("诉求编号"), max_length=40, blank=True)
    request_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目问题")
        verbose_name_plural = _("项目问题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description[:40]


class ReportReminder(models.Model):
    """A missing report chased once per project and period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [models.UniqueConstraint(fields=["project", "period_start"],
                                               name="report_reminder_once")]


def plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text
