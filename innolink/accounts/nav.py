from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry
from innolink.accounts.roles import Role

NAV_ITEMS = [
    NavEntry(_("API 令牌"), "accounts:tokens", None, order=97, group="system"),
    NavEntry(_("管理后台"), "admin:index", frozenset({Role.ADMIN}), order=98, group="system"),
]
