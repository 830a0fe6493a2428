from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.accounts.roles import Role


class Institution(models.Model):
    """A research organization: university, institute, postdoctoral station or workstation."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("高等院校")
        INSTITUTE = "institute", _("科研院所")
        POSTDOC_STATION = "postdoc_station", _("博士后科研流动站")
        POSTDOC_WORKSTATION = "postdoc_workstation", _("博士后科研工作站")
        ENTERPRISE_LAB = "enterprise_lab", _("企业研发机构")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    province = models.CharField(_("省份"), max_length=32, blank=True)
    city = models.CharField(_("城市"), max_length=64, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department that handles enterprise requests (a handler's scope)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="users")
    institution = models.ForeignKey(Institution, verbose_name=_("所属机构"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="users")
    department = models.ForeignKey(Department, verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            raise ValidationError({"enterprise": _("企业用户必须属于一家企业")})
        if self.role == Role.DEPT_HANDLER and not self.department_id:
            raise ValidationError({"department": _("部门经办人必须属于一个部门")})
        if self.role in (Role.CADRE, Role.METEOROLOGIST) and not self.department_id:
            raise ValidationError({"department": _("挂钩干部和气象服务人员必须属于一个部门")})
        if self.role in (Role.RESEARCHER, Role.REVIEWER) and not self.institution_id:
            raise ValidationError({"institution": _("科研人员和评审专家必须填写所属机构")})


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    #: the token is refused from this moment on (none: until revoked)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_usable(self, now=None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return str(_("已撤销"))
        return str(_("有效")) if self.is_usable() else str(_("已过期"))

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "il_" + secrets.token_urlsafe(32)
