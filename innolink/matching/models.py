"""精准匹配: the staff term dictionary, stored embeddings, the index generation counter and
assignment runs. The engine itself lives in ``innolink/engines/matching`` (no Django)."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TechTerm(models.Model):
    """A technical term the tokenizer keeps whole (e.g. 超临界发泡, BCB光敏介质)."""

    term = models.CharField(_("技术术语"), max_length=60, unique=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("添加人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("技术术语")
        verbose_name_plural = _("技术术语")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class StoredEmbedding(models.Model):
    """The dense vector of one profile's text under one model, computed once by the encode job.

    ``text_hash`` (SHA-1 of the text that was encoded) tells the job which rows are stale."""

    class Kind(models.TextChoices):
        RESEARCHER = "researcher", _("科研人员")
        CHALLENGE = "challenge", _("榜单")
        ENTERPRISE = "enterprise", _("企业")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    model = models.CharField(max_length=200)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()  # float32, little-endian, ``dim`` values
    text_hash = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("向量")
        verbose_name_plural = _("向量")
        constraints = [models.UniqueConstraint(fields=["kind", "model", "object_id"],
                                               name="embedding_one_per_object")]

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype="<f4")


class MatchIndexState(models.Model):
    """One row (pk=1). ``generation`` is bumped by a full rebuild or a term-dictionary change;
    every process rebuilds its in-memory engine when it sees a new generation."""

    generation = models.PositiveIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("匹配索引状态")
        verbose_name_plural = _("匹配索引状态")

    def __str__(self) -> str:
        return f"generation {self.generation}"


class AssignmentRun(models.Model):
    """One capacity-aware invitation run: its parameters, seed and result, kept for audit."""

    class Status(models.TextChoices):
        OPTIMAL = "optimal", _("全部满足")
        PARTIAL = "partial", _("部分满足")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    challenge_ids = models.JSONField(_("榜单"), default=list)
    teams_per_challenge = models.PositiveSmallIntegerField(_("每个榜单邀请团队数"))
    researcher_limit = models.PositiveSmallIntegerField(_("每位科研人员同时承接上限"))
    seed = models.PositiveIntegerField(_("随机种子"))
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices)
    total_score = models.FloatField(_("总匹配度"), default=0.0)
    #: [{"challenge_id", "researcher_id", "score"}] sorted by challenge, then score
    pairs = models.JSONField(default=list)
    #: [{"challenge_id", "missing", "reason"}]
    unmet = models.JSONField(default=list)
    #: [{"challenge_id", "researcher_id", "reason"}]: conflicts never assigned
    refused = models.JSONField(default=list)
    #: feasibility problems found before solving: [{"code", "challenge_id", "message"}]
    problems = models.JSONField(default=list)

    class Meta:
        verbose_name = _("邀请分配")
        verbose_name_plural = _("邀请分配")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"分配 #{self.pk}"
