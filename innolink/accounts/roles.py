"""The platform's roles and what each may do. Views and APIs ask these functions, never the raw
role string, so a rule lives in one place."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业用户")
    RESEARCHER = "researcher", _("科研人员")
    ORGANIZER = "organizer", _("组织方工作人员")
    POLICY_OFFICER = "policy_officer", _("政策专员")
    DEPT_HANDLER = "dept_handler", _("部门经办人")
    REVIEWER = "reviewer", _("评审专家")
    ADMIN = "admin", _("系统管理员")
    LEADER = "leader", _("市领导")
    COORDINATOR = "coordinator", _("诉求协调员")
    CADRE = "cadre", _("挂钩干部")
    PROVIDER = "provider", _("服务商")
    METEOROLOGIST = "meteorologist", _("气象服务人员")


STAFF_ROLES = frozenset({Role.ORGANIZER, Role.POLICY_OFFICER, Role.DEPT_HANDLER, Role.ADMIN})
REGISTRY_READERS = frozenset({Role.ORGANIZER, Role.POLICY_OFFICER, Role.ADMIN})
REGISTRY_IMPORTERS = frozenset({Role.ORGANIZER, Role.ADMIN})
#: define qualification types, item kinds and indicators; record and import certifications and items
FACT_EDITORS = frozenset({Role.ORGANIZER, Role.POLICY_OFFICER, Role.ADMIN})


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def can_read_registry(user) -> bool:
    """Staff who read every enterprise; an enterprise user reads only its own (see selectors)."""
    return has_role(user, *REGISTRY_READERS)


def can_import_registry(user) -> bool:
    return has_role(user, *REGISTRY_IMPORTERS)


def can_edit_facts(user) -> bool:
    return has_role(user, *FACT_EDITORS)


def can_see_audit(user) -> bool:
    return has_role(user, *STAFF_ROLES)
