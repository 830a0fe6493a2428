"""Platform-wide records: the audit trail and background jobs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


AUDIT_SOURCES = {"web": _("网页"), "api": _("接口"), "admin": _("管理后台"), "import": _("导入"),
                 "demo": _("演示数据"), "system": _("系统"), "job": _("后台任务"),
                 "command": _("命令行"), "schedule": _("定时任务"), "public": _("公开页面"),
                 "push": _("推送接口"), "folder": _("监视文件夹"), "compute": _("算力平台"),
                 "hand": _("人工录入"), "declaration": _("企业申报"), "scan": _("政策扫描"),
                 "cap": _("预警报文")}


def _plain_value(value) -> str:
    """A changed value as a person reads it: ``—`` for nothing, lists joined with 、."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(_plain_value(v) for v in value) or "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain_value(v)}" for k, v in value.items())
    return str(value)


class AuditEntry(models.Model):
    """One create, change, delete or state transition of a business record.

    Written only by ``innolink.core.audit``; never edited or deleted through the platform
    (``save`` refuses updates and ``delete`` refuses always).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("状态变更")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    #: who the actor was when acting, kept when the user is renamed, changes role or is deleted
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    actor_role = models.CharField(_("操作人角色"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    model = models.CharField(_("记录类型"), max_length=64)  # "enterprises.enterprise"
    object_id = models.CharField(_("记录编号"), max_length=64)
    object_repr = models.CharField(_("记录"), max_length=200)
    changes = models.JSONField(_("变更字段"), default=dict)  # {field: [old, new]}
    note = models.CharField(_("说明"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=64, blank=True)  # "web", "api", "import:<id>"

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "-at"]),
                   # the latest changes of one kind of record (a workspace's 最近变更)
                   models.Index(fields=["model", "-at", "-id"], name="core_audit_model_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def actor_label(self) -> str:
        """Who acted, as they were then ("系统" for the platform itself)."""
        if self.actor_name or self.actor_username:
            return self.actor_name or self.actor_username
        return str(self.actor) if self.actor_id else str(_("系统"))

    @property
    def actor_role_label(self) -> str:
        from innolink.accounts.roles import Role

        return str(Role(self.actor_role).label) if self.actor_role in Role.values else \
            self.actor_role

    @property
    def source_label(self) -> str:
        """Where the change came from, in words (``import:12`` is 导入 #12)."""
        kind, _sep, ref = self.source.partition(":")
        label = AUDIT_SOURCES.get(kind)
        if label is None:
            return self.source
        return f"{label} #{ref}" if ref else str(label)

    @property
    def model_label(self) -> str:
        """The kind of record, by its model's name ("企业"), not its key."""
        from django.apps import apps

        try:
            return str(apps.get_model(self.model)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.model

    @property
    def changes_labelled(self) -> list[tuple[str, str, str]]:
        """``(field name, old, new)`` with the fields' own names and lists written out."""
        from django.apps import apps

        try:
            meta = apps.get_model(self.model)._meta
        except (LookupError, ValueError):
            meta = None
        rows = []
        for field, pair in (self.changes or {}).items():
            try:
                name = str(meta.get_field(field).verbose_name) if meta else field
            except Exception:  # a key that is not a model field (a computed figure)
                name = field
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else \
                (None, pair)
            rows.append((name, _plain_value(old), _plain_value(new)))
        return rows

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries cannot be deleted")


class Job(models.Model):
    """A long-running piece of background work with progress that pages and the CLI show."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    # The title is a msgid with values too (``title_text``), like the progress message.
    title = models.CharField(_("名称"), max_length=200)
    title_params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    # The progress message is stored as a msgid (Chinese source text with ``%(name)s``
    # placeholders) and its parameters, and rendered in the reader's language
    # (``message_text``); see ``innolink.core.jobs.message_render`` and ADR 0730.
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title_text} ({self.get_status_display()})"

    @property
    def title_text(self) -> str:
        """The title in the active language."""
        from innolink.core.messages import message_render

        return message_render(self.title, self.title_params)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def message_text(self) -> str:
        """The progress message in the active language."""
        from innolink.core.messages import message_render

        return message_render(self.message, self.message_params)


class Notification(models.Model):
    """An in-platform message to one user. Other channels (email, SMS) are plugged in through
    ``settings.INNOLINK_NOTIFICATION_CHANNELS`` (see ``innolink.core.notifications``).

    The message is stored as msgids with values (``title_msgid``/``title_params``,
    ``body_msgid``/``body_params``)
    plus a person's own words (``note``), and worded in the reader's language by
    ``title_text`` / ``body_text`` (ADR 0790). ``title`` and ``body`` keep the text in the
    platform's language for search; a row from before ADR 0790 has only them."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    title_msgid = models.CharField(max_length=200, blank=True)
    title_params = models.JSONField(default=dict, blank=True)
    body_msgid = models.TextField(blank=True)
    body_params = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("附言"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    kind = models.CharField(_("类别"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the active language (a row from before ADR 0790: as stored)."""
        if not self.title_msgid:
            return self.title
        from innolink.core.messages import message_render

        return message_render(self.title_msgid, self.title_params)

    @property
    def body_text(self) -> str:
        """The body in the active language, then the sender's note as written."""
        if not self.title_msgid:
            return self.body
        from innolink.core.messages import message_render

        return "\n".join(filter(None, [message_render(self.body_msgid, self.body_params),
                                        self.note]))


class RateCount(models.Model):
    """How many times one client did one thing to one target in one time window
    (``core.throttle``); kept in the database so every web process counts together."""

    scope = models.CharField(_("类别"), max_length=64)
    key = models.CharField(max_length=64)  # sha256 of scope, client address and target
    window_start = models.DateTimeField(_("时段开始"))
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("访问频率计数")
        verbose_name_plural = _("访问频率计数")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"],
                                               name="rate_count_unique")]
        indexes = [models.Index(fields=["scope", "window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} ×{self.count}"
