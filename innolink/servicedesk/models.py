"""The service desk's records: requests (诉求) and their history, the routing table, time limits,
sessions (接访/恳谈会), cadres' assignments, plans and visits, and the aggregate counters the
measures and the leaders' overview read.

Users are linked from here (assignments, visits, events); the accounts models are not changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innolink.enterprises.reference import TOWN_CHOICES

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    ONLINE = "online", _("企业网上提交")
    VISIT = "visit", _("干部走访")
    RECEPTION = "reception", _("领导接访")
    FORUM = "forum", _("政企恳谈会")
    HOTLINE = "hotline", _("12345转办")
    PROJECT = "project", _("签约项目")
    STAFF = "staff", _("工作人员代录")


class Kind(models.TextChoices):
    """The type of a request, which sets its time limit (SlaRule)."""

    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    SUGGEST = "suggest", _("建议")
    COMPLAINT = "complaint", _("投诉")


class Status(models.TextChoices):
    PENDING = "pending", _("待分派")
    ASSIGNED = "assigned", _("待签收")
    HANDLING = "handling", _("办理中")
    RETURNED = "returned", _("退单待协调")
    REPLIED = "replied", _("已答复待评价")
    REVIEW = "review", _("不满意待复核")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")


#: states in which a request is still someone's work (duplicates are looked for among these)
OPEN_STATES = (Status.PENDING, Status.ASSIGNED, Status.HANDLING, Status.RETURNED,
               Status.REPLIED, Status.REVIEW)
#: states with a running clock (deadline_at is set exactly in these)
CLOCK_STATES = (Status.ASSIGNED, Status.HANDLING)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Category(models.Model):
    """An area of difficulty (融资, 用工, 用地 …); rows, so staff can add one without a release."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=50)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class SlaRule(models.Model):
    """Time limits of one request type (or of every urgent request), in working time."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("工作小时")
        DAYS = "days", _("工作日")

    URGENT = "urgent"
    KEYS = [*Kind.choices, (URGENT, _("紧急"))]

    key = models.CharField(_("类型"), max_length=16, choices=KEYS, unique=True)
    sign_hours = models.DecimalField(_("签收时限（工作小时）"), max_digits=5, decimal_places=2)
    handle_value = models.PositiveSmallIntegerField(_("办理时限"))
    handle_unit = models.CharField(_("单位"), max_length=8, choices=Unit.choices)
    warn_fraction = models.DecimalField(_("黄灯提醒（剩余时间比例）"), max_digits=3,
                                        decimal_places=2, default=0.25)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}：{self.handle_value}{self.get_handle_unit_display()}"


class DeskSettings(models.Model):
    """One row: the fallback owner (兜底), office hours, the 回访 sample, the duplicate
    threshold and when an overdue request is escalated to the supervising leader."""

    fallback_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("兜底部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    office_hours = models.CharField(_("工作时间"), max_length=64,
                                    default="08:30-12:00,14:00-17:30")
    callback_percent = models.PositiveSmallIntegerField(_("回访抽样比例（%）"), default=10)
    duplicate_threshold = models.DecimalField(_("重复诉求相似度阈值"), max_digits=3,
                                              decimal_places=2, default=0.5)
    escalate_hours = models.PositiveSmallIntegerField(
        _("超时多少工作小时后升级督办"), default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诉求办理设置")
        verbose_name_plural = _("诉求办理设置")

    def __str__(self) -> str:
        return str(_("诉求办理设置"))


class Supervision(models.Model):
    """The leader who supervises a department: escalations of its overdue requests go there."""

    department = models.OneToOneField("accounts.Department", verbose_name=_("部门"),
                                      on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(USER, verbose_name=_("分管领导"), on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        verbose_name = _("分管领导")
        verbose_name_plural = _("分管领导")


class RoutingRule(models.Model):
    """Category × town → lead department and co-handling departments. An empty town is the
    rule for every town without its own."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT,
                                 related_name="rules")
    town = models.CharField(_("镇街"), max_length=8, choices=TOWN_CHOICES, blank=True)
    lead = models.ForeignKey("accounts.Department", verbose_name=_("牵头部门"),
                             on_delete=models.PROTECT, related_name="+")
    co_departments = models.ManyToManyField("accounts.Department", verbose_name=_("协办部门"),
                                            blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["category__order", "category_id", "town"]
        constraints = [models.UniqueConstraint(fields=["category", "town"],
                                               name="servicedesk_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} × {self.town or '*'} → {self.lead}"


class Session(models.Model):
    """A 接访 (a leader receiving enterprises) or a 政企恳谈会: several problems, each a request."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("领导接访")
        FORUM = "forum", _("政企恳谈会")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("日期"))
    host = models.CharField(_("主持/接访领导"), max_length=100)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    attendees = models.TextField(_("参加部门和企业"), blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("接访与恳谈会")
        verbose_name_plural = _("接访与恳谈会")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class CadreAssignment(models.Model):
    """A key enterprise's cadre (挂钩干部); one per enterprise."""

    enterprise = models.OneToOneField("enterprises.Enterprise", verbose_name=_("企业"),
                                      on_delete=models.CASCADE, related_name="cadre_assignment")
    cadre = models.ForeignKey(USER, verbose_name=_("挂钩干部"), on_delete=models.PROTECT,
                              related_name="cadre_assignments")
    since = models.DateField(_("挂钩起始日"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("挂钩关系")
        verbose_name_plural = _("挂钩关系")
        indexes = [models.Index(fields=["cadre", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} ← {self.cadre}"


class VisitPlan(models.Model):
    """How many enterprise visits a cadre plans in a quarter."""

    cadre = models.ForeignKey(USER, verbose_name=_("挂钩干部"), on_delete=models.CASCADE,
                              related_name="visit_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    target = models.PositiveSmallIntegerField(_("计划走访（家次）"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        constraints = [models.UniqueConstraint(fields=["cadre", "year", "quarter"],
                                               name="servicedesk_plan_unique")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year}Q{self.quarter}: {self.target}"


class Visit(models.Model):
    """One cadre visit: who was met, what was talked about, the policies brought."""

    cadre = models.ForeignKey(USER, verbose_name=_("挂钩干部"), on_delete=models.PROTECT,
                              related_name="visits")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="cadre_visits")
    visited_on = models.DateField(_("走访日期"), db_index=True)
    people_met = models.CharField(_("接待人员"), max_length=200)
    topics = models.TextField(_("交流内容"))
    policies_brought = models.JSONField(_("送达政策"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "visited_on"]),
                   models.Index(fields=["cadre", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.enterprise}"


class ServiceRequest(models.Model):
    """A 诉求: one enterprise's difficulty, from any channel, through to the enterprise's rating.

    ``deadline_at`` is the running clock (the signing deadline while 待签收, the handling
    deadline while 办理中) and is empty in every other state, so the handler's queue and the
    overdue list are index range scans."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="service_requests")
    town = models.CharField(_("镇街"), max_length=8, choices=TOWN_CHOICES)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT,
                                 related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.HELP)
    urgent = models.BooleanField(_("紧急"), default=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)

    department = models.ForeignKey("accounts.Department", verbose_name=_("承办部门"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    first_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("首接负责部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    routed_by = models.CharField(_("分派依据"), max_length=16, blank=True)
    suggestions = models.JSONField(_("分派建议"), default=list, blank=True)

    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("当前时限"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    warned = models.CharField(_("已提醒"), max_length=16, blank=True)
    sign_counted = models.BooleanField(default=False)  # this assignment's signing was counted
    done_counted = models.BooleanField(default=False)  # this cycle's completion was counted

    reply = models.TextField(_("答复意见"), blank=True)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_from")

    session = models.ForeignKey(Session, verbose_name=_("接访/恳谈会"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="requests")
    visit = models.ForeignKey(Visit, verbose_name=_("走访"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="requests")
    source = models.CharField(_("来源"), max_length=100, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "deadline_at"], name="sd_queue",
                         condition=Q(deadline_at__isnull=False)),
            models.Index(fields=["deadline_at"], name="sd_overdue",
                         condition=Q(deadline_at__isnull=False)),
            models.Index(fields=["enterprise", "status"], name="sd_enterprise"),
            models.Index(fields=["status", "created_at"], name="sd_status"),
            models.Index(fields=["department", "status", "created_at"], name="sd_department"),
        ]
        constraints = [models.UniqueConstraint(
            fields=["channel", "external_id"], condition=~Q(external_id=""),
            name="servicedesk_external_id_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """诉求编号, e.g. SQ2026-000123 (year received, then the record id)."""
        if not (self.pk and self.created_at):
            return "SQ"
        return f"SQ{timezone.localtime(self.created_at):%Y}-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("servicedesk:detail", args=[self.pk])


class RequestEvent(models.Model):
    """One step of a request's history. The enterprise sees every step; ``internal`` notes
    (co-handling questions, dispute reasons) show the step without its text.

    ``tally`` holds the counter deltas the step added (``{"sign_total": 1, …}``), so the
    aggregates can be recounted from the history (``selectors.counters_recount``)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("受理")
        ROUTED = "routed", _("派单")
        SIGNED = "signed", _("签收")
        RETURNED = "returned", _("退单")
        RETURN_ACCEPTED = "return_accepted", _("退单成立，改派")
        RETURN_REJECTED = "return_rejected", _("退单不成立")
        INPUT_ASKED = "input_asked", _("征求协办意见")
        INPUT_GIVEN = "input_given", _("协办意见")
        EXTENSION_ASKED = "extension_asked", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("延期已批准")
        EXTENSION_REJECTED = "extension_rejected", _("延期未批准")
        REPLIED = "replied", _("答复")
        CLOSED = "closed", _("办结")
        RATED = "rated", _("评价")
        REOPENED = "reopened", _("重办")
        REVIEW_REJECTED = "review_rejected", _("复核后办结")
        MERGED_IN = "merged_in", _("合并诉求")
        MERGED_AWAY = "merged_away", _("已合并到其他诉求")
        WARNED = "warned", _("时限预警")
        OVERDUE = "overdue", _("已超时")
        ESCALATED = "escalated", _("督办升级")
        ATTACHMENT = "attachment", _("补充材料")
        CALLBACK = "callback", _("回访")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(_("环节"), max_length=24, choices=Kind.choices)
    department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    tally = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Attachment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="attachments")
    event = models.ForeignKey(RequestEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="attachments")
    file = models.FileField(upload_to="servicedesk/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CoHandling(models.Model):
    """A co-handling department of a request (from the routing rule or added by the lead), and
    the lead's question to it with its answer."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="cohandlings")
    department = models.ForeignKey("accounts.Department", verbose_name=_("协办部门"),
                                    on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("征求意见"), blank=True)
    asked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    asked_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("协办意见"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("协办")
        verbose_name_plural = _("协办")
        ordering = ["id"]
        indexes = [models.Index(fields=["department", "answered_at"])]

    @property
    def pending(self) -> bool:
        return bool(self.asked_at) and self.answered_at is None


class Extension(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.PENDING)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-id"]


class Callback(models.Model):
    """A 回访 of a closed request picked by the sample, and what the enterprise said."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE,
                                   related_name="callback")
    selected_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    reached = models.BooleanField(_("已联系上"), null=True)
    solved = models.BooleanField(_("问题已实际解决"), null=True)
    rating = models.CharField(_("回访评价"), max_length=16, choices=Rating.choices, blank=True)
    note = models.CharField(_("回访记录"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["done_at", "selected_at", "id"]


class RouterModel(models.Model):
    """A trained suggestion model (innolink.engines.routing.Router, saved as .npz)."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    trained_on = models.PositiveIntegerField(_("训练样本数"))
    held_out = models.PositiveIntegerField(_("检验样本数"), default=0)
    top1 = models.DecimalField(_("首选准确率"), max_digits=5, decimal_places=4, null=True)
    top3 = models.DecimalField(_("前三准确率"), max_digits=5, decimal_places=4, null=True)
    blob = models.BinaryField()

    class Meta:
        verbose_name = _("分派建议模型")
        verbose_name_plural = _("分派建议模型")
        ordering = ["-created_at", "-id"]


# --------------------------------------------------------------------------- aggregates

class RateCounter(models.Model):
    """Counts per month × department × town × category, updated in the same transaction as
    the write that causes them (``services.counters_add``). Keys are plain integers (0 = no
    department) so the unique key never holds NULL."""

    month = models.DateField()  # first day of the month, Asia/Shanghai
    department_id = models.IntegerField()
    town = models.CharField(max_length=8)
    category_id = models.IntegerField()
    received = models.IntegerField(default=0)
    sign_total = models.IntegerField(default=0)
    sign_timely = models.IntegerField(default=0)
    done_total = models.IntegerField(default=0)
    done_timely = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)

    FIELDS = ("received", "sign_total", "sign_timely", "done_total", "done_timely", "rated",
              "satisfied", "basic", "unsatisfied", "reopened")

    class Meta:
        verbose_name = _("办理统计")
        verbose_name_plural = _("办理统计")
        constraints = [models.UniqueConstraint(
            fields=["month", "department_id", "town", "category_id"],
            name="servicedesk_counter_key")]
        indexes = [models.Index(fields=["month", "department_id"])]


class TopicCounter(models.Model):
    """Requests per week (Monday) that used a term, or fell in a category (hot topics)."""

    week = models.DateField()
    kind = models.CharField(max_length=8)  # "term" | "category"
    key = models.CharField(max_length=64)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("热点统计")
        verbose_name_plural = _("热点统计")
        constraints = [models.UniqueConstraint(fields=["week", "kind", "key"],
                                               name="servicedesk_topic_key")]
