from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry

NAV_ITEMS = [
    NavEntry(_("工作台"), "dashboard:workspace", None, order=0),
    NavEntry(_("API 文档"), "api-1.0.0:openapi-view", None, order=99, group="system"),
]
