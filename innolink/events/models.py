"""Matchmaking events (交流对接活动) and the expert-judged competition (揭榜领题赛).

Events: an ``Event`` has ``EventSlot``s and ``EventRoom``s; the organizer invites pairs
(``Invitation``: a shortlisted proposal's poster and researcher, or an enterprise and a technology
offer it is interested in); scheduling gives each invitation a ``Meeting`` (slot, room), or a
reason it could not be placed.

Judging: a ``JudgingRound`` with a rubric (``Criterion``), entries (``RoundEntry`` = a proposal),
reviewers (``RoundReviewer``, each with a load limit), ``ReviewAssignment``s made by the
min-cost-flow assignment (conflicts of interest never assigned), ``Score``s per criterion, the
frozen ranked result (``ResultRow``) and ``Award``s.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.core.messages import stored_reason

# ------------------------------------------------------------------------------- events


class EventState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    SCHEDULED = "scheduled", _("已排程")
    PUBLISHED = "published", _("日程已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Event(models.Model):
    title = models.CharField(_("活动名称"), max_length=120)
    date = models.DateField(_("活动日期"))
    venue = models.CharField(_("地点"), max_length=200)
    description = models.TextField(_("活动说明"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=EventState.choices,
                             default=EventState.DRAFT, db_index=True)
    scheduled_at = models.DateTimeField(_("排程时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("日程发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class EventSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("洽谈时段")
        verbose_name_plural = _("洽谈时段")
        ordering = ["event", "starts_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="event_slot_positive")]

    def __str__(self) -> str:
        from django.utils import timezone

        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"


class EventRoom(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("会议室"), max_length=60)

    class Meta:
        verbose_name = _("会议室")
        verbose_name_plural = _("会议室")
        ordering = ["event", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"],
                                               name="event_room_name_unique")]

    def __str__(self) -> str:
        return self.name


class InvitationKind(models.TextChoices):
    PROPOSAL = "proposal", _("榜单 ↔ 揭榜方")
    OFFER = "offer", _("企业 ↔ 拟转化成果")


class InvitationState(models.TextChoices):
    INVITED = "invited", _("已邀请")
    CANCELLED = "cancelled", _("已取消")


class Invitation(models.Model):
    """A pair the organizer wants to meet at the event. The two sides are stored explicitly
    (``host_*``: the enterprise or institution with the need; ``guest_*``: the researcher or
    the offering institution) so agendas and scheduling need no joins through the source."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(_("类型"), max_length=16, choices=InvitationKind.choices)
    proposal = models.ForeignKey("challenges.Proposal", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="event_invitations")
    offer_interest = models.ForeignKey("challenges.OfferInterest", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="event_invitations")
    host_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    host_institution = models.ForeignKey("accounts.Institution", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    #: an outside organisation that issued the listing (decision 0352): it meets in person,
    #: the organizer hands it its agenda
    host_issuer = models.ForeignKey("challenges.Issuer", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    guest_researcher = models.ForeignKey("challenges.ResearcherProfile", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    guest_institution = models.ForeignKey("accounts.Institution", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("洽谈主题"), max_length=200)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1–5，名额不足时优先安排数值高的洽谈"))
    state = models.CharField(_("状态"), max_length=16, choices=InvitationState.choices,
                             default=InvitationState.INVITED)
    unscheduled_reason = models.CharField(_("未排入原因"), max_length=300, blank=True)
    #: the reason's msgid and values (``{"msgid": …, "params": {…}}``), so it reads in the
    #: reader's language; empty for a reason stored before (shown as stored, ADR 0791)
    unscheduled_message = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("洽谈邀请")
        verbose_name_plural = _("洽谈邀请")
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "proposal"], name="invitation_proposal_once"),
            models.UniqueConstraint(fields=["event", "offer_interest"],
                                    name="invitation_interest_once"),
            models.CheckConstraint(condition=models.Q(host_enterprise__isnull=False)
                                   | models.Q(host_institution__isnull=False)
                                   | models.Q(host_issuer__isnull=False),
                                   name="invitation_has_host"),
            models.CheckConstraint(condition=models.Q(guest_researcher__isnull=False)
                                   | models.Q(guest_institution__isnull=False),
                                   name="invitation_has_guest"),
        ]

    def __str__(self) -> str:
        return f"{self.host_name} ↔ {self.guest_name}"

    @property
    def unscheduled_reason_text(self) -> str:
        """Why the pair was not placed, in the active language (ADR 0791)."""
        if not self.unscheduled_reason:
            return ""
        return stored_reason({"reason": self.unscheduled_reason, **(self.unscheduled_message or {})})

    @property
    def host_key(self) -> str:
        if self.host_enterprise_id:
            return f"e:{self.host_enterprise_id}"
        if self.host_institution_id:
            return f"i:{self.host_institution_id}"
        return f"o:{self.host_issuer_id}"

    @property
    def guest_key(self) -> str:
        return f"r:{self.guest_researcher_id}" if self.guest_researcher_id \
            else f"i:{self.guest_institution_id}"

    @property
    def host_name(self) -> str:
        return str(self.host_enterprise or self.host_institution or self.host_issuer or "")

    @property
    def guest_name(self) -> str:
        return str(self.guest_researcher or self.guest_institution or "")


