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

MAX_TIME_LIMIT_MONTHS = 36


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
    NEGOTIABLE = "negotiable", _("协商确定")


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


class Challenge(models.Model):
    title = models.CharField(_("榜单名称"), max_length=120)
    domain = models.CharField(_("领域"), max_length=16, choices=Domain.choices, db_index=True)
    statement = models.TextField(_("技术难题描述"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True,
                                help_text=_("以逗号或空格分隔"))
    funding = models.DecimalField(_("资金投入（元）"), max_digits=14, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0"))])
    payment_terms = models.TextField(_("支付方式与节点"), blank=True)
    time_limit_months = models.PositiveSmallIntegerField(
        _("时限要求（月）"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MONTHS)])
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
            models.CheckConstraint(condition=models.Q(time_limit_months__lte=MAX_TIME_LIMIT_MONTHS),
                                   name="chal_time_limit_max"),
            models.CheckConstraint(condition=models.Q(enterprise__isnull=False)
                                   | models.Q(institution__isnull=False),
                                   name="chal_has_poster"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        return self.institution.name if self.institution_id else ""

    @property
    def places_left(self) -> int:
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
    """One structured technical indicator: "介电常数 ≤ 2.8 (10 GHz), 测试方法 GB/T 12636"."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("指标名称"), max_length=80)
    comparator = models.CharField(_("比较方式"), max_length=8, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=6)
    value_max = models.DecimalField(_("上限值"), max_digits=18, decimal_places=6, null=True,
                                    blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    test_method = models.CharField(_("测试方法"), max_length=200, blank=True)

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
            return text
        unit = f" {self.unit}" if self.unit else ""
        if self.comparator == Comparator.RANGE:
            return f"{fmt(self.value)}–{fmt(self.value_max)}{unit}"
        return f"{self.get_comparator_display()} {fmt(self.value)}{unit}"


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
                                    on_delete=models.PROTECT, related_name="researchers")
    station_kind = models.CharField(_("站点类型"), max_length=16, choices=StationKind.choices,
                                    default=StationKind.STATION)
    station = models.CharField(_("博士后流动站/工作站"), max_length=120, blank=True)
    discipline = models.CharField(_("学科"), max_length=60)
    research_fields = models.CharField(_("研究方向"), max_length=300)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    achievements = models.TextField(_("代表性成果"), blank=True)
    availability = models.CharField(_("可投入情况"), max_length=16,
                                    choices=Availability.choices, default=Availability.AVAILABLE)
    domains = models.JSONField(_("关注领域"), default=list, blank=True)
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
