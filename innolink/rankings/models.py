"""Rankings: declarations (申报), ranking runs with their stored lists, review, 公示 with
objections, publication and the public correction log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Declaration(models.Model):
    """An enterprise's self-declared figures for one year, attested by its legal representative.

    ``values`` maps indicator code to a decimal string in the registry's units (money in yuan),
    like ``EnterpriseYear.values``. ``flags`` are the automatic checks computed at submission.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交待审核")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已采纳")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                   related_name="ranking_declarations", verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("年度"))
    values = models.JSONField(_("申报数据"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    flags = models.JSONField(_("自动核查提示"), default=list, blank=True)
    attested_name = models.CharField(_("承诺人（法定代表人）"), max_length=64, blank=True)
    attested_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("榜单申报")
        verbose_name_plural = _("榜单申报")
        ordering = ["-year", "-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"],
                                               name="ranking_declaration_unique")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} 申报"


class RankingRun(models.Model):
    """One computation of every list for a data year, and its publication workflow.

    The run records the engine version, each methodology's version and content hash (in its
    lists) and the data snapshot fingerprint, so recomputing it can be checked to give the
    same lists.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("计算中")
        FAILED = "failed", _("计算失败")
        COMPUTED = "computed", _("已计算")
        REVIEWED = "reviewed", _("已复核")
        NOTICE = "notice", _("公示中")
        NOTICE_CLOSED = "notice_closed", _("公示结束")
        PUBLISHED = "published", _("已发布")

    year = models.PositiveSmallIntegerField(_("数据年度"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    engine_version = models.CharField(_("引擎版本"), max_length=64, blank=True)
    data_fingerprint = models.CharField(_("数据快照指纹"), max_length=64, blank=True)
    fingerprint = models.CharField(_("运行指纹"), max_length=64, blank=True)
    samples = models.PositiveIntegerField(_("扰动样本数"), null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    error = models.JSONField(_("失败原因"), default=dict, blank=True)
    notice_opens_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_closes_on = models.DateField(_("公示截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("榜单计算")
        verbose_name_plural = _("榜单计算")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} 年度榜单计算 #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.NOTICE, self.Status.NOTICE_CLOSED,
                               self.Status.PUBLISHED)

    @property
    def error_message(self) -> str:
        """Why the run failed, in the reader's language (``methods.stored_error``)."""
        from innolink.rankings.methods import stored_error

        return stored_error(self.error)


class RankingList(models.Model):
    """One list of a run. ``result`` is the engine's ``ListResult.to_dict()`` (the stored
    result, from which year-over-year comparisons are rebuilt); entries are also rows."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="lists")
    list_id = models.CharField(_("榜单代码"), max_length=64)
    title_zh = models.CharField(pgettext_lazy("rankings", "榜单名称"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    size = models.PositiveIntegerField(_("名额"))
    eligible = models.PositiveIntegerField(_("符合条件企业数"))
    methodology_version = models.CharField(_("方法版本"), max_length=32)
    methodology_hash = models.CharField(_("方法内容哈希"), max_length=64)
    fingerprint = models.CharField(_("榜单指纹"), max_length=64)
    note_zh = models.TextField(_("评价方法说明"), blank=True)
    result = models.JSONField(default=dict)

    class Meta:
        verbose_name = pgettext_lazy("rankings", "榜单")
        verbose_name_plural = pgettext_lazy("rankings", "榜单")
        ordering = ["run", "order", "list_id"]
        constraints = [models.UniqueConstraint(fields=["run", "list_id"],
                                               name="ranking_list_unique")]

    def __str__(self) -> str:
        return f"{self.title_zh}（{self.run.year}）"

    @property
    def title(self) -> str:
        """The list's title in the reader's language (``methods.list_title``)."""
        from innolink.rankings.methods import list_title

        return list_title(self.list_id, self.title_zh)

    @property
    def note(self) -> str:
        """The methodology note in the reader's language (``methods.list_note``)."""
        from innolink.rankings.methods import list_note

        return list_note(self.list_id, self.run.year, self.methodology_version, self.note_zh)

    @property
    def tie_rule_note(self) -> str:
        """The tie rule in the reader's language (``methods.tie_rule_note``)."""
        from innolink.rankings.methods import tie_rule_note

        return tie_rule_note(self.list_id, self.run.year, self.methodology_version,
                             (self.result or {}).get("tie_rule_zh", ""))


class RankingEntry(models.Model):
    """A member of a list, or an uncertain non-member flagged for review (``in_list`` False)."""

    class Review(models.TextChoices):
        NONE = "", _("无需复核")
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("复核确认")
        QUERIED = "queried", _("复核存疑")

    ranking_list = models.ForeignKey(RankingList, on_delete=models.CASCADE,
                                     related_name="entries")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="+")
    position = models.PositiveIntegerField(_("序号"))
    rank = models.PositiveIntegerField(_("名次"))
    score = models.FloatField(_("综合得分"))
    in_list = models.BooleanField(pgettext_lazy("rankings", "入围"))
    tied = models.BooleanField(_("并列"), default=False)
    median_rank = models.FloatField(_("名次中位数"))
    rank_p05 = models.FloatField(_("名次5%分位"))
    rank_p95 = models.FloatField(_("名次95%分位"))
    in_list_frequency = models.FloatField(_("入围频率"))
    uncertain = models.BooleanField(_("入围不确定"), default=False)
    indicators = models.JSONField(default=dict)
    imputed = models.JSONField(default=list, blank=True)
    review = models.CharField(_("复核"), max_length=16, choices=Review.choices, blank=True,
                              default=Review.NONE)
    review_note = models.CharField(_("复核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("榜单条目")
        verbose_name_plural = _("榜单条目")
        ordering = ["ranking_list", "-in_list", "position"]
        constraints = [models.UniqueConstraint(fields=["ranking_list", "enterprise"],
                                               name="ranking_entry_unique")]
        indexes = [models.Index(fields=["ranking_list", "review"])]

    def __str__(self) -> str:
        return f"{self.ranking_list.list_id} #{self.rank} {self.enterprise_id}"


class Objection(models.Model):
    """A real-name objection raised during the 公示, and the organizer's answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="objections")
    ranking_list = models.ForeignKey(RankingList, on_delete=models.CASCADE,
                                     related_name="objections")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("所涉企业"))
    name = models.CharField(_("实名"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=20)
    organization = models.CharField(pgettext_lazy("rankings", "单位"), max_length=200, blank=True)
    content = models.TextField(_("异议内容"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}：{self.content[:20]}"


class Correction(models.Model):
    """A correction made after publication, shown in the public correction log."""

    ranking_list = models.ForeignKey(RankingList, on_delete=models.CASCADE,
                                     related_name="corrections")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("所涉企业"))
    description = models.TextField(_("更正内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("更正记录")
        verbose_name_plural = _("更正记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description[:40]
