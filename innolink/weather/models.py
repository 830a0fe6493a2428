"""气象+: CAP warnings, the exposure profiles of enterprises, targeted notices and forecasts.

A ``Warning`` is one warning as the feed keeps it up to date: the first CAP ``Alert`` creates it,
``Update`` messages that reference it replace its level, area and times (and its notices), a
``Cancel`` ends it. Every CAP message received is a ``CapMessage``; every attempt, refused or
not, is an ``IngestLog`` line with its reason. ``Notice`` is one warning's message to one
enterprise (unique per warning and enterprise: an update changes it in place).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.enterprises.models import Enterprise
from innolink.enterprises.reference import TOWN_CHOICES


class Level(models.TextChoices):
    BLUE = "蓝", _("蓝色")
    YELLOW = "黄", _("黄色")
    ORANGE = "橙", _("橙色")
    RED = "红", _("红色")


class Kind(models.TextChoices):
    TYPHOON = "台风", _("台风")
    RAINSTORM = "暴雨", _("暴雨")
    SNOWSTORM = "暴雪", _("暴雪")
    COLD_WAVE = "寒潮", _("寒潮")
    GALE = "大风", _("大风")
    SANDSTORM = "沙尘暴", _("沙尘暴")
    HEAT = "高温", _("高温")
    DROUGHT = "干旱", _("干旱")
    LIGHTNING = "雷电", _("雷电")
    HAIL = "冰雹", _("冰雹")
    FROST = "霜冻", _("霜冻")
    FOG = "大雾", _("大雾")
    HAZE = "霾", _("霾")
    ROAD_ICING = "道路结冰", _("道路结冰")


class CapSender(models.Model):
    """A warning feed the platform accepts (the CAP ``sender``), e.g. the city observatory."""

    sender = models.CharField(_("发送方标识"), max_length=200, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    active = models.BooleanField(_("启用"), default=True)
    # the PEM X.509 certificate whose key signs the feed's messages (XML-Signature, ADR 0620)
    certificate = models.TextField(_("签名证书（PEM）"), blank=True)
    require_signature = models.BooleanField(_("只接收带签名的消息"), default=False)

    class Meta:
        verbose_name = _("预警信息源")
        verbose_name_plural = _("预警信息源")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IndustrialPark(models.Model):
    name = models.CharField(_("园区名称"), max_length=100, unique=True)
    town = models.CharField(_("所在镇街"), max_length=8, choices=TOWN_CHOICES)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("工业园区")
        verbose_name_plural = _("工业园区")
        ordering = ["town", "name"]

    def __str__(self) -> str:
        return self.name


class ExposureProfile(models.Model):
    """What of an enterprise the weather can hurt (codes from the response rules file)."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE,
                                      related_name="weather_profile")
    exposures = models.JSONField(_("暴露类型"), default=list)
    exposure_mask = models.BigIntegerField(default=0)  # bits over the rule file's exposures
    park = models.ForeignKey(IndustrialPark, verbose_name=_("所在园区"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="profiles")
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    outdoor_staff = models.PositiveIntegerField(_("户外作业人数"), default=0)
    note = models.CharField(_("补充说明"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("气象风险画像")
        verbose_name_plural = _("气象风险画像")

    def __str__(self) -> str:
        return f"{self.enterprise} · {','.join(self.exposures)}"


class Warning(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("生效中")
        CANCELLED = "cancelled", _("已解除")
        EXPIRED = "expired", _("已过期")

    sender = models.CharField(_("发送方"), max_length=200)
    identifier = models.CharField(_("首条消息标识"), max_length=200)
    kind = models.CharField(_("预警种类"), max_length=8, choices=Kind.choices)
    level = models.CharField(_("预警级别"), max_length=2, choices=Level.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.ACTIVE, db_index=True)
    headline = models.CharField(_("标题"), max_length=300, blank=True)
    description = models.TextField(_("内容"), blank=True)
    instruction = models.TextField(_("防御指南"), blank=True)
    area_desc = models.CharField(_("影响区域"), max_length=300, blank=True)
    whole_city = models.BooleanField(_("全市"), default=False)
    towns = models.JSONField(_("镇街"), default=list)
    polygons = models.JSONField(_("多边形"), default=list)
    circles = models.JSONField(_("圆形区域"), default=list)
    onset = models.DateTimeField(_("开始时间"), null=True, blank=True)
    expires = models.DateTimeField(_("结束时间"), null=True, blank=True)
    first_sent = models.DateTimeField(_("首次发布"))
    last_sent = models.DateTimeField(_("最近更新"))
    is_exercise = models.BooleanField(_("演练"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # aggregates kept current by the services (the overview reads them)
    notices_active = models.PositiveIntegerField(_("有效通知"), default=0)
    notices_acknowledged = models.PositiveIntegerField(_("已回应"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("气象预警")
        verbose_name_plural = _("气象预警")
        ordering = ["-last_sent", "-id"]
        constraints = [models.UniqueConstraint(fields=["sender", "identifier"],
                                               name="weather_warning_unique")]

    def __str__(self) -> str:
        return f"{self.kind}{self.level}色预警"

    @property
    def non_responders(self) -> int:
        return max(self.notices_active - self.notices_acknowledged, 0)


class CapMessage(models.Model):
    class Source(models.TextChoices):
        PUSH = "push", _("接口推送")
        FOLDER = "folder", _("目录接收")
        MANUAL = "manual", _("人工上传")

    sender = models.CharField(max_length=200)
    identifier = models.CharField(max_length=200)
    sent = models.DateTimeField()
    msg_type = models.CharField(max_length=8)
    status = models.CharField(max_length=10)
    warning = models.ForeignKey(Warning, null=True, on_delete=models.PROTECT,
                                related_name="messages")
    source = models.CharField(max_length=8, choices=Source.choices)
    raw = models.TextField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CAP 消息")
        verbose_name_plural = _("CAP 消息")
        ordering = ["-sent", "-id"]
        constraints = [models.UniqueConstraint(fields=["sender", "identifier"],
                                               name="weather_capmessage_unique")]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.identifier}"


class IngestLog(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已应用")
        REFUSED = "refused", _("已拒收")
        IGNORED = "ignored", _("已忽略")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(_("渠道"), max_length=8, choices=CapMessage.Source.choices)
    filename = models.CharField(_("文件"), max_length=200, blank=True)
    sender = models.CharField(_("发送方"), max_length=200, blank=True)
    identifier = models.CharField(_("消息标识"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    code = models.CharField(_("原因代码"), max_length=40, blank=True)
    #: the reason's Chinese text (rows from before ADR 0390 have only this)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    #: the reason as its msgid and values, worded in the reader's language (``reason_text``)
    reason_id = models.CharField(_("原因（消息标识）"), max_length=300, blank=True)
    reason_params = models.JSONField(_("原因参数"), default=dict, blank=True)
    warning = models.ForeignKey(Warning, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    seconds = models.FloatField(_("耗时（秒）"), default=0)

    class Meta:
        verbose_name = _("接收记录")
        verbose_name_plural = _("接收记录")
        ordering = ["-at", "-id"]

    @property
    def reason_text(self) -> str:
        """The reason in the active language (an older row: as stored)."""
        if not self.reason_id:
            return self.reason
        from innolink.weather.reasons import render

        return render(self.reason_id, self.reason_params)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.identifier}"


class NoticeAdvice(models.Model):
    """The rules one group of a warning's notices matched and the actions they recommend (the
    notices of a warning share a handful of these, so each notice row stays small)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="advice")
    rules = models.JSONField(_("命中规则"), default=list)
    actions = models.JSONField(_("建议措施"), default=list)

    class Meta:
        verbose_name = _("建议措施组")
        verbose_name_plural = _("建议措施组")

    def __str__(self) -> str:
        return "；".join(self.actions)[:80]


class Notice(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        WITHDRAWN = "withdrawn", _("已撤回（不再影响）")
        CANCELLED = "cancelled", _("预警已解除")

    # the composite indexes below lead with these columns, so no separate FK indexes
    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="notices",
                                db_index=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="weather_notices", db_index=False)
    town = models.CharField(max_length=8, blank=True)
    level = models.CharField(_("级别"), max_length=2, choices=Level.choices)
    advice = models.ForeignKey(NoticeAdvice, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.ACTIVE)
    created_at = models.DateTimeField(_("发出时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        db_index=False)
    measures = models.TextField(_("已采取措施"), blank=True)
    measures_done = models.JSONField(_("已落实的建议措施"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警通知")
        verbose_name_plural = _("预警通知")
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["warning", "enterprise"],
                                               name="weather_notice_unique")]
        indexes = [models.Index(fields=["enterprise", "state"])]

    def __str__(self) -> str:
        return f"{self.warning} → {self.enterprise_id}"

    @property
    def actions(self) -> list[str]:
        return self.advice.actions

    @property
    def rules(self) -> list[str]:
        return self.advice.rules


class WarningTownTally(models.Model):
    """Notices and acknowledgements of one warning in one town (kept by the services)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="town_tallies")
    town = models.CharField(max_length=8)
    active = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("预警分镇街汇总")
        verbose_name_plural = _("预警分镇街汇总")
        constraints = [models.UniqueConstraint(fields=["warning", "town"],
                                               name="weather_town_tally_unique")]

    @property
    def missing(self) -> int:
        return max(self.active - self.acknowledged, 0)


class ForecastProduct(models.Model):
    """A forecast product attached by the meteorological staff, shown where it applies."""

    class Area(models.TextChoices):
        CLUSTER = "cluster", _("产业集群")
        PARK = "park", _("工业园区")
        PLATFORM = "platform", _("数智平台")
        FINANCE = "finance", _("金融气象")
        TOURISM = "tourism", _("特色文旅")

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    area = models.CharField(_("服务领域"), max_length=10, choices=Area.choices)
    title = models.CharField(_("标题"), max_length=120)
    valid_from = models.DateField(_("适用开始日期"))
    valid_to = models.DateField(_("适用结束日期"))
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    summary = models.TextField(_("预报内容"))
    advice = models.TextField(_("建议"), blank=True)
    park = models.ForeignKey(IndustrialPark, verbose_name=_("园区"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="forecasts")
    event = models.ForeignKey("events.Event", verbose_name=_("户外活动"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="weather_forecasts")
    industry_prefix = models.CharField(_("产业集群（行业代码前缀）"), max_length=5, blank=True)
    exposure = models.CharField(_("适用暴露类型"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("气象服务产品")
        verbose_name_plural = _("气象服务产品")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["area", "valid_to"])]

    def __str__(self) -> str:
        return self.title
