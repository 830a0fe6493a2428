"""What each role sees in the navigation: only what it can use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.accounts.roles import (
    REGISTRY_IMPORTERS,
    REGISTRY_READERS,
    Role,
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, url name, roles that see it; None = every signed-in user)
_ITEMS = [
    (_("工作台"), "dashboard:workspace", None),
    (_("企业库"), "enterprises:list", REGISTRY_READERS),
    (_("我的企业"), "enterprises:mine", frozenset({Role.ENTERPRISE})),
    (_("批量导入"), "enterprises:import", REGISTRY_IMPORTERS),
    (_("后台任务"), "core:jobs", REGISTRY_IMPORTERS),
    (_("API 文档"), "api-1.0.0:openapi-view", None),
]


def navigation_for(user, path: str) -> list[NavItem]:
    if not (user and user.is_authenticated):
        return []
    items = []
    for label, name, roles in _ITEMS:
        if roles is not None and user.role not in roles:
            continue
        url = reverse(name)
        active = path == url or (url != "/" and path.startswith(url) and name != "dashboard:workspace")
        items.append(NavItem(str(label), url, active))
    return items
