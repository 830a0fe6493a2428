"""Policies in the database (synced from the rule files), scan results, applications in both
lanes, budgets and the append-only ledger.

The rule files in ``rulesets/`` stay the source of truth for rules; these rows mirror what
officials see and point to (title, 文号, dates, budget, shares, lane, materials, clause texts),
and carry everything the rule files cannot: who was found eligible when, who applied, what was
approved and paid.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.enterprises.models import Enterprise

MONEY = {"max_digits": 16, "decimal_places": 2}


class Lane(models.TextChoices):
    AUTO = "auto", _("免申即享")
    APPLY = "apply", _("快申快享")


class BudgetShortfall(models.TextChoices):
    """What happens when eligible demand exceeds what is left of the budget (rule file option
    ``budget_shortfall``; ADR 0122)."""

    FIRST_COME = "first_come", _("先到先得，预算用完即止")
    PRO_RATA = "pro_rata", _("资金不足时按比例核减")


class Policy(models.Model):
    code = models.SlugField(_("政策编号"), max_length=64, unique=True)  # the rule file's id
    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=200, blank=True)
    area = models.CharField(_("政策领域"), max_length=64, blank=True)
    tech_innovation = models.BooleanField(_("科技创新类"), default=False)
    illustrative = models.BooleanField(_("示意政策"), default=True)
    source = models.CharField(_("来源说明"), max_length=300, blank=True)
    file = models.CharField(_("规则文件"), max_length=200, blank=True)
    rules_text = models.TextField(_("规则原文（YAML）"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    synced_at = models.DateTimeField(_("同步时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class PolicyVersion(models.Model):
    """One dated version of a policy (one 文号). Its budget lives in :class:`Budget`."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    doc_number = models.CharField(_("文号"), max_length=100)
    budget = models.DecimalField(_("资金总额（元）"), **MONEY)
    shares = models.JSONField(_("分担比例"), default=list)  # [["省", 8], ["市", 1], ["县", 1]]
    lane = models.CharField(_("兑现方式"), max_length=8, choices=Lane.choices)
    materials = models.JSONField(_("申报材料"), default=list)
    cap_per_enterprise = models.DecimalField(_("单个企业年度上限（元）"), null=True, blank=True,
                                             **MONEY)
    review_days = models.PositiveSmallIntegerField(_("审核时限（工作日）"), default=10)
    budget_shortfall = models.CharField(_("资金不足时"), max_length=16,
                                        choices=BudgetShortfall.choices,
                                        default=BudgetShortfall.FIRST_COME)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["policy", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["policy", "effective_from"],
                                               name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.policy.title}（{self.doc_number}）"

    @property
    def shares_text(self) -> str:
        return "∶".join(str(n) for _, n in self.shares) + "（" + "、".join(
            level for level, _ in self.shares) + "）"

    def covers_year(self, year: int) -> bool:
        import datetime as dt

        day = dt.date(year, 12, 31)
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class PolicyClause(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="clauses")
    code = models.SlugField(_("条款编号"), max_length=64)
    title = models.CharField(_("条款名称"), max_length=200)
    text = models.TextField(_("条款原文"))
    rule = models.JSONField(_("规则"), default=dict)  # conditions / benefit as in the rule file
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(_("已从规则文件移除"), default=False)

    class Meta:
        verbose_name = _("政策条款")
        verbose_name_plural = _("政策条款")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"],
                                               name="policy_clause_unique")]

    def __str__(self) -> str:
        return self.title


