"""揭榜领题: challenges posted by enterprises or institutions, researchers and teams who claim them
with proposals, and technology offers (拟转化对接项目) that researchers post for transfer.

Money is Decimal yuan with two places (shown in 万元 with the ``wan`` filter). State names are
stable: the events app (matchmaking, competition judging) relies on them; see README.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: 原则上不超过3年: a longer time limit needs an organizer's justified exception (decision 0351)
MAX_TIME_LIMIT_MONTHS = 36
#: the longest time limit the board stores at all (with an exception)
HARD_TIME_LIMIT_MONTHS = 120


class Domain(models.TextChoices):
    """The six challenge domains of the Jinjiang programme."""

    IT = "it", _("新一代信息技术")
    EQUIPMENT = "equipment", _("高端装备制造")
    ENERGY = "energy", _("新能源与节能环保")
    MATERIALS = "materials", _("新材料与石油化工")
    BIOMED = "biomed", _("生物医药与大健康")
    AGRIFOOD = "agrifood", _("现代农业与食品")


class IpOwnership(models.TextChoices):
    ENTERPRISE = "enterprise", _("归发榜方所有")
    SOLVER = "solver", _("归揭榜方所有")
    JOINT = "joint", _("双方共有（按份额）")
    JOINT_OPEN = "joint_open", _("双方共有（未约定份额）")
    NEGOTIABLE = "negotiable", _("协商确定")


class FundingKind(models.TextChoices):
    """How a listing states its money (decision 0351). ``Challenge.funding`` is the amount the
    board filters and sums on: the amount, the lower bound of a range, the upper limit, the
    total of a prize schedule; none for 面议."""

    FIXED = "fixed", _("固定金额")
    RANGE = "range", _("金额区间")
    UP_TO = "up_to", _("不超过（上限）")
    PRIZE = "prize", _("奖金（按奖项）")
    NEGOTIABLE = "negotiable", _("面议")


class IssuerKind(models.TextChoices):
    INSTITUTE = "institute", _("科研院所")
    KEY_LAB = "key_lab", _("重点实验室")
    UNIVERSITY = "university", _("高等院校")
    ENTERPRISE = "enterprise", _("企业（平台企业库外）")
    GOVERNMENT = "government", _("政府部门/园区")
    OTHER = "other", _("其他组织")


class SolverType(models.TextChoices):
    """Kinds of solver a listing prefers (the engine's institution types, decision 0354)."""

    UNIVERSITY = "university", _("高等院校")
    INSTITUTE = "institute", _("科研院所")
    WORKSTATION = "workstation", _("博士后科研工作站")
    ENTERPRISE = "enterprise", _("企业")
    NEW_RD = "new_rd", _("新型研发机构")


class Issuer(models.Model):
    """An organisation outside the city's enterprise registry that issues listings: an
    institute, a key laboratory, an enterprise elsewhere (decision 0352)."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=IssuerKind.choices,
                            default=IssuerKind.OTHER)
    region = models.CharField(_("所在地区"), max_length=64, blank=True,
                              help_text=_("省市，如 山东省烟台市"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发榜单位（平台外）")
        verbose_name_plural = _("发榜单位（平台外）")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A contest or a published list that listings belong to: edition and track, region,
    timeline, who may solve, and the judging rubric its rounds use (decision 0352)."""

    name = models.CharField(_("赛事/榜单名称"), max_length=160, unique=True)
    edition = models.CharField(_("届次/批次"), max_length=40, blank=True)
    track = models.CharField(_("赛道/组别"), max_length=80, blank=True)
    organizer = models.CharField(_("主办/发布单位"), max_length=200, blank=True)
    region = models.CharField(_("面向地区"), max_length=64, blank=True,
                              help_text=_("如 面向全国、福建省"))
    #: [{"stage": "征集需求", "start": "2024-05-01", "end": "2024-06-30"}]
    timeline = models.JSONField(_("时间安排"), default=list, blank=True)
    eligibility = models.TextField(_("揭榜方资格条件"), blank=True)
    #: [{"name": "技术可行性", "weight": 30, "guidance": "…"}], weights in points out of 100
    rubric = models.JSONField(_("评审细则"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True,
                              help_text=_("公开来源：标题、发布机构、日期、网址"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("赛事/榜单批次")
        verbose_name_plural = _("赛事/榜单批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def rubric_total(self) -> int:
        return sum(int(c.get("weight") or 0) for c in self.rubric or [])


class ChallengeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("已张榜")
    CLAIMED = "claimed", _("已揭榜")
    SHORTLISTED = "shortlisted", _("入围遴选")
    MATCHED = "matched", _("对接成功")
    CONTRACTED = "contracted", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTED = "accepted", _("已验收")
    CLOSED = "closed", _("已结项")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


#: States in which a challenge is on the public board.
PUBLIC_STATES = (ChallengeState.PUBLISHED, ChallengeState.CLAIMED, ChallengeState.SHORTLISTED)
#: States in which a challenge still takes claims.
CLAIMABLE_STATES = (ChallengeState.PUBLISHED, ChallengeState.CLAIMED)
#: States seen by anyone signed in or not (published once, so no draft leaks).
VISIBLE_STATES = (ChallengeState.PUBLISHED, ChallengeState.CLAIMED, ChallengeState.SHORTLISTED,
                  ChallengeState.MATCHED, ChallengeState.CONTRACTED, ChallengeState.IN_PROGRESS,
                  ChallengeState.ACCEPTED, ChallengeState.CLOSED, ChallengeState.EXPIRED)


class Comparator(models.TextChoices):
    GE = "ge", "≥"
    LE = "le", "≤"
    EQ = "eq", "="
    GT = "gt", ">"
    LT = "lt", "<"
    RANGE = "range", _("区间")
    TEXT = "text", _("文字描述")


class Challenge(models.Model):
    title = models.CharField(_("榜单名称"), max_length=120)
    #: the primary domain; empty until screening for a listing that names none (decision 0351)
    domain = models.CharField(_("主领域"), max_length=16, choices=Domain.choices, blank=True,
                              db_index=True)
    secondary_domains = models.JSONField(_("其他领域"), default=list, blank=True)
    statement = models.TextField(_("技术难题描述"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True,
                                help_text=_("以逗号或空格分隔"))
    funding_kind = models.CharField(_("资金形式"), max_length=16, choices=FundingKind.choices,
                                    default=FundingKind.FIXED)
    funding = models.DecimalField(_("资金投入（元）"), max_digits=14, decimal_places=2,
                                  null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("0"))])
    funding_max = models.DecimalField(_("资金上限（元）"), max_digits=14, decimal_places=2,
                                      null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0"))])
    #: [{"award": "一等奖", "amount": "500000.00", "count": 1}] (amount in yuan per award)
    prize_schedule = models.JSONField(_("奖项设置"), default=list, blank=True)
    payment_terms = models.TextField(_("支付方式与节点"), blank=True)
    time_limit_months = models.PositiveSmallIntegerField(
        _("时限要求（月）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(HARD_TIME_LIMIT_MONTHS)])
    ip_ownership = models.CharField(_("知识产权归属"), max_length=16, choices=IpOwnership.choices)
    ip_enterprise_share = models.PositiveSmallIntegerField(
        _("发榜方份额（%）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)])
    ip_notes = models.TextField(_("产权说明"), blank=True)
    other_conditions = models.TextField(_("其他条件"), blank=True)
    claim_deadline = models.DateField(_("揭榜截止日期"), db_index=True)
    max_claims = models.PositiveSmallIntegerField(
        _("揭榜名额"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("同时处于有效状态的揭榜方案数上限"))

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("发榜企业"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="challenges")
    institution = models.ForeignKey("accounts.Institution", verbose_name=_("发榜机构"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="challenges")
    issuer = models.ForeignKey(Issuer, verbose_name=_("发榜单位（平台外）"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="challenges")
    programme = models.ForeignKey(Programme, verbose_name=_("所属赛事/榜单批次"), null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="challenges")
    external_ref = models.CharField(_("榜单编号"), max_length=64, blank=True,
                                    help_text=_("原榜单中的编号或序号"))
    #: where a listing taken from a published list was read: title, outlet, date, address
    source = models.CharField(_("信息来源"), max_length=300, blank=True,
                              help_text=_("公开来源：标题、发布机构、日期、网址"))
    solver_eligibility = models.TextField(_("揭榜方资格条件"), blank=True)
    solver_region = models.CharField(_("揭榜方地区要求"), max_length=64, blank=True,
                                     help_text=_("留空为不限地区"))
    #: GB/T 13745-2009 codes of the disciplines the listing asks for
    disciplines = models.JSONField(_("所需学科"), default=list, blank=True)
    solver_types = models.JSONField(_("倾向的揭榜方类型"), default=list, blank=True)
    trl_min = models.PositiveSmallIntegerField(
        _("最低技术成熟度（TRL）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)])
    #: the highest TRL the listing asks for ("TRL 4–6"); with ``trl_min`` a range (ADR 0365)
    trl_max = models.PositiveSmallIntegerField(
        _("最高技术成熟度（TRL）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)])
    #: screening checks the organizer waived, with the reason: {code: {reason, by, by_name,
    #: at, value}} (decision 0351); the audit trail has each waiver too
    screening_waivers = models.JSONField(_("筛查豁免"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   null=True, on_delete=models.SET_NULL,
                                   related_name="challenges_created")
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)

    state = models.CharField(_("状态"), max_length=16, choices=ChallengeState.choices,
                             default=ChallengeState.DRAFT, db_index=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("张榜时间"), null=True, blank=True, db_index=True)
    matched_at = models.DateTimeField(_("对接成功时间"), null=True, blank=True)
    matched_proposal = models.OneToOneField("Proposal", verbose_name=_("对接方案"), null=True,
                                            blank=True, on_delete=models.SET_NULL,
                                            related_name="+")
    contract_amount = models.DecimalField(_("合同金额（元）"), max_digits=14, decimal_places=2,
                                          null=True, blank=True)
    contract_start = models.DateField(_("合同开始日期"), null=True, blank=True)
    contracted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: Open claims (proposals submitted or shortlisted); kept by the services under a row lock.
    open_claims = models.PositiveSmallIntegerField(_("有效揭榜数"), default=0)
    #: Title, keywords, indicator names and statement, normalized and lower-case; the board
    #: search falls back to substring matching on it for words outside the term index
    #: (``ChallengeTerm``; decision 0310).
    search_text = models.TextField(blank=True, editable=False)
    #: True while the state is one of ``PUBLIC_STATES``: the board filters on one indexed value
    #: and reads its newest rows straight from the index (decision 0310).
    on_board = models.BooleanField(default=False, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("榜单")
        verbose_name_plural = _("榜单")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-published_at", "-id"], name="chal_board"),
            models.Index(fields=["on_board", "-published_at", "-id"], name="chal_on_board"),
            models.Index(fields=["on_board", "domain", "-published_at", "-id"],
                         name="chal_board_domain"),
            models.Index(fields=["enterprise", "state"], name="chal_enterprise"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit_months__isnull=True)
                | models.Q(time_limit_months__lte=HARD_TIME_LIMIT_MONTHS),
                name="chal_time_limit_hard_max"),
            models.CheckConstraint(condition=models.Q(enterprise__isnull=False)
                                   | models.Q(institution__isnull=False)
                                   | models.Q(issuer__isnull=False),
                                   name="chal_has_issuer"),
            models.CheckConstraint(
                condition=models.Q(funding_max__isnull=True) | models.Q(funding__isnull=True)
                | models.Q(funding_max__gte=models.F("funding")),
                name="chal_funding_range_ordered"),
            models.CheckConstraint(
                condition=(models.Q(trl_min__isnull=True)
                           | models.Q(trl_min__gte=1, trl_min__lte=9))
                & (models.Q(trl_max__isnull=True) | models.Q(trl_max__gte=1, trl_max__lte=9)),
                name="chal_trl_bounds"),
            models.CheckConstraint(
                condition=models.Q(trl_min__isnull=True) | models.Q(trl_max__isnull=True)
                | models.Q(trl_max__gte=models.F("trl_min")),
                name="chal_trl_range_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        if self.institution_id:
            return self.institution.name
        return self.issuer.name if self.issuer_id else ""

    @property
    def issuer_kind_label(self) -> str:
        if self.enterprise_id:
            return str(_("本地企业"))
        if self.institution_id:
            return self.institution.get_kind_display()
        return self.issuer.get_kind_display() if self.issuer_id else ""

    @property
    def issuer_region(self) -> str:
        if self.enterprise_id:
            return "福建省泉州市晋江市"
        if self.institution_id:
            return (self.institution.province + self.institution.city)
        return self.issuer.region if self.issuer_id else ""

    @property
    def places_left(self) -> int:
        """Places a researcher can still claim: none once the challenge takes no more claims
        (入围 and later), whatever was left unclaimed."""
        if self.state not in CLAIMABLE_STATES:
            return 0
        return max(0, self.max_claims - self.open_claims)


class ChallengeTerm(models.Model):
    """The term index of the board search: one row per distinct word of a challenge's text
    (rjieba search-mode words plus the two-character pieces of longer Chinese words)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=24)

    class Meta:
        verbose_name = _("榜单检索词")
        verbose_name_plural = _("榜单检索词")
        constraints = [models.UniqueConstraint(fields=["term", "challenge"],
                                               name="chal_term_unique")]

    def __str__(self) -> str:
        return self.term


class IndicatorTarget(models.Model):
    """One technical indicator: "介电常数 ≤ 2.8 (10 GHz), 测试方法 GB/T 12636", a range
    ("使用温度 30℃至120℃"), or a qualitative target kept as text ("耐磨性能：优于进口同类产品").
    ``raw_text`` keeps the target as the listing wrote it; ``needs_review`` marks a target whose
    number could not be read unambiguously: it is stored as text and shown to the organizer at
    screening, never as a guessed number (decision 0350)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("指标名称"), max_length=120)
    comparator = models.CharField(_("比较方式"), max_length=8, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=24, decimal_places=9, null=True,
                                blank=True)
    value_max = models.DecimalField(_("上限值"), max_digits=24, decimal_places=9, null=True,
                                    blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    test_method = models.CharField(_("测试方法"), max_length=200, blank=True)
    raw_text = models.CharField(_("原文"), max_length=300, blank=True)
    needs_review = models.BooleanField(_("待组织方核对"), default=False)

    class Meta:
        verbose_name = _("技术指标")
        verbose_name_plural = _("技术指标")
        ordering = ["challenge", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.display_target}"

    @property
    def display_target(self) -> str:
        def fmt(v: Decimal) -> str:
            text = format(v.normalize(), "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text
        if self.comparator == Comparator.TEXT or self.value is None:
            return self.raw_text
        unit = f" {self.unit}" if self.unit else ""
        if self.comparator == Comparator.RANGE:
            return f"{fmt(self.value)}–{fmt(self.value_max)}{unit}"
        return f"{self.get_comparator_display()} {fmt(self.value)}{unit}"

    @property
    def is_text(self) -> bool:
        return self.comparator == Comparator.TEXT


class ResearcherProfile(models.Model):
    """A postdoctoral researcher or a team, edited by its own user (imported rows may have none
    until the person signs in)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("博士后个人")
        TEAM = "team", _("科研团队")

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("可承接新项目")
        PARTIAL = "partial", _("可部分投入")
        UNAVAILABLE = "unavailable", _("暂不承接")

    class StationKind(models.TextChoices):
        STATION = "station", _("博士后科研流动站")
        WORKSTATION = "workstation", _("博士后科研工作站")
        NONE = "none", _("无")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="researcher_profile")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices,
                            default=Kind.INDIVIDUAL)
    name = models.CharField(_("姓名或团队名称"), max_length=100)
    email = models.EmailField(_("邮箱"), blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    title = models.CharField(_("职称"), max_length=32, blank=True)
    #: For a team: [{"name": "…", "title": "…", "role": "…"}]
    members = models.JSONField(_("团队成员"), default=list, blank=True)
    institution = models.ForeignKey("accounts.Institution", verbose_name=_("所属机构"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="researchers")
    region = models.CharField(_("所在地区"), max_length=64, blank=True,
                              help_text=_("省市；留空时取所属机构所在地"))
    station_kind = models.CharField(_("站点类型"), max_length=16, choices=StationKind.choices,
                                    default=StationKind.STATION)
    station = models.CharField(_("博士后流动站/工作站"), max_length=120, blank=True)
    discipline = models.CharField(_("学科"), max_length=100, blank=True)
    #: GB/T 13745-2009 codes (first the main one); found from ``discipline`` and the fields by
    #: the code table's fuzzy matching, corrected by the organizer. Empty: not mapped, which
    #: the matcher treats as neutral (decision 0353).
    discipline_codes = models.JSONField(_("学科代码（GB/T 13745）"), default=list, blank=True)
    research_fields = models.CharField(_("研究方向"), max_length=500)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    achievements = models.TextField(_("代表性成果"), blank=True)
    availability = models.CharField(_("可投入情况"), max_length=16,
                                    choices=Availability.choices, default=Availability.AVAILABLE)
    domains = models.JSONField(_("关注领域"), default=list, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("代表成果技术成熟度（TRL）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)])
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("科研人员/团队")
        verbose_name_plural = _("科研人员/团队")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~models.Q(email=""),
                                    name="researcher_email_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_text(self) -> str:
        if self.region:
            return self.region
        inst = self.institution
        return (inst.province + inst.city) if inst else ""


class ImportColumnMapping(models.Model):
    """A column header an organizer matched to a field once; later files with the same header
    are read the same way (decision 0355)."""

    class Kind(models.TextChoices):
        LISTINGS = "listings", _("榜单")
        RESEARCHERS = "researchers", _("科研人员名册")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    header = models.CharField(_("表头"), max_length=120)
    field = models.CharField(_("对应字段"), max_length=40)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [models.UniqueConstraint(fields=["kind", "header"],
                                               name="import_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.header} → {self.field}"


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("已揭榜")
    SHORTLISTED = "shortlisted", _("入围")
    MATCHED = "matched", _("对接成功")
    NOT_SELECTED = "not_selected", _("未入选")
    WITHDRAWN = "withdrawn", _("已撤回")


#: Proposal states that hold one of the challenge's places.
OPEN_PROPOSAL_STATES = (ProposalState.SUBMITTED, ProposalState.SHORTLISTED)


class Proposal(models.Model):
    """A claim (揭榜) of a challenge by a researcher or team."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="proposals")
    researcher = models.ForeignKey(ResearcherProfile, on_delete=models.PROTECT,
                                   related_name="proposals")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="proposals")
    approach = models.TextField(_("技术路线"))
    team = models.TextField(_("团队组成"), blank=True)
    budget = models.DecimalField(_("经费预算（元）"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    plan = models.TextField(_("实施计划"))
    #: [{"title": "…", "month": 6, "deliverable": "…"}], months from the start, ascending
    milestones = models.JSONField(_("阶段节点"), default=list, blank=True)
    prior_results = models.TextField(_("前期成果"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=ProposalState.choices,
                             default=ProposalState.SUBMITTED, db_index=True)
    staff_note = models.TextField(_("组织方备注"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("揭榜方案")
        verbose_name_plural = _("揭榜方案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "researcher"],
                condition=models.Q(state__in=["submitted", "shortlisted", "matched"]),
                name="proposal_one_open_per_researcher"),
        ]

    def __str__(self) -> str:
        return f"{self.researcher} → {self.challenge}"


class Milestone(models.Model):
    """A contracted milestone of a matched challenge (节点), checked off towards acceptance."""

    class State(models.TextChoices):
        PENDING = "pending", _("未完成")
        DONE = "done", _("已完成")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("节点名称"), max_length=120)
    due_on = models.DateField(_("计划完成日期"))
    payment = models.DecimalField(_("节点拨付（元）"), max_digits=14, decimal_places=2,
                                  default=Decimal("0"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices,
                             default=State.PENDING)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("完成说明"), blank=True)

    class Meta:
        verbose_name = _("合同节点")
        verbose_name_plural = _("合同节点")
        ordering = ["challenge", "position", "id"]

    def __str__(self) -> str:
        return self.title


class OfferState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已成交/关闭")


class TechnologyOffer(models.Model):
    """拟转化对接项目: a research result offered for transfer by a researcher or institution."""

    class IpStatus(models.TextChoices):
        PATENT_GRANTED = "patent_granted", _("已授权发明专利")
        PATENT_PENDING = "patent_pending", _("专利申请中")
        UTILITY = "utility", _("实用新型专利")
        SOFTWARE = "software", _("软件著作权")
        KNOW_HOW = "know_how", _("技术秘密")
        NONE = "none", _("暂无知识产权")

    class Mode(models.TextChoices):
        TRANSFER = "transfer", _("技术转让")
        LICENCE = "licence", _("许可使用")
        JOINT = "joint", _("合作开发")
        EQUITY = "equity", _("作价入股")
        SERVICE = "service", _("技术服务")

    title = models.CharField(_("成果名称"), max_length=120)
    domain = models.CharField(_("领域"), max_length=16, choices=Domain.choices, db_index=True)
    summary = models.TextField(_("成果简介"))
    trl = models.PositiveSmallIntegerField(
        _("技术成熟度（TRL）"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    applications = models.TextField(_("应用场景"))
    ip_status = models.CharField(_("知识产权状态"), max_length=16, choices=IpStatus.choices)
    ip_notes = models.CharField(_("知识产权说明"), max_length=300, blank=True)
    cooperation_mode = models.CharField(_("合作方式"), max_length=16, choices=Mode.choices)
    asking_terms = models.TextField(_("转化条件"), blank=True)
    asking_price = models.DecimalField(_("意向价格（元）"), max_digits=14, decimal_places=2,
                                       null=True, blank=True,
                                       validators=[MinValueValidator(Decimal("0"))])
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    researcher = models.ForeignKey(ResearcherProfile, verbose_name=_("成果持有人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="offers")
    institution = models.ForeignKey("accounts.Institution", verbose_name=_("所属机构"),
                                    on_delete=models.PROTECT, related_name="offers")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="offers_created")
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    state = models.CharField(_("状态"), max_length=16, choices=OfferState.choices,
                             default=OfferState.DRAFT, db_index=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    search_text = models.TextField(blank=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("拟转化成果")
        verbose_name_plural = _("拟转化成果")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "-published_at", "-id"], name="offer_board")]

    def __str__(self) -> str:
        return self.title


class OfferInterest(models.Model):
    """An enterprise's interest in an offer; it opens a conversation between the two sides."""

    class State(models.TextChoices):
        OPEN = "open", _("洽谈中")
        CLOSED = "closed", _("已结束")

    offer = models.ForeignKey(TechnologyOffer, on_delete=models.PROTECT, related_name="interests")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="offer_interests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合作意向")
        verbose_name_plural = _("合作意向")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offer", "enterprise"],
                                               name="interest_one_per_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise} ↔ {self.offer}"


class ConversationMessage(models.Model):
    interest = models.ForeignKey(OfferInterest, on_delete=models.CASCADE,
                                 related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("洽谈消息")
        verbose_name_plural = _("洽谈消息")

    def __str__(self) -> str:
        return self.body[:40]


def _attachment_path(instance, filename: str) -> str:
    """Random, so a stored file's path says nothing and cannot be guessed (core.files)."""
    from innolink.core.files import unguessable_name

    return unguessable_name("challenges/attachments", filename)


class Attachment(models.Model):
    """A file attached to a challenge, a proposal or an offer (type and size checked by
    ``services.attachment_add``)."""

    class Kind(models.TextChoices):
        SPEC = "spec", _("技术说明")
        DRAWING = "drawing", _("图纸/图片")
        REPORT = "report", _("检测报告")
        PROPOSAL = "proposal", _("方案文本")
        IP = "ip", _("知识产权证明")
        OTHER = "other", _("其他")

    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="attachments")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    offer = models.ForeignKey(TechnologyOffer, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="attachments")
    kind = models.CharField(_("附件类型"), max_length=16, choices=Kind.choices,
                            default=Kind.OTHER)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(challenge__isnull=False, proposal__isnull=True, offer__isnull=True)
                       | models.Q(challenge__isnull=True, proposal__isnull=False,
                                  offer__isnull=True)
                       | models.Q(challenge__isnull=True, proposal__isnull=True,
                                  offer__isnull=False)),
            name="attachment_one_owner")]

    def __str__(self) -> str:
        return self.original_name
