"""产业AI算力服务: providers and their compute resources, enterprises' workload requests and
bookings, usage reported per booking and paid by the 算力券 through the policy ledger, and the
AI-scenario catalogue (needs, solutions, matches).

Capacity: a booking holds its cards on each of its days from the moment it is requested until it
is declined or cancelled; bookings are written while the resource row is locked, so two requests
for the last free cards cannot both win.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.engines.compute import ACCELERATORS, CLASSES, KINDS, REGIONS
from innolink.enterprises.models import Enterprise

MONEY = {"max_digits": 14, "decimal_places": 2}
HOURS = {"max_digits": 12, "decimal_places": 2}

AcceleratorChoices = [(name, name) for name in ACCELERATORS]
ClassChoices = [("training", _("训练级")), ("inference", _("推理级")), ("any", _("不限"))]
KindChoices = [("training", _("模型训练")), ("fine_tuning", _("模型微调")), ("inference", _("推理服务"))]
RegionChoices = [("jinjiang", _("晋江本地")), ("quanzhou", _("泉州市内")), ("fujian", _("福建省内")),
                 ("domestic", _("境内"))]
assert [c for c, _l in ClassChoices] == list(CLASSES) and [c for c, _l in RegionChoices] == list(REGIONS)
assert [c for c, _l in KindChoices] == list(KINDS)


class Provider(models.Model):
    class Kind(models.TextChoices):
        COMPUTE = "compute", _("算力服务商")
        SOLUTION = "solution", _("AI 解决方案商")
        BOTH = "both", _("算力与解决方案")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    name = models.CharField(_("服务商名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("简介"), blank=True)
    region = models.CharField(_("所在地"), max_length=10, choices=RegionChoices,
                              default="jinjiang")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    is_partner = models.BooleanField(_("AI 应用合作伙伴（大会签约）"), default=False)
    is_operator = models.BooleanField(_("算力平台运营方"), default=False)
    illustrative = models.BooleanField(_("示意名称"), default=False)
    source = models.CharField(_("来源说明"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")
        ordering = ["-is_operator", "-is_partner", "name"]

    def __str__(self) -> str:
        return self.name


class ProviderMember(models.Model):
    """A user who acts for a provider (the 服务商 role's link to its company)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="provider_membership")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("服务商账号")
        verbose_name_plural = _("服务商账号")

    def __str__(self) -> str:
        return f"{self.user} → {self.provider}"


class Resource(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="resources")
    name = models.CharField(_("资源名称"), max_length=120)
    accelerator = models.CharField(_("加速卡型号"), max_length=20, choices=AcceleratorChoices)
    cards_per_node = models.PositiveSmallIntegerField(_("每节点卡数"))
    nodes = models.PositiveSmallIntegerField(_("节点数"))
    memory_gb = models.PositiveSmallIntegerField(_("单卡显存（GB）"))
    price = models.DecimalField(_("单价（元/卡时）"), max_digits=8, decimal_places=2)
    region = models.CharField(_("数据处理地"), max_length=10, choices=RegionChoices)
    active = models.BooleanField(_("上架"), default=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("算力资源")
        verbose_name_plural = _("算力资源")
        ordering = ["provider", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gt=0),
                                              name="compute_resource_price_positive")]

    def __str__(self) -> str:
        return f"{self.provider} · {self.name}"

    @property
    def total_cards(self) -> int:
        return self.cards_per_node * self.nodes

    @property
    def accelerator_class(self) -> str:
        return ACCELERATORS[self.accelerator][0]


class AvailabilityWindow(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="windows")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("可用时段")
        verbose_name_plural = _("可用时段")
        ordering = ["resource", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="compute_window_ordered")]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


class WorkloadRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("寻找资源")
        BOOKED = "booked", _("已预订")
        CLOSED = "closed", _("已关闭")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="compute_requests")
    title = models.CharField(_("用途"), max_length=120)
    kind = models.CharField(_("负载类型"), max_length=12, choices=KindChoices)
    card_hours = models.PositiveIntegerField(_("所需卡时"))
    accelerator_class = models.CharField(_("加速卡等级"), max_length=10, choices=ClassChoices)
    min_memory_gb = models.PositiveSmallIntegerField(_("单卡显存不低于（GB）"), default=0)
    earliest = models.DateField(_("最早开始"))
    deadline = models.DateField(_("最晚完成"))
    residency = models.CharField(_("数据驻留要求"), max_length=10, choices=RegionChoices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("算力需求")
        verbose_name_plural = _("算力需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待服务商确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("服务商已拒绝")
        CANCELLED = "cancelled", _("已取消")

    HOLDING = (Status.REQUESTED, Status.CONFIRMED)

    request = models.ForeignKey(WorkloadRequest, on_delete=models.PROTECT, related_name="bookings")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="bookings")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="compute_bookings")
    cards = models.PositiveSmallIntegerField(_("卡数"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    card_hours = models.PositiveIntegerField(_("预订卡时"))
    price = models.DecimalField(_("单价（元/卡时）"), max_digits=8, decimal_places=2)
    amount = models.DecimalField(_("合同金额（元）"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED, db_index=True)
    used_card_hours = models.DecimalField(_("已用卡时"), default=Decimal("0"), **HOURS)
    used_amount = models.DecimalField(_("已用金额（元）"), default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("算力预订")
        verbose_name_plural = _("算力预订")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource", "status", "start"])]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="compute_booking_ordered")]

    def __str__(self) -> str:
        return f"预订 #{self.pk} {self.resource}"


class UsageReport(models.Model):
    """Usage of one booking over a period, reported by the provider with its invoice number."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已核验")
        HELD = "held", _("待复核")
        RELEASED = "released", _("复核通过")
        REJECTED = "rejected", _("复核不通过")

    PAYABLE = (Status.ACCEPTED, Status.RELEASED)

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="usage")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="usage")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("计量开始"))
    period_end = models.DateField(_("计量结束"))
    card_hours = models.DecimalField(_("使用卡时"), **HOURS)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    invoice_number = models.CharField(_("发票号码"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    hold_reasons = models.JSONField(_("待复核原因"), default=list, blank=True)
    voucher_paid = models.DecimalField(_("算力券兑付（元）"), default=Decimal("0"), **MONEY)
    voucher_note = models.CharField(_("兑付说明"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField(_("复核意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("算力使用量")
        verbose_name_plural = _("算力使用量")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "invoice_number"])]
        constraints = [models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                              name="compute_usage_ordered")]

    def __str__(self) -> str:
        return f"{self.invoice_number} · {self.card_hours} 卡时"


class VoucherPayment(models.Model):
    """The 算力券's share of one usage report, paid as an instalment of the enterprise's
    算力券 application in the policy ledger. One per usage report: nothing pays twice."""

    usage = models.OneToOneField(UsageReport, on_delete=models.PROTECT, related_name="payment")
    application = models.ForeignKey("policies.Application", on_delete=models.PROTECT,
                                    related_name="+")
    amount = models.DecimalField(_("兑付金额（元）"), **MONEY)
    rate = models.DecimalField(_("兑付比例"), max_digits=5, decimal_places=4)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("算力券兑付")
        verbose_name_plural = _("算力券兑付")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="compute_voucher_payment_positive")]

    def __str__(self) -> str:
        return f"{self.usage} → {self.amount}"


class VoucherTopUp(models.Model):
    """A later instalment for a usage report that was paid less than its share: the clause's
    rate was raised, or the voucher had less left than the share and its approved amount was
    raised or another grant approved later. Paid into the policy ledger like the first
    instalment; the report's ``voucher_paid`` is the running total, so no share is paid twice."""

    usage = models.ForeignKey(UsageReport, on_delete=models.PROTECT, related_name="top_ups")
    application = models.ForeignKey("policies.Application", on_delete=models.PROTECT,
                                    related_name="+")
    amount = models.DecimalField(_("补兑金额（元）"), **MONEY)
    rate = models.DecimalField(_("兑付比例"), max_digits=5, decimal_places=4)
    paid_before = models.DecimalField(_("此前已兑付（元）"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("算力券补兑")
        verbose_name_plural = _("算力券补兑")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="compute_voucher_topup_positive"),
                       # one top-up per report and running total: a retry cannot pay it twice
                       models.UniqueConstraint(fields=["usage", "paid_before"],
                                               name="compute_voucher_topup_once")]

    def __str__(self) -> str:
        return f"{self.usage} +{self.amount}"


class Tally(models.Model):
    """Monthly aggregates by town, kept current by the services (the overview reads these)."""

    month = models.CharField(max_length=7)  # 2026-12
    town = models.CharField(max_length=8, blank=True)
    card_hours_booked = models.DecimalField(default=Decimal("0"), **HOURS)
    card_hours_used = models.DecimalField(default=Decimal("0"), **HOURS)
    voucher_paid = models.DecimalField(default=Decimal("0"), **MONEY)
    scenarios_matched = models.PositiveIntegerField(default=0)
    scenarios_signed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("算力服务月度汇总")
        verbose_name_plural = _("算力服务月度汇总")
        constraints = [models.UniqueConstraint(fields=["month", "town"],
                                               name="compute_tally_unique")]


# ------------------------------------------------------------------------------ AI scenarios

SCENARIO_KINDS = ["视觉质检", "智能排产", "设计生成", "需求预测", "设备预测性维护", "能耗优化",
                  "智能客服", "仓储物流优化", "其他"]
ScenarioKindChoices = [(k, _(k)) for k in SCENARIO_KINDS]


class ScenarioNeed(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("征集方案")
        SIGNED = "signed", _("已签约")
        CLOSED = "closed", _("已关闭")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="ai_needs")
    kind = models.CharField(_("场景类型"), max_length=16, choices=ScenarioKindChoices)
    title = models.CharField(_("场景名称"), max_length=120)
    description = models.TextField(_("场景描述"))
    data_available = models.TextField(_("现有数据"), blank=True)
    expected_gain = models.CharField(_("预期成效"), max_length=300, blank=True)
    budget = models.DecimalField(_("预算（元）"), null=True, blank=True, **MONEY)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("AI 应用场景需求")
        verbose_name_plural = _("AI 应用场景需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Solution(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="solutions")
    title = models.CharField(_("方案名称"), max_length=120)
    kinds = models.JSONField(_("适用场景"), default=list)
    description = models.TextField(_("方案说明"))
    cases = models.TextField(_("应用案例"), blank=True)  # one case a line
    published = models.BooleanField(_("已发布"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("AI 解决方案")
        verbose_name_plural = _("AI 解决方案")
        ordering = ["provider", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def case_list(self) -> list[str]:
        return [line.strip() for line in self.cases.splitlines() if line.strip()]


class ScenarioMatch(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("已推荐对接")
        SIGNED = "signed", _("已签约")
        DECLINED = "declined", _("未达成")

    need = models.ForeignKey(ScenarioNeed, on_delete=models.PROTECT, related_name="matches")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="matches")
    score = models.FloatField(_("匹配得分"), default=0)
    explanation = models.JSONField(_("匹配理由"), default=dict)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("场景对接")
        verbose_name_plural = _("场景对接")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["need", "solution"],
                                               name="compute_match_unique")]

    @property
    def summary(self) -> str:
        """The engine's summary of the match in the reader's language (``wording.summary_text``)."""
        from innolink.compute.wording import summary_text

        return summary_text(self.explanation)

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.solution}"