class Unavailability(models.Model):
    """A slot in which a participant (``e:<id>``, ``i:<id>``, ``r:<id>``) cannot meet."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="unavailability")
    participant_key = models.CharField(max_length=32)
    slot = models.ForeignKey(EventSlot, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("不可参会时段")
        verbose_name_plural = _("不可参会时段")
        ordering = ["event", "participant_key", "slot__starts_at"]
        constraints = [models.UniqueConstraint(fields=["event", "participant_key", "slot"],
                                               name="unavailability_once")]

    def __str__(self) -> str:
        return f"{self.participant_key} {self.slot}"


class Meeting(models.Model):
    """A scheduled 1:1 meeting. The participant keys are copied here so the database itself
    refuses a double booking (one row per slot and participant) and a double-used room."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(EventSlot, on_delete=models.CASCADE, related_name="meetings")
    room = models.ForeignKey(EventRoom, on_delete=models.CASCADE, related_name="meetings")
    host_key = models.CharField(max_length=32)
    guest_key = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("洽谈安排")
        verbose_name_plural = _("洽谈安排")
        ordering = ["slot__starts_at", "room__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "room"], name="meeting_room_once"),
            models.UniqueConstraint(fields=["slot", "host_key"], name="meeting_host_once"),
            models.UniqueConstraint(fields=["slot", "guest_key"], name="meeting_guest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} {self.room} {self.invitation}"


# ------------------------------------------------------------------------------ judging


class ReviewerProfile(models.Model):
    """An expert reviewer's fields and affiliations beyond ``user.institution``: part-time
    institutions and stations, enterprises they serve (all are conflicts of interest)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reviewer_profile")
    title = models.CharField(_("职称"), max_length=32, blank=True)
    fields = models.JSONField(_("评审领域"), default=list, blank=True,
                              help_text=_("榜单领域代码列表"))
    keywords = models.CharField(_("专业关键词"), max_length=300, blank=True)
    station = models.CharField(_("所在博士后流动站/工作站"), max_length=120, blank=True)
    other_institutions = models.ManyToManyField("accounts.Institution", blank=True,
                                                related_name="+", verbose_name=_("兼职机构"))
    enterprises = models.ManyToManyField("enterprises.Enterprise", blank=True, related_name="+",
                                         verbose_name=_("任职或顾问企业"))
    default_max_load = models.PositiveSmallIntegerField(_("默认评审上限"), default=8)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("评审专家档案")
        verbose_name_plural = _("评审专家档案")

    def __str__(self) -> str:
        return str(self.user)


class DeclaredConflict(models.Model):
    """A conflict of interest the reviewer (or staff on their behalf) declared."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="declared_conflicts")
    proposal = models.ForeignKey("challenges.Proposal", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    researcher = models.ForeignKey("challenges.ResearcherProfile", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("回避理由"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        constraints = [models.CheckConstraint(
            condition=models.Q(proposal__isnull=False) | models.Q(researcher__isnull=False)
            | models.Q(enterprise__isnull=False), name="declared_conflict_has_target")]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.reason}"


class RoundState(models.TextChoices):
    DRAFT = "draft", _("准备中")
    SCORING = "scoring", _("评分中")
    FINALISED = "finalised", _("结果已确定")


class JudgingRound(models.Model):
    title = models.CharField(_("轮次名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    reviewers_per_entry = models.PositiveSmallIntegerField(
        _("每个方案的评审专家数"), default=3, validators=[MinValueValidator(1),
                                                      MaxValueValidator(15)])
    default_max_load = models.PositiveSmallIntegerField(
        _("每位专家评审上限"), default=8, validators=[MinValueValidator(1),
                                                    MaxValueValidator(200)])
    scoring_deadline = models.DateField(_("评分截止日期"), null=True, blank=True)
    #: the contest (or published list) whose listings this round judges; its rubric is the
    #: round's default rubric (decision 0352)
    programme = models.ForeignKey("challenges.Programme", verbose_name=_("评审的赛事/榜单批次"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="judging_rounds")
    state = models.CharField(_("状态"), max_length=16, choices=RoundState.choices,
                             default=RoundState.DRAFT, db_index=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("评分项"), max_length=60)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0.5"))])
    guidance = models.CharField(_("评分要点"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["round", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"],
                                               name="criterion_name_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}）"


class RoundEntry(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey("challenges.Proposal", on_delete=models.PROTECT,
                                 related_name="round_entries")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("参赛方案")
        verbose_name_plural = _("参赛方案")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "proposal"],
                                               name="round_entry_once")]

    def __str__(self) -> str:
        return str(self.proposal)


class RoundReviewer(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="round_memberships")
    max_load = models.PositiveSmallIntegerField(_("评审上限"),
                                                validators=[MaxValueValidator(200)])

    class Meta:
        verbose_name = _("轮次专家")
        verbose_name_plural = _("轮次专家")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "reviewer"],
                                               name="round_reviewer_once")]

    def __str__(self) -> str:
        return str(self.reviewer)


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("待评分")
    SUBMITTED = "submitted", _("已提交")


class ReviewAssignment(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="assignments")
    entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="review_assignments")
    affinity = models.FloatField(_("匹配度"), default=0.0)
    state = models.CharField(_("状态"), max_length=16, choices=AssignmentState.choices,
                             default=AssignmentState.ASSIGNED, db_index=True)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["round", "entry", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "reviewer"],
                                               name="assignment_once")]
        indexes = [models.Index(fields=["reviewer", "state"], name="assignment_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.entry}"


class Score(models.Model):
    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["assignment", "criterion__position"]
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"],
                                               name="score_once")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.points}"


class ResultRow(models.Model):
    """The frozen ranked result of a finalised round (normalisation: decision 0320)."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="results")
    entry = models.OneToOneField(RoundEntry, on_delete=models.CASCADE, related_name="result")
    rank = models.PositiveIntegerField(_("名次"), null=True)  # null: no scores
    score = models.DecimalField(_("标准化得分"), max_digits=7, decimal_places=2)
    raw_mean = models.DecimalField(_("原始平均分"), max_digits=7, decimal_places=2)
    reviews = models.PositiveSmallIntegerField(_("评审数"))
    tied_with = models.JSONField(_("并列"), default=list, blank=True)  # entry ids

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        ordering = ["round", models.F("rank").asc(nulls_last=True), "id"]


class AwardLevel(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优胜奖")


class Award(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="awards")
    entry = models.OneToOneField(RoundEntry, on_delete=models.PROTECT, related_name="award")
    level = models.CharField(_("奖项"), max_length=16, choices=AwardLevel.choices)
    prize = models.DecimalField(_("奖金（元）"), max_digits=14, decimal_places=2, null=True,
                                blank=True, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("说明"), max_length=300, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")
        ordering = ["round", "level", "id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.entry}"
