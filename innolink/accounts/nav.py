from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry

NAV_ITEMS = [
    NavEntry(_("API 令牌"), "accounts:tokens", None, order=97, group="system"),
]