class Budget(models.Model):
    """The budget of one policy version. ``committed`` and ``paid`` change only inside a
    transaction that holds this row with ``select_for_update``, so concurrent approvals queue on
    it and ``committed <= total`` always holds (also checked by the database)."""

    version = models.OneToOneField(PolicyVersion, on_delete=models.PROTECT, related_name="budget_row")
    total = models.DecimalField(_("预算总额（元）"), **MONEY)
    committed = models.DecimalField(_("已承诺（元）"), default=Decimal("0.00"), **MONEY)
    paid = models.DecimalField(_("已拨付（元）"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("政策预算")
        verbose_name_plural = _("政策预算")
        constraints = [
            models.CheckConstraint(condition=models.Q(committed__lte=models.F("total")),
                                   name="budget_committed_within_total"),
            models.CheckConstraint(condition=models.Q(paid__lte=models.F("committed")),
                                   name="budget_paid_within_committed"),
            models.CheckConstraint(condition=models.Q(paid__gte=0), name="budget_paid_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.version} 预算"

    @property
    def available(self) -> Decimal:
        return self.total - self.committed


class Scan(models.Model):
    """One whole-registry scan for a policy year (run as a background job)."""

    year = models.PositiveSmallIntegerField(_("政策年度"))
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="policy_scan")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    eligible_pairs = models.PositiveIntegerField(_("符合条件（企业×条款）"), default=0)
    new_pairs = models.PositiveIntegerField(_("新发现"), default=0)
    dropped_pairs = models.PositiveIntegerField(_("不再符合"), default=0)
    total = models.DecimalField(_("可兑现总额（元）"), default=Decimal("0.00"), **MONEY)
    summary = models.JSONField(default=dict, blank=True)  # per policy code: count, total, budget

    class Meta:
        verbose_name = _("政策扫描")
        verbose_name_plural = _("政策扫描")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} 年度扫描 #{self.pk}"


class Eligibility(models.Model):
    """An enterprise qualifies for a clause in a policy year, as the latest scan found it.

    ``first_found_on`` is kept across scans (days from eligibility to cash start there);
    ``active`` is false once a later scan no longer finds it."""

    clause = models.ForeignKey(PolicyClause, on_delete=models.PROTECT, related_name="eligibilities")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="policy_eligibilities")
    year = models.PositiveSmallIntegerField(_("政策年度"))
    amount = models.DecimalField(_("可兑现金额（元）"), **MONEY)
    gross = models.DecimalField(_("公式金额（元）"), **MONEY)
    first_found_on = models.DateField(_("首次发现"))
    last_scan = models.ForeignKey(Scan, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    active = models.BooleanField(_("当前符合"), default=True)
    notified_at = models.DateTimeField(_("已推送"), null=True, blank=True)

    class Meta:
        verbose_name = _("符合条件记录")
        verbose_name_plural = _("符合条件记录")
        constraints = [models.UniqueConstraint(fields=["clause", "enterprise", "year"],
                                               name="eligibility_unique")]
        indexes = [models.Index(fields=["year", "clause", "active"]),
                   models.Index(fields=["enterprise", "year"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.clause_id} · {self.year}"


class Application(models.Model):
    """A claim for one clause in one policy year: a 免申即享 confirmation or a 快申快享 application."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        DEFERRED = "deferred", _("暂缓")
        APPROVED = "approved", _("已批准")
        PARTIALLY_PAID = "partially_paid", _("部分拨付")
        PAID = "paid", _("已拨付")
        REJECTED = "rejected", _("未通过")

    OPEN = (Status.SUBMITTED, Status.DEFERRED)
    DECIDABLE = (Status.SUBMITTED, Status.DEFERRED)
    PAYABLE = (Status.APPROVED, Status.PARTIALLY_PAID)

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="policy_applications")
    clause = models.ForeignKey(PolicyClause, on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveSmallIntegerField(_("政策年度"))
    lane = models.CharField(_("兑现方式"), max_length=8, choices=Lane.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)
    amount_expected = models.DecimalField(_("测算金额（元）"), **MONEY)
    amount_approved = models.DecimalField(_("批准金额（元）"), null=True, blank=True, **MONEY)
    paid_total = models.DecimalField(_("已拨付（元）"), default=Decimal("0.00"), **MONEY)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account = models.CharField(_("银行账号"), max_length=40)
    account_holder = models.CharField(_("账户名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    statement = models.TextField(_("申报说明"), blank=True)
    consent = models.BooleanField(_("同意使用已有数据核定"), default=False)
    eligible_since = models.DateField(_("符合条件日期"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(_("审核截止日"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    paid_on = models.DateField(_("拨付完成日"), null=True, blank=True)
    # {"2025": {"software_hardware_investment": "3000000"}}: the enterprise's own figures the
    # computed amount relied on (see DeclaredFact), for the officer to check against materials.
    declared = models.JSONField(_("企业填报数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("政策兑现申请")
        verbose_name_plural = _("政策兑现申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "clause", "year"],
                                               name="application_unique")]
        indexes = [models.Index(fields=["status", "due_on"]),
                   models.Index(fields=["clause", "status"])]

    def __str__(self) -> str:
        return f"申请 #{self.pk} {self.clause.title}"

    @property
    def remaining(self) -> Decimal:
        return (self.amount_approved or Decimal("0.00")) - self.paid_total


class DeclaredFact(models.Model):
    """A yearly figure the enterprise typed in because the registry lacks it and an answer needs
    it (e.g. 软件系统、硬件设备投入金额 for a 快申快享 clause). It fills the gap only in that
    enterprise's own answers and claims (the registry and the whole-city scan stay platform
    data); an application records the declared figures it relied on, so the officer checks them
    against the materials. ``value`` is a decimal string in the indicator's base unit (money in
    yuan), as in ``EnterpriseYear.values``."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="declared_facts")
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("指标"), max_length=40)
    value = models.CharField(_("填报值"), max_length=32)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("企业填报数据")
        verbose_name_plural = _("企业填报数据")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "code"],
                                               name="declared_fact_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.code}={self.value}"


