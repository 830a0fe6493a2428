from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry
from innolink.accounts.roles import Role

STAFF = frozenset({Role.ORGANIZER, Role.ADMIN})

NAV_ITEMS = [
    NavEntry(_("为我推荐"), "matching:researcher-me", frozenset({Role.RESEARCHER}),
             order=36, group="innovation"),
    NavEntry(_("匹配术语"), "matching:terms", STAFF, order=84, group="system"),
    NavEntry(_("匹配索引"), "matching:index-rebuild", STAFF, order=85, group="system"),
]

