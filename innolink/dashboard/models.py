"""Aggregates behind the leaders' overview (decision 0500).

``Tally`` holds additive figures (a count and an amount) at one point of their dimensions: a
metric (``policy.payment``), a key inside it (a policy id, a state, a kind), a town and a
period (``2026-11`` for a month, ``2026`` for a year, ``""`` for none). Services add to it in
their own transaction (``tallies.tally_add`` / ``tallies.tally_set_object``), and the refresh
job folds in what other apps wrote since its cursor. The overview reads only these rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tally(models.Model):
    metric = models.CharField(max_length=48)
    key = models.CharField(max_length=48, blank=True, default="")
    town = models.CharField(max_length=16, blank=True, default="")
    period = models.CharField(max_length=7, blank=True, default="")
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))

    class Meta:
        verbose_name = _("汇总数据")
        verbose_name_plural = _("汇总数据")
        constraints = [models.UniqueConstraint(fields=["metric", "key", "town", "period"],
                                               name="tally_point")]
        indexes = [models.Index(fields=["metric", "period"], name="tally_metric_period")]

    def __str__(self) -> str:
        return f"{self.metric}[{self.key}|{self.town}|{self.period}] {self.count} {self.amount}"


class TallyContribution(models.Model):
    """What one source record currently adds to ``Tally``, so a change replaces it exactly
    (subtract the old rows, add the new ones) without a recount."""

    source = models.CharField(max_length=32)
    object_id = models.CharField(max_length=40)
    metric = models.CharField(max_length=48)
    key = models.CharField(max_length=48, blank=True, default="")
    town = models.CharField(max_length=16, blank=True, default="")
    period = models.CharField(max_length=7, blank=True, default="")
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))

    class Meta:
        verbose_name = _("汇总贡献")
        verbose_name_plural = _("汇总贡献")
        indexes = [models.Index(fields=["source", "object_id"], name="tally_contrib_object")]


class TallyCursor(models.Model):
    """How far the refresh job has folded in a source: an id, a timestamp or a fingerprint."""

    name = models.CharField(max_length=48, unique=True)
    position = models.CharField(max_length=64, blank=True, default="")
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.name}={self.position}"


class FigureSnapshot(models.Model):
    """Each overview figure's value once a day, so the weekly brief can say what moved."""

    taken_on = models.DateField(db_index=True)
    key = models.CharField(max_length=64)
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True)

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [models.UniqueConstraint(fields=["taken_on", "key"],
                                               name="figure_snapshot_once")]


class Brief(models.Model):
    """A generated weekly 调度 brief (PDF and Excel), kept for download."""

    week_start = models.DateField(_("周起始日"))
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    scheduled = models.BooleanField(_("定时生成"), default=False)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("调度简报")
        verbose_name_plural = _("调度简报")
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.week_start} 调度简报"