def _material_path(instance, filename: str) -> str:
    import os
    import uuid as _uuid

    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"policies/materials/{_uuid.uuid4().hex}{ext}"


class ApplicationMaterial(models.Model):
    """A file an enterprise attaches to a 快申快享 application (one of the version's materials)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_material_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}：{self.original_name}"


class LedgerEntry(models.Model):
    """One line of the ledger: a commitment or a payment, for one funding level.

    Entries are never edited or deleted; a correction is a new entry with the opposite amount
    that names the entry it reverses (``reverses``). One posting writes one entry per funding
    level, sharing ``posting``."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("承诺")
        PAYMENT = "payment", _("拨付")

    posting = models.UUIDField(_("记账批次"), db_index=True)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="ledger")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="ledger")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("资金层级"), max_length=8)
    amount = models.DecimalField(_("金额（元）"), **MONEY)  # negative for a reversal
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reversed_by")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    booked_on = models.DateField(_("记账日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("台账分录")
        verbose_name_plural = _("台账分录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "kind", "level"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("ledger entries cannot be changed; post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("ledger entries cannot be deleted; post a reversing entry")


class CalendarDay(models.Model):
    """One day of the official working-day calendar that differs from Monday to Friday: a
    public holiday (放假) or an adjusted make-up working day (调休上班, usually a weekend day).

    The shipped years come from the State Council notices (data migration); an operator adds the
    next year when its notice is published (each November) through the calendar page. A year
    with no rows falls back to Monday to Friday (see ``workdays.py``)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)  # a date cannot be both kinds
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=32)  # 国庆节, 春节 …
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}"


class PolicyRevision(models.Model):
    """A policy's rules as an officer edits them in the browser: the YAML (ADR 0101) and the
    worked cases (an enterprise's facts and the legal amount). Every save checks the draft and
    runs the cases; a draft is published only when it loads and every case passes (ADR 0150).
    The latest published revision of a policy replaces its shipped rule file; older published
    revisions stay as its history (``superseded``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版替代")
        DISCARDED = "discarded", _("已放弃")

    code = models.SlugField(_("政策编号"), max_length=64, db_index=True)
    number = models.PositiveIntegerField(_("修订号"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    text = models.TextField(_("规则（YAML）"))
    cases = models.TextField(_("核对案例（YAML）"), blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    base_text = models.TextField(_("起草时的规则"), blank=True)  # what the draft started from
    valid = models.BooleanField(_("规则有效"), default=False)
    problem = models.JSONField(_("问题"), default=dict, blank=True)
    results = models.JSONField(_("案例结果"), default=list, blank=True)
    blockers = models.JSONField(_("发布前需解决"), default=list, blank=True)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("规则修订")
        verbose_name_plural = _("规则修订")
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="policy_revision_number"),
            # one open draft and one published revision per policy at a time
            models.UniqueConstraint(fields=["code"], condition=models.Q(status="draft"),
                                    name="policy_revision_one_draft"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(status="published"),
                                    name="policy_revision_one_published"),
        ]

    def __str__(self) -> str:
        return f"{self.code} r{self.number} ({self.status})"

    @property
    def publishable(self) -> bool:
        return self.status == self.Status.DRAFT and self.valid and not self.blockers


def _staged_path(instance, filename: str) -> str:
    import os
    import uuid as _uuid

    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"policies/staged/{_uuid.uuid4().hex}{ext}"


class StagedMaterial(models.Model):
    """A material file chosen on a claim form whose submission was refused (a typo in the
    account, say): kept so the enterprise does not choose it again. It becomes an
    ``ApplicationMaterial`` when the claim goes through (audited there) and is removed then."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    clause = models.ForeignKey(PolicyClause, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(upload_to=_staged_path, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("暂存的申报材料")
        verbose_name_plural = _("暂存的申报材料")
        constraints = [models.UniqueConstraint(fields=["user", "clause", "year", "name"],
                                               name="staged_material_unique")]
