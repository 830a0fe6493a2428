"""Navigation and workspace panels, contributed by each app.

An app adds itself by defining ``nav.py`` with ``NAV_ITEMS`` (a list of ``NavEntry``) and,
optionally, ``workspace_panels(user) -> list[Panel]``. Each role sees only the entries whose
``roles`` include it (``None`` = every signed-in user; ``PUBLIC`` = also anonymous visitors).

Entries name one of the ``GROUPS`` (a staff member sees up to twenty entries; signed-in pages
show them in a side menu under these headings, anonymous pages as one row).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PUBLIC = "public"

#: side-menu headings, in menu order ("" = above every heading); never the same words as an
#: entry, so a heading and a link can always be told apart
GROUPS: dict[str, Any] = {
    "": "",
    "enterprises": _("企业服务"),
    "servicedesk": _("诉求办理"),
    "policies": _("政策兑现"),
    "innovation": _("科技创新"),
    "events": _("活动与评审"),
    "projects": _("签约项目"),
    "platforms": _("算力与气象"),
    "rankings": _("企业排名"),
    "system": _("系统"),
}


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str] | str | None = None
    order: int = 50
    group: str = ""

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"unknown navigation group {self.group!r}")


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: list[NavItem]


@dataclass(frozen=True)
class Panel:
    """A block on a role's workspace: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@cache
def _nav_modules() -> tuple[Any, ...]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("innolink."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.nav"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
    return tuple(modules)


def _entries() -> list[NavEntry]:
    entries = [e for module in _nav_modules() for e in getattr(module, "NAV_ITEMS", [])]
    return sorted(entries, key=lambda e: e.order)


def _visible(entry: NavEntry, user) -> bool:
    if entry.roles == PUBLIC:
        return True
    if not (user and user.is_authenticated):
        return False
    return entry.roles is None or user.role in entry.roles


def navigation_for(user, path: str) -> list[NavItem]:
    """The entries ``user`` may use; the one whose address is the longest prefix of ``path``
    is active (``/challenges/offers/`` highlights 成果 only, not 榜单 as well)."""
    entries = [(entry, reverse(entry.url_name)) for entry in _entries() if _visible(entry, user)]

    def matches(entry, url: str) -> bool:
        prefix = url != "/" and path.startswith(url) and entry.url_name != "dashboard:workspace"
        return prefix or path == url

    best = max((len(url) for entry, url in entries if matches(entry, url)), default=None)
    return [NavItem(str(entry.label), url, matches(entry, url) and len(url) == best, entry.group)
            for entry, url in entries]


def grouped(items: list[NavItem]) -> list[NavGroup]:
    """``items`` under their ``GROUPS`` headings, in heading order, empty groups left out."""
    return [NavGroup(str(label), [i for i in items if i.group == key])
            for key, label in GROUPS.items() if any(i.group == key for i in items)]


def workspace_panels_for(user) -> list[Panel]:
    panels: list[Panel] = []
    for module in _nav_modules():
        provider = getattr(module, "workspace_panels", None)
        if provider is not None:
            panels.extend(provider(user))
    return sorted(panels, key=lambda p: p.order)
